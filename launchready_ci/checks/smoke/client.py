"""One step's HTTP exchange: the request, redirects followed hop by hop, the body read up
to a size cap, all under one total deadline.

The deadline covers everything a member waits for (connect, TLS, every hop, the whole
body), so a server that trickles a byte at a time cannot hold a step beyond it the way
it holds a read timeout. What goes wrong on the wire is a :class:`Fault` with a kind the
report names (``refused``, ``dns``, ``tls``, ``timeout``, ``redirect-loop``, ``too-large``,
``connection``, see :mod:`.faults`); it is never raised.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from launchready_ci import net
from launchready_ci.checks.smoke.faults import Fault, classify
from launchready_ci.redaction import shown_url

__all__ = ["MAX_HOPS", "Exchange", "Fault", "Request", "next_hop", "send", "shown_url"]


MAX_HOPS = 10
_REDIRECTS = {301, 302, 303, 307, 308}


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
            state.fault = classify(exc, connect_timeout)
        except ssl.SSLError as exc:  # raised outside httpx's wrapping on some Python versions
            state.fault = classify(exc)
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
