"""One step's HTTP exchange: the request, redirects followed hop by hop, the body read up
to a size cap, all under one total deadline.

The deadline covers everything a member waits for (connect, TLS, every hop, the whole
body), so a server that trickles a byte at a time cannot hold a step beyond it the way
it holds a read timeout. What goes wrong on the wire is a :class:`Fault` with a kind the
report names (``refused``, ``dns``, ``tls``, ``timeout``, ``redirect-loop``, ``too-large``,
``connection``, ``insecure-redirect``); it is never raised.

Redirects keep credentials where they belong (:func:`forwarded_headers`): a hop to
another origin (scheme, host or port) drops the credential headers, as curl and browsers
do, and a hop from HTTPS down to plain HTTP is not followed when the request would still
carry a credential (a cookie, a secret body).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from launchready_ci.findings import Confidence, Severity
from launchready_ci.redaction import is_secret_name
from launchready_ci.rules import Rule, register

__all__ = [
    "CREDENTIAL_HEADERS",
    "ENCODINGS",
    "FAULT_RULES",
    "MAX_HOPS",
    "BodyTooLarge",
    "ConnectionFailed",
    "ConnectionRefused",
    "DnsFailed",
    "Exchange",
    "Fault",
    "InsecureRedirect",
    "RedirectLoop",
    "Request",
    "StepTimeout",
    "TlsFailed",
    "forwarded_headers",
    "origin",
    "send",
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


MAX_HOPS = 10
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    # Header names (lower case) whose values are secrets (rendered from the environment or
    # from a capture), and whether the body holds one: neither leaves the origin.
    secret_headers: frozenset[str] = frozenset()
    secret_body: bool = False

    @property
    def line(self) -> str:
        """The request line a reader needs: method and URL without the query's values."""
        url = httpx.URL(self.url)
        query = "?…" if url.query else ""
        return f"{self.method} {url.copy_with(query=None)}{query}"


@dataclass(frozen=True)
class Fault:
    kind: str
    detail: str


@dataclass(frozen=True)
class Exchange:
    request: Request
    elapsed: float
    status: int = 0
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""
    url: str = ""  # after redirects
    hops: tuple[tuple[int, str], ...] = ()  # (status, url) of every redirect
    fault: Fault | None = None
    notes: tuple[str, ...] = ()  # what a redirect did not forward, for the report

    @property
    def location(self) -> str | None:
        return self.hops[0][1] if self.hops else None


async def send(
    client: httpx.AsyncClient,
    request: Request,
    *,
    follow: bool,
    deadline: float,
    max_body: int,
) -> Exchange:
    """Send ``request`` with the journey's ``client`` (its cookies and connections)."""
    start = time.perf_counter()
    state = _State(request)
    try:
        async with asyncio.timeout(deadline):
            await _walk(client, request, state, follow=follow, max_body=max_body)
    except TimeoutError:
        where = "no response" if not state.status else f"status {state.status}, body unfinished"
        state.fault = Fault("timeout", f"not complete in {deadline:g} s ({where})")
    except httpx.HTTPError as exc:
        state.fault = _classify(exc)
    except ssl.SSLError as exc:  # raised outside httpx's wrapping on some Python versions
        state.fault = Fault("tls", _ssl_text(exc))
    return Exchange(
        request=request,
        elapsed=time.perf_counter() - start,
        status=state.status,
        headers=state.headers,
        body=state.body,
        url=state.url,
        hops=tuple(state.hops),
        fault=state.fault,
        notes=tuple(state.notes),
    )


class _State:
    def __init__(self, request: Request) -> None:
        self.status = 0
        self.headers = httpx.Headers()
        self.body = b""
        self.url = request.url
        self.hops: list[tuple[int, str]] = []
        self.fault: Fault | None = None
        self.notes: list[str] = []


