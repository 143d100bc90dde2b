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

import httpx

from launchready_ci.checks.smoke.faults import Fault, classify

__all__ = ["MAX_HOPS", "Exchange", "Fault", "Request", "send"]


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
        url = httpx.URL(self.url)
        query = "?…" if url.query else ""
        return f"{self.method} {url.copy_with(query=None)}{query}"


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
        state.fault = classify(exc)
    except ssl.SSLError as exc:  # raised outside httpx's wrapping on some Python versions
        state.fault = classify(exc)
    return Exchange(
        request=request,
        elapsed=time.perf_counter() - start,
        status=state.status,
        headers=state.headers,
        body=state.body,
        url=state.url,
        hops=tuple(state.hops),
        fault=state.fault,
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
    client: httpx.AsyncClient, request: Request, state: _State, *, follow: bool, max_body: int
) -> None:
    method, url, content = request.method, request.url, request.content
    headers = list(request.headers)
    seen = {(method, url)}
    while True:
        built = client.build_request(method, url, headers=headers, content=content)
        response = await client.send(built, stream=True)
        try:
            state.status, state.headers, state.url = response.status_code, response.headers, url
            target = response.headers.get("location")
            if not (follow and response.status_code in _REDIRECTS and target):
                state.body = await _read(response, max_body, state)
                return
        finally:
            await response.aclose()
        url = str(httpx.URL(url).join(target))
        state.hops.append((response.status_code, url))
        # As browsers do: 303 (and 301/302 after a POST) continue as a GET without body.
        if method != "HEAD" and (
            response.status_code == 303 or (response.status_code in (301, 302) and method == "POST")
        ):
            method, content = "GET", None
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        if (method, url) in seen or len(state.hops) > MAX_HOPS:
            loop = (method, url) in seen
            what = "back to a URL already visited" if loop else f"more than {MAX_HOPS} redirects"
            state.fault = Fault("redirect-loop", f"{what}: {url}")
            return
        seen.add((method, url))


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
