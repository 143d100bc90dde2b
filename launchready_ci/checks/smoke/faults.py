"""How a journey step's request can fail on the wire: the fault kinds the report names
(``refused``, ``dns``, ``tls``, ``timeout``, ``redirect-loop``, ``too-large``,
``connection``, ``insecure-redirect``), the rule of each, and :func:`classify`, which
tells them apart from what httpx raised. :mod:`.client` sends the requests and returns
a :class:`Fault`, never raises.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

if TYPE_CHECKING:  # httpx is imported when a request is sent, not to list the rules
    pass

__all__ = [
    "FAULT_RULES",
    "BodyTooLarge",
    "ConnectionFailed",
    "ConnectionRefused",
    "DnsFailed",
    "Fault",
    "InsecureRedirect",
    "RedirectLoop",
    "StepTimeout",
    "TlsFailed",
    "classify",
]


@register
class ConnectionRefused(Rule):
    """Nothing accepted the connection to a journey step's host and port.

    Why
    ---
    The process is not running or not listening where the platform sends traffic: the
    new release crashed on start, or listens on another port than the load balancer
    expects. Every member gets an error page.

    Remediation
    -----------
    Read the release's start-up logs; check the port the app binds and the one the
    platform routes to. Roll back if the previous release was healthy.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.1
    """

    id = "smoke/connection-refused"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("GET https://app.example.com/ -> connection refused",),
        "good": ("GET https://app.example.com/ -> 200",),
    }


@register
class DnsFailed(Rule):
    """A journey step's hostname does not resolve.

    Why
    ---
    A name that does not resolve from the runner usually does not resolve for members
    either: a record deleted with an old provider, a typo in base_url, or a domain that
    lapsed.

    Remediation
    -----------
    Check the name in base_url and its records (`launchready domain check` compares
    them with launchready.yml).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc1034#section-4.3.1
    """

    id = "smoke/dns-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("GET https://app.exmaple.com/ -> the name does not resolve",),
        "good": ("GET https://app.example.com/ -> 200",),
    }


@register
class TlsFailed(Rule):
    """The TLS handshake with a journey step's host failed, or its certificate was rejected.

    Why
    ---
    Browsers and apps refuse the connection outright: an expired or wrong-name
    certificate after a deploy (a new load balancer, a custom domain not yet verified)
    locks every member out with a warning page that looks like an attack.

    Remediation
    -----------
    Check the certificate the host presents for this name (chain, expiry, names);
    `launchready domain check` reports each of those on its own.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8446
    - https://www.rfc-editor.org/rfc/rfc6125
    """

    id = "smoke/tls-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("certificate not accepted: unable to get local issuer certificate",),
        "good": ("TLS 1.3 with a certificate a browser trusts",),
    }


@register
class StepTimeout(Rule):
    """A journey step did not complete within the total deadline (smoke.timeout).

    Why
    ---
    The deadline covers the whole exchange, redirects and body included, so a server
    that answers headers and then trickles the body is caught too. A member waiting
    that long has already reloaded or left.

    Remediation
    -----------
    Look for what the step waits on: a cold start, a lock held by a migration, an
    upstream API with no timeout of its own. Raise smoke.timeout only if the wait is
    acceptable for members.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-9.2
    """

    id = "smoke/timeout"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("not complete in 10 s (status 200, body unfinished)",),
        "good": ("complete in 180 ms",),
    }


@register
class ConnectionFailed(Rule):
    """The connection to a journey step's host broke before a complete answer came.

    Why
    ---
    A reset or a malformed response means something between the runner and the app
    (the app itself, a proxy, a load balancer) dropped the request; members see a
    browser error page.

    Remediation
    -----------
    The message names the error. Check the platform's and the proxy's logs for the
    request at that time.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9112
    """

    id = "smoke/connection-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("RemoteProtocolError: Server disconnected without sending a response",),
        "good": ("HTTP/1.1 200 OK",),
    }


@register
class RedirectLoop(Rule):
    """A journey step's redirects come back to a URL already visited, or never end.

    Why
    ---
    The browser gives up with "too many redirects": typically HTTPS forced both at the
    CDN and the app, or a login page that redirects signed-out members to itself.

    Remediation
    -----------
    Follow the hops in the message and remove one of the two redirects that point at
    each other.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4
    """

    id = "smoke/redirect-loop"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ("/a -> /b -> /a",), "good": ("/invite/x -> /signup?invite=x",)}


@register
class InsecureRedirect(Rule):
    """A journey step that carries credentials was redirected from HTTPS to plain HTTP.

    Why
    ---
    Following it would send the member's session cookie or password in clear text, to
    anyone on the network path. It usually means the app builds its redirects from the
    scheme it sees behind the load balancer (HTTP) instead of the one members use: every
    sign-in then drops to HTTP, or fails where cookies are `Secure`. The redirect was not
    followed.

    Remediation
    -----------
    Make the app trust the proxy's `X-Forwarded-Proto` (or configure its public URL) so
    that redirects stay on HTTPS; send HSTS so that browsers never try HTTP.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4
    - https://www.rfc-editor.org/rfc/rfc6797
    """

    id = "smoke/insecure-redirect"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("POST https://app.example.com/login -> 307 http://app.example.com/login",),
        "good": ("POST https://app.example.com/login -> 303 https://app.example.com/feed",),
    }


@register
class BodyTooLarge(Rule):
    """A journey step's response body passed the size cap (smoke.max_body).

    Why
    ---
    A feed or API call that returns megabytes is slow on a phone and costs members
    their data plan; it is often a missing page size or a debug dump left on.

    Remediation
    -----------
    Paginate or trim the response; raise smoke.max_body only for a step that really
    downloads a file.

    References
    ----------
    - https://web.dev/articles/total-byte-weight
    """

    id = "smoke/body-too-large"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ("the body passed 1,048,576 bytes",), "good": ("a 4 KB JSON page",)}


#: A transport fault's kind -> its rule.
FAULT_RULES: Mapping[str, type[Rule]] = {
    "refused": ConnectionRefused,
    "dns": DnsFailed,
    "tls": TlsFailed,
    "timeout": StepTimeout,
    "connection": ConnectionFailed,
    "redirect-loop": RedirectLoop,
    "too-large": BodyTooLarge,
    "insecure-redirect": InsecureRedirect,
}


@dataclass(frozen=True)
class Fault:
    kind: str
    detail: str
    #: OpenSSL's X509_V_ERR code when a certificate was rejected (20: a missing
    #: intermediate or an unknown CA, 62: another name, 10: expired ...)
    verify_code: int | None = None


def classify(exc: BaseException, connect_timeout: float | None = None) -> Fault:
    """The fault behind an error httpx (or ssl) raised: the first cause that names it, else
    its text. ``connect_timeout``: the limit a connect timeout was under, to name it."""
    import httpx

    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in causes:
        causes.append(current)
        current = current.__cause__ or current.__context__
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return _ssl_fault(cause)
        if isinstance(cause, socket.gaierror):
            return Fault("dns", f"the name does not resolve ({cause.strerror or cause})")
        if isinstance(cause, ConnectionRefusedError):
            return Fault("refused", "connection refused: nothing listens on that port")
    text = str(exc) or type(exc).__name__
    if "Name or service not known" in text or "nodename nor servname" in text:
        return Fault("dns", f"the name does not resolve ({text})")
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return Fault("tls", text)
    if isinstance(exc, httpx.ConnectTimeout) and connect_timeout:
        return Fault("timeout", f"no connection in {connect_timeout:g} s (connect_timeout)")
    if isinstance(exc, httpx.TimeoutException):
        return Fault("timeout", f"no answer ({type(exc).__name__})")
    return Fault("connection", f"{type(exc).__name__}: {text}")


def _ssl_fault(exc: ssl.SSLError) -> Fault:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        message = f"certificate not accepted: {exc.verify_message}"
        return Fault("tls", message, verify_code=exc.verify_code)
    return Fault("tls", f"TLS failed: {exc.reason or exc}")
