"""Outgoing HTTP connections for httpx: where each one goes, and how long its phases take.

httpx opens connections through httpcore's *network backend*. :class:`Backend` wraps
httpcore's own and adds two things every live check needs:

- **a route**: ``(host, port) -> (address, port)`` before connecting (``--connect-to``,
  or the answer of the check's own name server). Only the TCP connection moves: the
  URL's host stays the SNI name, the Host header and the name the certificate must match.
- **timing**: the name lookup, the TCP connect and the TLS handshake of every new
  connection are measured apart (curl's ``time_namelookup``, ``time_connect`` and
  ``time_appconnect``) and added to the :class:`Phases` of the exchange in progress
  (see :func:`measuring`), beside the moment the first request starts out (httpcore's
  ``trace`` extension, :meth:`Phases.trace`). A step's latency can then be the request
  alone, from its first byte out to the last byte in, as on the warm connection a
  member's browser reuses: neither the connection set-up nor the client's one-time
  costs (httpcore imports parts of anyio on its first connection) count in it.

A name that does not resolve, or does not resolve in time, raises httpcore's
``ConnectError`` / ``ConnectTimeout`` (with the ``socket.gaierror`` as its cause), which
httpx turns into its own exceptions as for any connection failure.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore
import httpx

__all__ = ["Backend", "Phases", "Resolve", "Route", "Transport", "measuring"]

#: host, port -> the address and port to connect to instead
Route = Callable[[str, int], tuple[str, int]]
#: host, port -> the addresses to try, in order (raises OSError when there are none)
Resolve = Callable[[str, int], Awaitable[list[str]]]


@dataclass
class Phases:
    """Connection set-up inside one exchange, in seconds (0 when every connection was
    reused). ``connections`` counts the new ones; ``started`` is when the first request
    began to go out (``perf_counter``), ``later`` the set-up after it (a redirect to
    another host opens a connection mid-exchange)."""

    dns: float = 0.0
    connect: float = 0.0
    tls: float = 0.0
    connections: int = 0
    started: float | None = None
    later: float = 0.0

    @property
    def setup(self) -> float:
        return self.dns + self.connect + self.tls

    def since_start(self, end: float) -> float | None:
        """From the first request byte out to ``end``, without the set-up in between."""
        if self.started is None:
            return None
        return max(0.0, end - self.started - self.later)

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's ``trace`` extension: notes when the first request starts out."""
        if self.started is None and event.endswith("send_request_headers.started"):
            self.started = time.perf_counter()


#: How long one address may try before the next one starts (RFC 8305's default).
HAPPY_EYEBALLS = 0.25

_current: ContextVar[Phases | None] = ContextVar("launchready_phases", default=None)


@contextlib.contextmanager
def measuring() -> Iterator[Phases]:
    """The phases of every connection opened in this task (and the tasks it starts)
    until the block ends."""
    phases = Phases()
    token = _current.set(phases)
    try:
        yield phases
    finally:
        _current.reset(token)


def _add(field: str, seconds: float) -> None:
    phases = _current.get()
    if phases is not None:
        setattr(phases, field, getattr(phases, field) + seconds)
        if phases.started is not None:
            phases.later += seconds


async def system_resolve(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host``, in its preference order."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for info in infos:
        seen[str(info[4][0])] = None
    return list(seen)


class Backend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend with a route, a resolver and timed phases."""

    def __init__(self, route: Route | None = None, resolve: Resolve | None = None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._route = route
        self._resolve = resolve or system_resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._route is not None:
            host, port = self._route(host, port)
        started = time.perf_counter()
        try:
            with anyio.fail_after(timeout):
                addresses = [host] if _is_address(host) else await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"no address for {host} in {timeout:g} s") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"{host}: {exc.strerror or exc}") from exc
        resolved = time.perf_counter()
        _add("dns", resolved - started)
        left = None if timeout is None else max(0.0, timeout - (resolved - started))
        stream = await self._connect(addresses, port, left, local_address, socket_options)
        _add("connect", time.perf_counter() - resolved)
        phases = _current.get()
        if phases is not None:
            phases.connections += 1
        return _Stream(stream)

    async def _connect(
        self,
        addresses: list[str],
        port: int,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[Any] | None,
    ) -> httpcore.AsyncNetworkStream:
        """Happy Eyeballs (RFC 8305), simply: the next address is tried when the one
        before has failed or has not connected in HAPPY_EYEBALLS s; the first wins."""
        won: list[httpcore.AsyncNetworkStream] = []
        errors: list[Exception] = []

        async def attempt(address: str, failed: anyio.Event) -> None:
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                errors.append(exc)
                failed.set()
                return
            if won:  # another attempt was first
                await stream.aclose()
                return
            won.append(stream)
            group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            for address in addresses:
                failed = anyio.Event()
                group.start_soon(attempt, address, failed)
                with anyio.move_on_after(HAPPY_EYEBALLS):
                    await failed.wait()
        if won:
            return won[0]
        raise errors[-1] if errors else httpcore.ConnectError("no address to connect to")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    """A connection whose TLS handshake is timed."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        started = time.perf_counter()
        try:
            inner = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        finally:
            _add("tls", time.perf_counter() - started)
        return _Stream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


#: httpx's own defaults
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class Transport(httpx.AsyncHTTPTransport):
    """httpx's transport over :class:`Backend`. httpx takes no network backend of its
    own, so the connection pool it built is replaced by one that uses ours, with the
    same TLS context and limits."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext,
        route: Route | None = None,
        resolve: Resolve | None = None,
        limits: httpx.Limits = LIMITS,
    ) -> None:
        super().__init__(verify=verify, trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=Backend(route, resolve),
        )


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
