"""One step's HTTP exchange: the request, redirects followed hop by hop, the body read up
to a size cap, all under one total deadline.

The deadline covers everything a member waits for (connect, TLS, every hop, the whole
body), so a server that trickles a byte at a time cannot hold a step beyond it the way
it holds a read timeout. What goes wrong on the wire is a :class:`Fault` with a kind the
report names (``refused``, ``dns``, ``tls``, ``timeout``, ``redirect-loop``, ``too-large``,
``connection``, ``insecure-redirect``, see :mod:`.faults`); it is never raised.

Redirects keep credentials where they belong (:func:`forwarded_headers`): a hop to
another origin (scheme, host or port) drops the credential headers, as curl and browsers
do, and a hop from HTTPS down to plain HTTP is not followed when the request would still
carry a credential (a cookie, a secret body). Bodies are decoded in bounded slices, never
past the cap (:func:`_read`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from launchready_ci import net
from launchready_ci.checks.smoke.faults import Fault, classify
from launchready_ci.redaction import is_secret_name, shown_url

__all__ = [
    "CREDENTIAL_HEADERS",
    "ENCODINGS",
    "MAX_HOPS",
    "Exchange",
    "Fault",
    "Request",
    "forwarded_headers",
    "next_hop",
    "origin",
    "send",
    "shown_url",
]


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
        return f"{self.method} {shown_url(self.url)}"


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
    notes: tuple[str, ...] = ()  # what a redirect did not forward, for the report


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
    return dataclasses.replace(
        request, method=method, url=str(url), headers=headers, content=content
    )


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
            state.fault = classify(exc, connect_timeout)
        except ssl.SSLError as exc:  # raised outside httpx's wrapping on some Python versions
            state.fault = classify(exc)
        end = time.perf_counter()
    latency = phases.since_start(state.last_byte or end)
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
        self.last_byte: float | None = None  # perf_counter() when the body was complete


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
    previous: str | None = None  # the URL that redirected here
    while True:
        built = client.build_request(
            request.method, request.url, headers=_wire(list(request.headers)),
            content=request.content, timeout=timeout, extensions=extensions,
        )  # fmt: skip
        if previous is not None:
            refusal = _downgrade(previous, built, request, request.content is not None)
            if refusal:
                state.fault = Fault("insecure-redirect", refusal)
                return
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
        previous = request.url
        headers, dropped = forwarded_headers(
            list(nxt.headers), previous, nxt.url, request.secret_headers
        )
        request = dataclasses.replace(nxt, headers=tuple(headers))
        if dropped:
            state.notes.append(
                f"{' and '.join(dropped)} not sent to {_show_origin(request.url)} (another "
                f"origin than {_show_origin(previous)})"
            )
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
    state.last_byte = time.perf_counter()  # before the connection goes back to the pool
    return bytes(body[:max_body])


def _codings(layers: list[_Layer]) -> str:
    return ", ".join(layer.coding for layer in layers)
