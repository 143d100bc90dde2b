"""DNS lookups that never raise: every answer, and every failure, is a :class:`Lookup`.

``nameserver`` ("HOST[:PORT]", an IP or a name) sends every query to that server, for
staging zones and the tests' authoritative server on loopback; without it the system's
resolver answers. A SERVFAIL, a REFUSED or a timeout is an outcome to report, never an
exception: a check that meets one says so and goes on with the rest.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Lookup", "Resolver", "parse_nameserver"]

#: Outcomes: "ok" (records), "nxdomain" (the name does not exist), "nodata" (it exists,
#: without records of the type), "servfail", "refused", "timeout", "error".
NO_RECORD = frozenset({"nxdomain", "nodata"})


@dataclass(frozen=True)
class Lookup:
    name: str
    rdtype: str
    outcome: str
    records: tuple[str, ...] = ()  # each rdata as text (TXT strings joined)
    cname: str | None = None  # where the name pointed, when it is an alias
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def empty(self) -> bool:
        """No record of the type: NXDOMAIN or NODATA."""
        return self.outcome in NO_RECORD

    @property
    def failed(self) -> bool:
        return not self.ok and not self.empty

    def describe(self) -> str:
        return {
            "nxdomain": "does not exist (NXDOMAIN)",
            "nodata": f"has no {self.rdtype} record",
            "servfail": "answered SERVFAIL",
            "refused": "was REFUSED by the name server",
            "timeout": "timed out",
        }.get(self.outcome, self.detail or self.outcome)


def parse_nameserver(text: str) -> tuple[str, int]:
    """``HOST[:PORT]`` or ``[IPv6]:PORT`` -> (address, port); names are resolved once."""
    from launchready_ci.errors import UsageError

    host, port = text.strip(), 53
    if host.startswith("["):
        inside, _, rest = host[1:].partition("]")
        host = inside
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif host.count(":") == 1:
        host, _, raw = host.partition(":")
        port = _port(raw, text)
    if not host:
        raise UsageError(f"nameserver {text!r}: give HOST[:PORT]")
    try:
        address = socket.getaddrinfo(host, port, proto=socket.IPPROTO_UDP)[0][4][0]
    except OSError:
        raise UsageError(f"nameserver {text!r}: {host} does not resolve") from None
    return str(address), port


def _port(raw: str, text: str) -> int:
    from launchready_ci.errors import UsageError

    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UsageError(f"nameserver {text!r}: the port must be a number from 1 to 65535")
    return int(raw)


@dataclass
class Resolver:
    nameserver: tuple[str, int] | None = None
    timeout: float = 3.0
    _resolver: Any = field(default=None, init=False, repr=False)
    _cache: dict[tuple[str, str], Lookup] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        import dns.resolver

        if self.nameserver is None:
            resolver = dns.resolver.Resolver()
        else:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [self.nameserver[0]]
            resolver.port = self.nameserver[1]
        resolver.timeout = resolver.lifetime = self.timeout
        resolver.retry_servfail = False
        self._resolver = resolver

    def raw(self) -> Any:
        """The dnspython resolver itself (for libraries that query on their own)."""
        return self._resolver

    def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (name.lower().rstrip("."), rdtype)
        if key not in self._cache:  # a benign race under threads: both compute the same
            self._cache[key] = self._lookup(*key)
        return self._cache[key]

    def _lookup(self, name: str, rdtype: str) -> Lookup:
        import dns.exception
        import dns.resolver

        try:
            answer = self._resolver.resolve(name + ".", rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            return Lookup(name, rdtype, "nxdomain")
        except dns.resolver.NoAnswer:
            return Lookup(name, rdtype, "nodata")
        except dns.resolver.NoNameservers as exc:
            return Lookup(name, rdtype, _rcode(exc), detail=_rcode(exc))
        except dns.exception.Timeout:
            return Lookup(name, rdtype, "timeout")
        except dns.exception.DNSException as exc:
            return Lookup(name, rdtype, "error", detail=type(exc).__name__)
        records = tuple(_text(rdata) for rdata in answer)
        canonical = str(answer.canonical_name).rstrip(".").lower()
        alias = canonical if canonical != name else None
        return Lookup(name, rdtype, "ok", records, alias)


def _text(rdata: Any) -> str:
    strings = getattr(rdata, "strings", None)
    if strings is not None:  # TXT: the strings of one record are one value (RFC 7208 3.3)
        return b"".join(strings).decode("utf-8", "replace")
    return str(rdata.to_text()).rstrip(".").lower()


def _rcode(exc: Exception) -> str:
    """SERVFAIL or REFUSED from dnspython's list of what each server said."""
    for error in getattr(exc, "kwargs", {}).get("errors", ()) or ():
        text = str(error[-1]) + " " + str(error[3] if len(error) > 3 else "")
        if "REFUSED" in text:
            return "refused"
        if "SERVFAIL" in text:
            return "servfail"
    return "servfail"
