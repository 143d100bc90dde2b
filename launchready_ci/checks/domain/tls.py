"""TLS on a hostname: the chain verifies, the name matches, the certificate is not about to
expire, and the protocol is current.

``--connect-to HOST:PORT:ADDR:PORT`` has curl's meaning: it changes only where the TCP
connection goes; SNI, the Host header and the certificate check keep the hostname. An
empty HOST or PORT on the left matches any; an empty ADDR or PORT on the right keeps the
original. The first rule that matches wins.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass

__all__ = ["ConnectTo", "TlsResult", "parse_connect_to", "probe_tls", "route"]

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

    def days_left(self, now: float | None = None) -> float | None:
        if self.not_after is None:
            return None
        return (self.not_after - (time.time() if now is None else now)) / 86400


def probe_tls(
    host: str, address: tuple[str, int], *, cafile: str | None, timeout: float = 5.0
) -> TlsResult:
    """One TLS handshake with ``host`` (SNI, verification) over a connection to ``address``."""
    context = ssl.create_default_context(cafile=cafile)
    try:
        raw = socket.create_connection(address, timeout=timeout)
    except ConnectionRefusedError:
        return TlsResult(host, "refused", f"connection to port {address[1]} refused")
    except TimeoutError:
        return TlsResult(host, "timeout", f"no connection to port {address[1]} in {timeout:g} s")
    except OSError as exc:
        return TlsResult(host, "unreachable", exc.strerror or type(exc).__name__)
    try:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            cert = tls.getpeercert() or {}
            version = tls.version() or ""
    except ssl.SSLCertVerificationError as exc:
        return TlsResult(host, _verify_outcome(exc), str(exc.verify_message or exc.reason))
    except TimeoutError:
        return TlsResult(host, "timeout", f"no TLS handshake in {timeout:g} s")
    except (ssl.SSLError, OSError) as exc:
        reason = str(getattr(exc, "reason", None) or exc)
        if reason in _OLD_ONLY:
            return TlsResult(host, "old-protocol", reason)
        return TlsResult(host, "handshake", reason)
    finally:
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
