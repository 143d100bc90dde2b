"""One step's HTTP exchange: the request, redirects followed hop by hop, the body read up
to a size cap, all under one total deadline.

The deadline covers everything a member waits for (connect, TLS, every hop, the whole
body), so a server that trickles a byte at a time cannot hold a step beyond it the way
it holds a read timeout. What goes wrong on the wire is a :class:`Fault` with a kind the
report names (``refused``, ``dns``, ``tls``, ``timeout``, ``redirect-loop``, ``too-large``,
``connection``); it is never raised.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from launchready_ci import net
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "FAULT_RULES",
    "MAX_HOPS",
    "BodyTooLarge",
    "ConnectionFailed",
    "ConnectionRefused",
    "DnsFailed",
    "Exchange",
    "Fault",
    "RedirectLoop",
    "Request",
    "StepTimeout",
    "TlsFailed",
    "next_hop",
    "send",
    "shown_url",
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
}


MAX_HOPS = 10
_REDIRECTS = {301, 302, 303, 307, 308}


def shown_url(url: str) -> str:
    """A URL as reports show it: every query value replaced by ``…`` (names kept) and no
    fragment, so an invite token or a signed link never reaches a log. The request line,
    the redirect messages, a step's default name and the domain check all show URLs
    this way (a template such as ``{{ env.APP }}/x?t=1`` too)."""
    base, sep, rest = url.partition("?")
    if not sep:
        return url.partition("#")[0]
    names = [part.split("=", 1)[0] for part in rest.partition("#")[0].split("&")]
    return base + "?" + "&".join(f"{name}=…" if name else "…" for name in names)


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None

    @property
    def line(self) -> str:
        """The request line a reader needs: method and URL without the query's values."""
        return f"{self.method} {shown_url(self.url)}"


@dataclass(frozen=True)
class Fault:
    kind: str
    detail: str
    #: OpenSSL's X509_V_ERR code when a certificate was rejected (20: a missing
    #: intermediate or an unknown CA, 62: another name, 10: expired ...)
    verify_code: int | None = None


@dataclass(frozen=True)
class Exchange:
    request: Request
    elapsed: float  # the whole exchange, connection set-up included
    status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    url: str = ""  # after redirects
    hops: tuple[tuple[int, str], ...] = ()  # (status, url) of every redirect
    fault: Fault | None = None
    #: Name lookups, TCP connects and TLS handshakes of the connections it opened.
    phases: net.Phases = field(default_factory=net.Phases)

    @property
    def location(self) -> str | None:
        return self.hops[0][1] if self.hops else None

    #: From the first request byte out to the last byte of the answer, without setting
    #: up connections: what a member waits on a warm connection (curl's ``time_total``
    #: minus ``time_pretransfer``). The whole ``elapsed`` when no request went out.
    latency: float = 0.0


def next_hop(request: Request, status: int, location: str | None) -> Request | None:
    """The request a browser sends after ``status`` with ``location``, or None when the
    answer is final (not a redirect, no Location, or a scheme other than http(s), such
    as an app's deep link). 303 (and 301/302 after a POST) continue as a GET without a
    body."""
    if status not in _REDIRECTS or not location:
        return None
    try:
        url = httpx.URL(request.url).join(location)
    except (httpx.InvalidURL, ValueError):
        return None
    if url.scheme not in ("http", "https"):
        return None
    method, content, headers = request.method, request.content, request.headers
    if method != "HEAD" and (status == 303 or (status in (301, 302) and method == "POST")):
        method, content = "GET", None
        headers = tuple((k, v) for k, v in headers if k.lower() != "content-type")
    return Request(method, str(url), headers, content)


async def send(
    client: httpx.AsyncClient,
    request: Request,
    *,
    follow: bool,
    deadline: float,
    max_body: int,
    max_hops: int = MAX_HOPS,
    connect_timeout: float | None = None,
) -> Exchange:
    """Send ``request`` with the journey's ``client`` (its cookies and connections),
    following at most ``max_hops`` redirects, all within ``deadline`` seconds; a new
    connection must be up within ``connect_timeout``."""
    state = _State(request)
    timeout = httpx.Timeout(deadline, connect=connect_timeout or deadline)
    with net.measuring() as phases:
        trace = {"trace": phases.trace}
        start = time.perf_counter()
        try:
            async with asyncio.timeout(deadline):
                await _walk(
                    client, request, state, follow=follow, max_body=max_body,
                    max_hops=max_hops, timeout=timeout, extensions=trace,
                )  # fmt: skip
        except TimeoutError:
            where = "no response" if not state.status else f"status {state.status}, body unfinished"
            state.fault = Fault("timeout", f"not complete in {deadline:g} s ({where})")
        except httpx.HTTPError as exc:
            state.fault = _classify(exc, connect_timeout)
        except ssl.SSLError as exc:  # raised outside httpx's wrapping on some Python versions
            state.fault = _tls_fault(exc)
        end = time.perf_counter()
    latency = phases.since_start(end)
    return Exchange(
        request=request,
        elapsed=end - start,
        status=state.status,
        headers=state.headers,
        body=state.body,
        url=state.url,
        hops=tuple(state.hops),
        fault=state.fault,
        phases=phases,
        latency=end - start if latency is None else latency,
    )


class _State:
    def __init__(self, request: Request) -> None:
        self.status = 0
        self.headers = httpx.Headers()
        self.body = b""
        self.url = request.url
        self.hops: list[tuple[int, str]] = []
        self.fault: Fault | None = None


async def _walk(
    client: httpx.AsyncClient,
    request: Request,
    state: _State,
    *,
    follow: bool,
    max_body: int,
    max_hops: int,
    timeout: httpx.Timeout,
    extensions: dict[str, Any],
) -> None:
    seen = {(request.method, request.url)}
    while True:
        built = client.build_request(
            request.method, request.url, headers=list(request.headers),
            content=request.content, timeout=timeout, extensions=extensions,
        )  # fmt: skip
        response = await client.send(built, stream=True)
        try:
            state.status, state.headers, state.url = (
                response.status_code,
                response.headers,
                request.url,
            )
            nxt = next_hop(request, response.status_code, response.headers.get("location"))
            if not follow or nxt is None:
                state.body = await _read(response, max_body, state)
                return
        finally:
            await response.aclose()
        request = nxt
        state.hops.append((response.status_code, request.url))
        key = (request.method, request.url)
        if key in seen or len(state.hops) > max_hops:
            if key in seen:
                what = "back to a URL already visited"
            elif max_hops == 0:
                what = "a redirect where the step allows none (redirects: 0)"
            else:
                what = f"more than {max_hops} redirect{'s' if max_hops != 1 else ''}"
            state.fault = Fault("redirect-loop", f"{what}: {shown_url(request.url)}")
            return
        seen.add(key)


async def _read(response: httpx.Response, max_body: int, state: _State) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_body:
            state.fault = Fault("too-large", f"the body passed {max_body:,} bytes")
            chunks.append(chunk[: max(0, max_body - (size - len(chunk)))])
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _classify(exc: httpx.HTTPError, connect_timeout: float | None = None) -> Fault:
    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in causes:
        causes.append(current)
        current = current.__cause__ or current.__context__
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return _tls_fault(cause)
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


def _tls_fault(exc: ssl.SSLError) -> Fault:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        message = f"certificate not accepted: {exc.verify_message}"
        return Fault("tls", message, verify_code=exc.verify_code)
    return Fault("tls", f"TLS failed: {exc.reason or exc}")
