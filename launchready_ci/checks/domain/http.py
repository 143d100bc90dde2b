"""HTTP as members meet it: one request at a time, redirects followed hop by hop.

Requests go through :func:`fetch`, which applies ``--connect-to`` (and the resolver's
answer, under ``--nameserver``) to the TCP connection only: the URL's host stays the SNI
name, the Host header and the name the certificate must match. Redirects are never
followed automatically; :func:`follow` walks them and keeps every hop.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

__all__ = ["Hop", "Response", "fetch", "follow"]

MAX_HOPS = 10
_REDIRECTS = {301, 302, 303, 307, 308}

#: host, port -> the address to connect to
Router = Callable[[str, int], tuple[str, int]]


@dataclass(frozen=True)
class Response:
    url: str
    status: int = 0  # 0: no response (see error)
    headers: Mapping[str, str] = field(default_factory=dict)  # lowercased names
    error: str = ""

    @property
    def location(self) -> str | None:
        target = self.headers.get("location")
        return urljoin(self.url, target) if target and self.status in _REDIRECTS else None


@dataclass(frozen=True)
class Hop:
    response: Response
    loop: bool = False


def fetch(
    url: str,
    router: Router,
    *,
    cafile: str | None,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    timeout: float = 8.0,
) -> Response:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = router(host, port)
    context = ssl.create_default_context(cafile=cafile) if https else None
    conn = _Connection(host, port, address, context, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, path, headers={"User-Agent": "launchready-ci", **(headers or {})})
        reply = conn.getresponse()
        reply.read(64 * 1024)  # enough for a redirect or a JSON file; the rest is dropped
        found = {k.lower(): v for k, v in reply.getheaders()}
        return Response(url, reply.status, found)
    except ssl.SSLCertVerificationError as exc:
        return Response(url, error=f"TLS: {exc.verify_message}")
    except TimeoutError:
        return Response(url, error=f"no answer in {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Response(url, error=str(getattr(exc, "strerror", None) or exc) or type(exc).__name__)
    finally:
        conn.close()


def follow(url: str, router: Router, *, cafile: str | None) -> list[Hop]:
    """Every response from ``url`` to the first one that is not a redirect (or a loop, or
    MAX_HOPS)."""
    hops: list[Hop] = []
    seen: set[str] = set()
    while len(hops) <= MAX_HOPS:
        response = fetch(url, router, cafile=cafile)
        seen.add(url)
        nxt = response.location
        hops.append(Hop(response, loop=nxt is not None and nxt in seen))
        if nxt is None or nxt in seen:
            break
        url = nxt
    return hops


class _Connection(http.client.HTTPSConnection):
    """HTTP(S) to ``host`` over a TCP connection to ``address``."""

    def __init__(
        self,
        host: str,
        port: int,
        address: tuple[str, int],
        context: ssl.SSLContext | None,
        timeout: float,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        self.sock = socket.create_connection(self._address, self.timeout)
        if self._tls is not None:
            self.sock = self._tls.wrap_socket(self.sock, server_hostname=self.host)
