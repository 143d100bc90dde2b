"""The domain check: the live domain against the intent of the ``domain:`` section, every
name looked up and every site fetched concurrently.

One module per area holds its rules and the detection behind them: :mod:`.dns` (records,
dangling CNAMEs, CAA), :mod:`.email` (MX, SPF, DKIM, DMARC), :mod:`.tls` (the chain, the
name, expiry, the protocol) and :mod:`.web` (redirects, HSTS, caching, deep links, rate
limits). This module runs them: DNS first, TLS where the name resolves, HTTP where TLS
holds.

Hostnames in ``domain.hosts`` are relative to ``domain.apex`` (``@`` is the apex) unless
they end with a dot. Every finding names the hostname as its target and points at the
entry of launchready.yml that states the intent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from launchready_ci.checks.base import Check, config_location
from launchready_ci.checks.domain import dns, email, tls, web
from launchready_ci.checks.domain.resolver import Resolver, parse_nameserver
from launchready_ci.checks.domain.tls import ConnectTo, parse_connect_to
from launchready_ci.context import RunContext
from launchready_ci.errors import UsageError
from launchready_ci.findings import Finding, Location

__all__ = ["DomainCheck", "fqdn"]

#: Lookups in flight at once.
CONCURRENCY = 16


def fqdn(name: str, apex: str) -> str:
    name = name.strip().lower()
    if name in ("@", "", apex):
        return apex
    if name.endswith("."):
        return name.rstrip(".")
    return name if name.endswith("." + apex) else f"{name}.{apex}"


class DomainCheck(Check):
    """``launchready domain check``. Not in CHECKS: it queries the network."""

    id = "domain"
    title = "Domain: DNS, TLS, HTTP and email"
    config_key = "domain"
    needs_config = True
    enable_snippet = "domain:\n  apex: example.com\n  hosts: [{name: '@'}, {name: www}]\n"
    rules = (*dns.RULES, *email.RULES, *tls.RULES, *web.RULES)

    def __init__(
        self,
        nameserver: str | None = None,
        connect_to: tuple[ConnectTo, ...] = (),
        ca_bundle: str | None = None,
    ) -> None:
        self.nameserver = nameserver
        self.connect_to = connect_to
        self.ca_bundle = ca_bundle

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        server = self.nameserver or section.get("nameserver")
        resolver = Resolver(parse_nameserver(server) if server else None)
        apex = str(section["apex"]).lower().rstrip(".")
        where = _Where(ctx)
        jobs: list[tuple[Callable[..., list[Finding]], tuple[Any, ...]]] = []
        routes = self.connect_to or tuple(
            parse_connect_to(str(x)) for x in section.get("connect_to") or ()
        )
        bundle = self.ca_bundle
        if bundle is None and section.get("ca_bundle"):
            bundle = str(ctx.root / str(section["ca_bundle"]))
            if not os.path.isfile(bundle):
                raise UsageError(f"domain.ca_bundle: {section['ca_bundle']} is not a file")
        router = web.router(resolver, routes, nameserver=bool(server))
        reach = web.Web(routes, bundle, section.get("tls") or {}, router)
        notes: list[str] = []
        hosts = list(section.get("hosts") or ())
        listed = {fqdn(str(h["name"]), apex) for h in hosts}
        for i, host in enumerate(hosts):
            name = fqdn(str(host["name"]), apex)
            at = where(f"domain.hosts[{i}]", name)
            jobs.append((_site, (resolver, reach, (name, host), at, notes)))
        for name in (apex, f"www.{apex}"):  # members type both: both must answer
            if name not in listed:
                at = where("domain.apex", name)
                jobs.append((_site, (resolver, reach, (name, {}), at, notes)))
        if section.get("canonical"):
            canonical = fqdn(str(section["canonical"]), apex)
            at = where("domain.canonical", canonical)
            jobs.append((web.canonical, (apex, canonical, reach, at)))
        for i, rule in enumerate(section.get("redirects") or ()):
            at = where(f"domain.redirects[{i}]", str(rule["from"]))
            jobs.append((web.redirect_rule, (rule, reach, at)))
        for i, spec in enumerate(section.get("routes") or ()):
            at = where(f"domain.routes[{i}]", str(spec["url"]))
            jobs.append((web.cache_route, (spec, reach, at)))
        if section.get("rate_limit"):
            probe = section["rate_limit"]
            at = where("domain.rate_limit", str(probe["url"]))
            jobs.append((web.rate_limit, (probe, reach, at)))
        for i, link_host in enumerate(section.get("deep_links") or ()):
            name = fqdn(str(link_host), apex)
            jobs.append((web.deep_links, (name, reach, where(f"domain.deep_links[{i}]", name))))
        jobs.append((dns.caa, (resolver, apex, section.get("caa") or (), where("domain", apex))))
        for i, mail in enumerate(section.get("mail") or ()):
            name = fqdn(str(mail.get("domain", "@")), apex)
            at = where(f"domain.mail[{i}]", name)
            jobs.append((email.mail, (resolver, email.MailDomain(name, apex, mail), at, notes)))
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            for found in pool.map(lambda job: job[0](*job[1]), jobs):
                yield from found
        via = f" via {server}" if server else ""
        counted = len(listed | {apex, f"www.{apex}"})
        mails = len(section.get("mail") or ())
        self.scope = "; ".join(
            [f"{counted} hostnames and {mails} mail domains of {apex}{via}", *sorted(set(notes))]
        )


class _Where:
    """The launchready.yml entry behind a finding, with the hostname as its target."""

    def __init__(self, ctx: RunContext) -> None:
        self.config = ctx.config

    def __call__(self, key: str, target: str) -> Location:
        return config_location(self.config, key, target, "hostname", fallback="domain")


def _site(
    resolver: Resolver, reach: web.Web, host: tuple[str, Mapping[str, Any]], at: Location,
    notes: list[str],
) -> list[Finding]:  # fmt: skip
    """DNS, then (when the name resolves) TLS on port 443, then (when TLS holds) HTTP."""
    name, intent = host
    out, address = dns.host_records(resolver, name, intent, at)
    if address is None or not intent.get("https", True):
        return out
    target = tls.route(reach.connect_to, name, 443) or (address, 443)
    result = tls.probe_tls(name, target, cafile=reach.ca_bundle)
    out += tls.tls_findings(result, reach.tls, at)
    if result.outcome == "ok":
        days = result.days_left()
        notes.append(f"TLS {name}: {result.version}, {result.issuer}, {days:.0f} days left")
        out += web.site_http(name, reach, at, notes)
    return out
