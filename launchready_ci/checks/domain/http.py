"""HTTP as members meet it: one request at a time, redirects followed hop by hop.

Every request goes through the smoke test's client (:func:`~launchready_ci.checks.smoke.
client.send`), so the domain check has its guarantees: one total deadline per request
(connect, TLS, headers and body: a server that trickles a byte at a time cannot stall the
check) and one redirect policy (:func:`~launchready_ci.checks.smoke.client.next_hop`: only
``http`` and ``https`` targets are followed, at most ``MAX_HOPS``, loops stopped).
``--connect-to`` and the check's name server move the TCP connection only
(:mod:`launchready_ci.net`): the URL's host stays the SNI name, the Host header and the
name the certificate must match.

A certificate chain that does not verify because an intermediate is missing (or its CA
is unknown) does not end the request: it is sent again without verifying the chain, as
a browser that fetches the missing intermediate would see the site, and the answer says
so (``chain_broken``). The TLS check reports the chain itself.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

if TYPE_CHECKING:  # httpx is imported when a request is sent, not to list the rules
    from launchready_ci.checks.smoke.client import Request

__all__ = ["DEADLINE", "MAX_HOPS", "Fetcher", "Hop", "Response"]

#: Redirects followed at most, as the smoke test's client (a test checks they agree).
MAX_HOPS = 10

#: The total deadline of one request, as the smoke test's default.
DEADLINE = 10.0
#: Enough of a body for a redirect page or a deep-link JSON file; the rest is not read.
MAX_BODY = 64 * 1024
#: OpenSSL's verify codes for a chain that cannot be built: the issuer of a certificate
#: is not in the bundle (a missing intermediate), or the leaf alone cannot be verified.
CHAIN_CODES = frozenset({2, 20, 21})
_REDIRECTS = {301, 302, 303, 307, 308}

#: host, port -> the address to connect to
Router = Callable[[str, int], tuple[str, int]]


@dataclass(frozen=True)
class Response:
    url: str
    status: int = 0  # 0: no response (see error)
    headers: Mapping[str, str] = field(default_factory=dict)  # lowercased names
    error: str = ""
    #: Set when the certificate chain did not verify and this answer was fetched without
    #: verifying it: what verification said.
    chain_broken: str = ""
    body: bytes = b""

    @property
    def location(self) -> str | None:
        """Where a redirect points (absolute), whatever its scheme."""
        target = self.headers.get("location")
        return urljoin(self.url, target) if target and self.status in _REDIRECTS else None


@dataclass(frozen=True)
class Hop:
    response: Response
    loop: bool = False


class Fetcher:
    """Requests through one router, one set of trusted CAs and one deadline."""

    def __init__(
        self,
        router: Router | None = None,
        *,
        cafile: str | None = None,
        deadline: float = DEADLINE,
        user_agent: str = "launchready-ci",
    ) -> None:
        self.router = router
        self.deadline = deadline
        self.user_agent = user_agent
        self._verified = ssl.create_default_context(cafile=cafile)
        unverified = ssl.create_default_context(cafile=cafile)
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        self._unverified = unverified

    def fetch(
        self, url: str, *, headers: Mapping[str, str] | None = None, method: str = "GET"
    ) -> Response:
        """One request, no redirect followed."""
        import asyncio

        from launchready_ci.checks.smoke.client import Request

        return asyncio.run(self._fetch(Request(method, url, tuple((headers or {}).items()))))

    def follow(self, url: str) -> list[Hop]:
        """Every response from ``url`` to the first one that is not a redirect to follow
        (or a loop, or more than MAX_HOPS redirects)."""
        import asyncio

        return asyncio.run(self._follow(url))

    async def _follow(self, url: str) -> list[Hop]:
        from launchready_ci.checks.smoke.client import Request, next_hop

        hops: list[Hop] = []
        request: Request | None = Request("GET", url)
        seen: set[str] = set()
        while request is not None and len(hops) <= MAX_HOPS:
            response = await self._fetch(request)
            seen.add(request.url)
            request = next_hop(request, response.status, response.headers.get("location"))
            loop = request is not None and request.url in seen
            hops.append(Hop(response, loop=loop))
            if loop:
                break
        return hops

    async def _fetch(self, request: Request) -> Response:
        got = await self._send(request, self._verified)
        fault = got.fault
        if fault is not None and fault.kind == "tls" and fault.verify_code in CHAIN_CODES:
            again = await self._send(request, self._unverified)
            return _response(request.url, again, chain_broken=fault.detail)
        return _response(request.url, got)

    async def _send(self, request: Request, tls: ssl.SSLContext) -> Any:
        import httpx

        from launchready_ci import net
        from launchready_ci.checks.smoke.client import send

        transport = net.Transport(verify=tls, route=self.router)
        async with httpx.AsyncClient(
            verify=tls,
            transport=transport,
            headers={"User-Agent": self.user_agent},
            follow_redirects=False,
            trust_env=False,
        ) as client:
            return await send(
                client, request, follow=False, deadline=self.deadline, max_body=MAX_BODY
            )


def _response(url: str, got: Any, chain_broken: str = "") -> Response:
    fault = got.fault
    if fault is not None and fault.kind != "too-large":  # a long body is not an error here
        return Response(url, error=fault.detail, chain_broken=chain_broken)
    headers = {k.lower(): v for k, v in got.headers.items()}
    return Response(url, got.status, headers, chain_broken=chain_broken, body=got.body)
