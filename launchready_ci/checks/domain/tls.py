"""TLS on a hostname: the chain verifies, the name matches, the certificate is not about to
expire, and the protocol is current.

``--connect-to HOST:PORT:ADDR:PORT`` has curl's meaning: it changes only where the TCP
connection goes; SNI, the Host header and the certificate check keep the hostname. An
empty HOST or PORT on the left matches any; an empty ADDR or PORT on the right keeps the
original. The first rule that matches wins.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from launchready_ci.checks.domain.dns import finding
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "ConnectTo",
    "TlsConnectionFailed",
    "TlsExpiry",
    "TlsHostnameMismatch",
    "TlsOldProtocol",
    "TlsResult",
    "TlsUntrusted",
    "parse_connect_to",
    "probe_tls",
    "route",
    "tls_findings",
]


@register
class TlsUntrusted(Rule):
    """A hostname's certificate chain does not verify: a missing intermediate or an unknown CA.

    Why
    ---
    Desktop browsers sometimes fetch a missing intermediate themselves, so the site looks
    fine to the team; Android apps, curl, payment webhooks and many API clients do not,
    and fail with "unable to get local issuer certificate". A self-signed or unknown-CA
    certificate fails everywhere.

    Remediation
    -----------
    Serve the full chain (nginx `ssl_certificate` with `fullchain.pem`, not `cert.pem`);
    use a certificate from a public CA. Check with
    `openssl s_client -connect host:443 -servername host -showcerts`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2
    """

    id = "domain/tls-untrusted"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ssl_certificate /etc/letsencrypt/live/example.com/cert.pem;",),
        "good": ("ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;",),
    }


@register
class TlsHostnameMismatch(Rule):
    """A hostname's certificate is for other names.

    Why
    ---
    Every client refuses the connection: the hostname was added to DNS (or moved to a
    new host) without a certificate that names it, often `www` or `api`.

    Remediation
    -----------
    Issue a certificate that lists the hostname (or a wildcard for it), and add the name
    to the platform's domain settings so it issues one.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6125#section-6
    """

    id = "domain/tls-hostname-mismatch"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("api.example.com -> certificate for www.example.com",),
        "good": ("api.example.com -> certificate for api.example.com",),
    }


@register
class TlsExpiry(Rule):
    """A hostname's certificate has expired, or expires soon (under 21 days; under 7 an error).

    Why
    ---
    Automatic renewal fails silently more often than anyone expects (a CAA record, a
    moved DNS zone, an HTTP-01 challenge blocked by a redirect), and certificates expire
    on their own schedule, weekends included. After that every client refuses the site.

    Remediation
    -----------
    Renew now and find why renewal did not happen (`certbot renew --dry-run`, the
    platform's domain page). The thresholds are `domain.tls.warn_days` and
    `domain.tls.error_days`.

    References
    ----------
    - https://letsencrypt.org/docs/integration-guide/#when-to-renew
    """

    id = "domain/tls-expiry"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ("notAfter in 5 days",), "good": ("notAfter in 60 days, renewed at 30",)}


@register
class TlsConnectionFailed(Rule):
    """No TLS session could be set up with a hostname: refused, timed out, or a failed handshake.

    Why
    ---
    Members get a connection error. The port is closed, a firewall drops it, or the
    server offers no protocol or cipher a current client accepts.

    Remediation
    -----------
    Check that the host listens on 443 and that TLS 1.2 or 1.3 is enabled.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8996
    """

    id = "domain/tls-connection-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {"bad": ("connect to host:443: refused",), "good": ("TLSv1.3 session",)}


@register
class TlsOldProtocol(Rule):
    """A hostname negotiates TLS 1.1 or older.

    Why
    ---
    TLS 1.0 and 1.1 are deprecated (RFC 8996): current browsers and mobile platforms
    refuse them, and payment providers require TLS 1.2 or newer.

    Remediation
    -----------
    Enable TLS 1.2 and 1.3 only (nginx `ssl_protocols TLSv1.2 TLSv1.3;`).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8996
    """

    id = "domain/tls-old-protocol"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ssl_protocols TLSv1 TLSv1.1 TLSv1.2;",),
        "good": ("ssl_protocols TLSv1.2 TLSv1.3;",),
    }


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (
    TlsUntrusted,
    TlsHostnameMismatch,
    TlsExpiry,
    TlsConnectionFailed,
    TlsOldProtocol,
)


_OLD_PROTOCOLS = {"SSLv3", "TLSv1", "TLSv1.1"}
#: OpenSSL's reasons when the server offers only protocols this client refuses (< TLS 1.2).
_OLD_ONLY = {"UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "NO_PROTOCOLS_AVAILABLE"}


@dataclass(frozen=True)
class ConnectTo:
    host: str
    port: int | None
    to_host: str
    to_port: int | None


def parse_connect_to(text: str) -> ConnectTo:
    from launchready_ci.errors import UsageError

    parts = _split_colons(text)
    if len(parts) != 4:
        raise UsageError(
            f"--connect-to {text!r}: give HOST1:PORT1:HOST2:PORT2 (parts may be empty)"
        )
    host, port, to_host, to_port = parts
    try:
        return ConnectTo(
            host.lower(), int(port) if port else None, to_host, int(to_port) if to_port else None
        )
    except ValueError:
        raise UsageError(f"--connect-to {text!r}: the ports must be numbers") from None


def _split_colons(text: str) -> list[str]:
    """Split on ``:`` outside ``[...]`` (an IPv6 address in brackets)."""
    parts, current, depth = [], "", 0
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip("[]") for p in parts]


def route(rules: tuple[ConnectTo, ...], host: str, port: int) -> tuple[str, int] | None:
    """Where to connect for ``host:port``, or None when no rule matches."""
    for rule in rules:
        if (not rule.host or rule.host == host.lower()) and rule.port in (None, port):
            return rule.to_host or host, rule.to_port or port
    return None


@dataclass(frozen=True)
class TlsResult:
    host: str
    #: ok | chain | untrusted | self-signed | hostname | expired | refused | timeout |
    #: handshake | unreachable
    outcome: str
    detail: str = ""
    not_after: float | None = None  # epoch seconds
    version: str = ""
    issuer: str = ""
    verify_code: int | None = None  # OpenSSL's X509_V_ERR code when verification failed

    def days_left(self, now: float | None = None) -> float | None:
        if self.not_after is None:
            return None
        return (self.not_after - (time.time() if now is None else now)) / 86400


def probe_tls(
    host: str, address: tuple[str, int], *, cafile: str | None, timeout: float = 5.0
) -> TlsResult:
    """One TLS handshake with ``host`` (SNI, verification) over a connection to ``address``,
    connect and handshake within ``timeout`` seconds in all (a server that trickles its
    handshake a byte at a time is cut off at the deadline, not at each read's)."""
    context = ssl.create_default_context(cafile=cafile)
    try:
        raw = socket.create_connection(address, timeout=timeout)
    except ConnectionRefusedError:
        return TlsResult(host, "refused", f"connection to port {address[1]} refused")
    except TimeoutError:
        return TlsResult(host, "timeout", f"no connection to port {address[1]} in {timeout:g} s")
    except OSError as exc:
        return TlsResult(host, "unreachable", exc.strerror or type(exc).__name__)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        with contextlib.suppress(OSError):
            raw.shutdown(socket.SHUT_RDWR)  # wakes the handshake blocked in a read

    watchdog = threading.Timer(timeout, cut)
    watchdog.start()
    try:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            cert = tls.getpeercert() or {}
            version = tls.version() or ""
    except ssl.SSLCertVerificationError as exc:
        detail = str(exc.verify_message or exc.reason)
        return TlsResult(host, _verify_outcome(exc), detail, verify_code=exc.verify_code)
    except (TimeoutError, ssl.SSLError, OSError) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            return TlsResult(host, "timeout", f"no TLS handshake in {timeout:g} s")
        reason = str(getattr(exc, "reason", None) or exc)
        if reason in _OLD_ONLY:
            return TlsResult(host, "old-protocol", reason)
        return TlsResult(host, "handshake", reason)
    finally:
        watchdog.cancel()
        raw.close()
    issuer: dict[str, str] = {}
    for rdn in cert.get("issuer", ()):
        for pair in rdn:
            if isinstance(pair, tuple) and len(pair) == 2:
                issuer[str(pair[0])] = str(pair[1])
    not_after = ssl.cert_time_to_seconds(str(cert["notAfter"])) if "notAfter" in cert else None
    return TlsResult(
        host,
        "ok",
        not_after=not_after,
        version=version,
        issuer=str(issuer.get("organizationName") or issuer.get("commonName") or ""),
    )


def _verify_outcome(exc: ssl.SSLCertVerificationError) -> str:
    code = exc.verify_code
    if code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
        return "hostname"
    if code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
        return "expired"
    if code == 20:  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        return "chain"
    if code in (18, 19):  # self-signed leaf, or an unknown root in the chain
        return "self-signed"
    return "untrusted"


def old_protocol(version: str) -> bool:
    return version in _OLD_PROTOCOLS


# --- judging a result --------------------------------------------------------------------


def tls_findings(result: TlsResult, limits: Mapping[str, Any], at: Location) -> list[Finding]:
    name = result.host
    if result.outcome in ("chain", "untrusted", "self-signed"):
        why = {
            "chain": "the server does not send its intermediate certificate (or its CA is "
            "not trusted): apps, curl and webhooks fail",
            "self-signed": "the certificate is self-signed or its root is not trusted",
        }.get(result.outcome, "")
        return [finding(TlsUntrusted, f"TLS on {name}: {result.detail}; {why}".rstrip("; "), at)]
    if result.outcome == "hostname":
        return [finding(TlsHostnameMismatch, f"TLS on {name}: {result.detail}", at)]
    if result.outcome == "expired":
        return [finding(TlsExpiry, f"TLS on {name}: the certificate has expired", at)]
    if result.outcome == "old-protocol":
        return [
            finding(
                TlsOldProtocol,
                f"TLS on {name}: the server offers only TLS 1.1 or older ({result.detail})",
                at,
            )
        ]
    if result.outcome != "ok":
        return [finding(TlsConnectionFailed, f"TLS on {name}: {result.detail}", at)]
    out = []
    days = result.days_left() or 0.0
    warn, error = int(limits.get("warn_days", 21)), int(limits.get("error_days", 7))
    if days < warn:
        when = time.strftime("%a %Y-%m-%d", time.gmtime(result.not_after or 0))
        out.append(
            TlsExpiry.finding(
                f"TLS on {name}: the certificate expires in {days:.0f} days ({when})",
                at,
                content=f"{name}:expiry",
                severity=Severity.ERROR if days < error else Severity.WARNING,
            )
        )
    if old_protocol(result.version):
        out.append(finding(TlsOldProtocol, f"TLS on {name}: negotiated {result.version}", at))
    return out