async def _walk(
    client: httpx.AsyncClient, request: Request, state: _State, *, follow: bool, max_body: int
) -> None:
    method, url, content = request.method, request.url, request.content
    headers = list(request.headers)
    seen = {(method, url)}
    previous: str | None = None  # the URL that redirected here
    while True:
        built = client.build_request(method, url, headers=_wire(headers), content=content)
        if previous is not None:
            refusal = _downgrade(previous, built, request, content is not None)
            if refusal:
                state.fault = Fault("insecure-redirect", refusal)
                return
        response = await client.send(built, stream=True)
        try:
            state.status, state.headers, state.url = response.status_code, response.headers, url
            target = response.headers.get("location")
            if not (follow and response.status_code in _REDIRECTS and target):
                state.body = await _read(response, max_body, state)
                return
        finally:
            await response.aclose()
        previous, url = url, str(httpx.URL(url).join(target))
        state.hops.append((response.status_code, url))
        # As browsers do: 303 (and 301/302 after a POST) continue as a GET without body.
        if method != "HEAD" and (
            response.status_code == 303 or (response.status_code in (301, 302) and method == "POST")
        ):
            method, content = "GET", None
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        headers, dropped = forwarded_headers(headers, previous, url, request.secret_headers)
        if dropped:
            state.notes.append(
                f"{' and '.join(dropped)} not sent to {_show_origin(url)} (another origin than "
                f"{_show_origin(previous)})"
            )
        if (method, url) in seen or len(state.hops) > MAX_HOPS:
            loop = (method, url) in seen
            what = "back to a URL already visited" if loop else f"more than {MAX_HOPS} redirects"
            state.fault = Fault("redirect-loop", f"{what}: {url}")
            return
        seen.add((method, url))


def _wire(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """Header values as they go out: a value that is not ASCII (a member's name from the
    environment, a captured value) as UTF-8 bytes, as curl sends it, instead of the
    UnicodeEncodeError httpx raises for it. Names are tokens (the spec checked them)."""
    return [
        (k.encode("ascii", "replace"), v.encode("utf-8", "surrogateescape")) for k, v in headers
    ]


# --- redirects and credentials -------------------------------------------------------------

#: Request headers that carry credentials whatever their value (besides secret-looking
#: names such as X-API-Key, and the headers a step fills from a secret).
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default one when the URL has none)."""
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port or _DEFAULT_PORTS.get(parsed.scheme)


def _show_origin(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS.get(scheme) else f":{port}")


def _is_credential(name: str, secret_headers: frozenset[str]) -> bool:
    lower = name.lower()
    return (
        lower in CREDENTIAL_HEADERS
        or lower in secret_headers
        or is_secret_name(lower.replace("-", "_"))
    )


def forwarded_headers(
    headers: list[tuple[str, str]], current: str, target: str, secret_headers: frozenset[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """The headers a redirect from ``current`` to ``target`` may carry, and the names of
    those it may not: credentials stay with their origin (scheme, host and port)."""
    if origin(current) == origin(target):
        return headers, []
    kept = [(k, v) for k, v in headers if not _is_credential(k, secret_headers)]
    dropped = list(dict.fromkeys(k for k, _ in headers if _is_credential(k, secret_headers)))
    return kept, dropped


def _downgrade(previous: str, built: httpx.Request, request: Request, has_body: bool) -> str:
    """Why the hop to ``built`` must not be sent (HTTPS to plain HTTP with a credential
    still on board: a cookie from the jar, a secret body), or ``""``."""
    if not (httpx.URL(previous).scheme == "https" and built.url.scheme == "http"):
        return ""
    carried = [k for k in built.headers if _is_credential(k, request.secret_headers)]
    if has_body and request.secret_body:
        carried.append("a body with secrets")
    if not carried:
        return ""
    what = " and ".join(dict.fromkeys(carried))
    return (
        f"redirected from HTTPS down to plain HTTP ({built.url.copy_with(query=None)}), not "
        f"followed: the request would carry {what} in clear text"
    )


# --- the body, decoded within bounds -------------------------------------------------------

#: Decoded bytes per step; between steps the event loop runs (the deadline can fire).
_SLICE = 64 * 1024
#: The content codings the engine decodes (and advertises in Accept-Encoding).
ENCODINGS = ("gzip", "deflate")


class _Layer:
    """One content coding, decoded on demand: at most ``limit`` bytes per call, however
    much the compressed input would expand to."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        # gzip: the gzip wrapper; deflate: the zlib wrapper, or raw deflate (the browsers'
        # leniency, which httpx shares), decided on the first bytes.
        self.inflate = zlib.decompressobj(31 if coding in ("gzip", "x-gzip") else 15)
        self.pending = b""
        self.started = False

    def decode(self, limit: int) -> bytes:
        if not self.pending or self.inflate.eof:
            return b""
        try:
            out = self.inflate.decompress(self.pending, limit)
        except zlib.error:
            if self.coding != "deflate" or self.started:
                raise
            self.inflate = zlib.decompressobj(-15)
            out = self.inflate.decompress(self.pending, limit)
        self.started = True
        self.pending = self.inflate.unconsumed_tail
        return out


def _layers(content_encoding: str | None) -> list[_Layer]:
    """The codings to undo, the last one applied (listed) first; unknown ones are left
    as they are (as httpx does), which a body assertion then reports."""
    names = [c.strip().lower() for c in (content_encoding or "").split(",")]
    return [_Layer(n) for n in reversed(names) if n in (*ENCODINGS, "x-gzip")]


def _pull(layers: list[_Layer], index: int, limit: int) -> bytes:
    """At most ``limit`` decoded bytes out of ``layers[index]``, feeding it from the layer
    before it in slices (``layers[0]`` is fed from the network)."""
    layer = layers[index]
    while True:
        out = layer.decode(limit)
        if out or layer.inflate.eof or index == 0:
            return out
        more = _pull(layers, index - 1, _SLICE)
        if not more:
            return b""
        layer.pending += more


async def _read(response: httpx.Response, max_body: int, state: _State) -> bytes:
    """The body decoded, never more than ``max_body`` bytes of it: a decompression bomb
    (``Content-Encoding: gzip, gzip, gzip``) costs the cap, not what it would expand to.
    Decoding goes in slices with the event loop running between them, so the step's
    deadline holds."""
    layers = _layers(response.headers.get("content-encoding"))
    body = bytearray()
    try:
        async for raw in response.aiter_raw():
            if not layers:
                body += raw
            else:
                layers[0].pending += raw
                while len(body) <= max_body:
                    out = _pull(layers, len(layers) - 1, min(_SLICE, max_body + 1 - len(body)))
                    if not out:
                        break
                    body += out
                    await asyncio.sleep(0)
            if len(body) > max_body:
                state.fault = Fault("too-large", f"the body passed {max_body:,} bytes")
                break
    except zlib.error as exc:
        state.fault = Fault("connection", f"the body does not decode as {_codings(layers)}: {exc}")
    return bytes(body[:max_body])


def _codings(layers: list[_Layer]) -> str:
    return ", ".join(layer.coding for layer in layers)


def _classify(exc: httpx.HTTPError) -> Fault:
    causes: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in causes:
        causes.append(current)
        current = current.__cause__ or current.__context__
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return Fault("tls", _ssl_text(cause))
        if isinstance(cause, socket.gaierror):
            return Fault("dns", f"the name does not resolve ({cause.strerror or cause})")
        if isinstance(cause, ConnectionRefusedError):
            return Fault("refused", "connection refused: nothing listens on that port")
    text = str(exc) or type(exc).__name__
    if "Name or service not known" in text or "nodename nor servname" in text:
        return Fault("dns", f"the name does not resolve ({text})")
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return Fault("tls", text)
    if isinstance(exc, httpx.TimeoutException):
        return Fault("timeout", f"no answer ({type(exc).__name__})")
    return Fault("connection", f"{type(exc).__name__}: {text}")


def _ssl_text(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate not accepted: {exc.verify_message}"
    return f"TLS failed: {exc.reason or exc}"
