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
import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from launchready_ci.checks.base import Check, config_location
from launchready_ci.checks.domain import dns, email, http, tls, web
from launchready_ci.checks.domain.http import DEADLINE
from launchready_ci.checks.domain.resolver import Resolver, parse_nameserver
from launchready_ci.checks.domain.tls import ConnectTo, parse_connect_to
from launchready_ci.checks.smoke.spec import parse_duration
from launchready_ci.config.model import Config
from launchready_ci.context import RunContext
from launchready_ci.errors import ConfigError, ConfigProblem, UsageError
from launchready_ci.findings import Finding, Location
from launchready_ci.redaction import shown_url

__all__ = ["DomainCheck", "fqdn", "header_problems"]

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
        probes: tuple[str, ...] = (),
    ) -> None:
        self.nameserver = nameserver
        self.connect_to = connect_to
        self.ca_bundle = ca_bundle
        self.probes = probes  # --probe URL (or path), beside domain.probes

    def files_read(self, ctx: RunContext) -> set[str] | None:
        return {ctx.config.path} if ctx.config.path else set()

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        problems = header_problems(ctx.config, section, ctx.environ)
        if problems:
            raise ConfigError(problems)
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
        deadline = parse_duration(section.get("timeout", DEADLINE))
        reach = web.Web.create(
            resolver, routes, bundle, nameserver=bool(server), tls=section.get("tls") or {},
            deadline=deadline,
        )  # fmt: skip
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
        links = self._web_jobs(
            jobs, section, apex=apex, listed=listed, reach=reach, where=where, notes=notes
        )
        jobs.append((dns.caa, (resolver, apex, section.get("caa") or (), where("domain", apex))))
        mails = [
            email.MailDomain(fqdn(str(mail.get("domain", "@")), apex), apex, mail)
            for mail in section.get("mail") or ()
        ]
        listed_mail = tuple(m.domain for m in mails)
        for i, md in enumerate(mails):
            at = where(f"domain.mail[{i}]", md.domain)
            jobs.append((email.mail, (resolver, md, at, notes, listed_mail)))
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            for found in pool.map(lambda job: job[0](*job[1]), jobs):
                yield from found
        via = f" via {server}" if server else ""
        counted = len(listed | {apex, f"www.{apex}"})
        probed = f", {len(links)} link(s) followed" if links else ""
        self.scope = "; ".join(
            [f"{counted} hostnames and {len(mails)} mail domains of {apex}{via}{probed}",
             *_notes(notes)]
        )  # fmt: skip

    def _web_jobs(
        self,
        jobs: list[tuple[Callable[..., list[Finding]], tuple[Any, ...]]],
        section: Mapping[str, Any],
        *,
        apex: str,
        listed: set[str],
        reach: web.Web,
        where: _Where,
        notes: list[str],
    ) -> list[web.Link]:
        """Adds the jobs beyond each host's own: the canonical host, declared redirects,
        links to follow, caching routes, the rate-limit probe, deep-link files. Returns
        the links."""
        canonical = fqdn(str(section["canonical"]), apex) if section.get("canonical") else None
        if canonical:
            at = where("domain.canonical", canonical)
            jobs.append((web.canonical, (apex, canonical, reach, at)))
        for i, rule in enumerate(section.get("redirects") or ()):
            at = where(f"domain.redirects[{i}]", str(rule["from"]))
            jobs.append((web.redirect_rule, (rule, reach, at)))
        home = frozenset({apex, f"www.{apex}", *listed, *([canonical] if canonical else [])})
        links = [
            web.link(raw, f"domain.probes[{i}]", apex, canonical or apex)
            for i, raw in enumerate(section.get("probes") or ())
        ] + [web.link(url, "domain", apex, canonical or apex) for url in self.probes]
        for item in links:
            at = where(item.key, shown_url(item.url))
            jobs.append((web.probe, (item, reach, at, home)))
        for i, spec in enumerate(section.get("routes") or ()):
            at = where(f"domain.routes[{i}]", str(spec["url"]))
            jobs.append((web.cache_route, (spec, reach, at, notes)))
        if section.get("rate_limit"):
            probe = section["rate_limit"]
            at = where("domain.rate_limit", str(probe["url"]))
            jobs.append((web.rate_limit, (probe, reach, at)))
        for i, link_host in enumerate(section.get("deep_links") or ()):
            name = fqdn(str(link_host), apex)
            jobs.append((web.deep_links, (name, reach, where(f"domain.deep_links[{i}]", name))))
        return links


#: A note that a host's TLS or HTTP checks did not run, and why (see :func:`_notes`).
SKIPPED = "skipped "


def _notes(notes: list[str]) -> list[str]:
    """The scope's notes: each once, sorted; "no CDN seen" only for a host where no
    answer named one; one line listing every host whose TLS or HTTP was not checked."""
    named = {n.rpartition(":")[0] for n in notes if n.startswith("HTTPS ") and web.NO_CDN not in n}
    kept = sorted(
        {
            n
            for n in notes
            if not n.startswith(SKIPPED)
            and not (n.endswith(web.NO_CDN) and n.rpartition(":")[0] in named)
        }
    )
    skipped = sorted({n[len(SKIPPED) :] for n in notes if n.startswith(SKIPPED)})
    if skipped:
        kept.append("not checked: " + ", ".join(skipped))
    return kept


_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def header_problems(
    config: Config, section: Mapping[str, Any], environ: Mapping[str, str]
) -> list[ConfigProblem]:
    """Every ``$VAR`` in a route's headers that is not set: sent literally, a session
    cookie ``$LR_SESSION`` would test a signed-out page and call it fine."""
    out = []
    for i, spec in enumerate(section.get("routes") or ()):
        for header, value in (spec.get("headers") or {}).items():
            for match in _VAR.finditer(str(value)):
                name = match.group(1) or match.group(2)
                if name not in environ:
                    key = f"domain.routes[{i}].headers.{header}"
                    pos = config.position(key) or config.position(f"domain.routes[{i}]")
                    out.append(
                        ConfigProblem(
                            pos.path if pos else (config.path or "launchready.yml"),
                            pos.line if pos else None,
                            pos.column if pos else None,
                            key,
                            f"${name} is not set: the header would be sent with the text "
                            f"${name} in it",
                            f"set {name} in the job's env: (from a secret), or remove the header",
                        )
                    )
    return out


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
    """DNS, then TLS on port 443 where the name resolves (or where a ``--connect-to`` rule
    naming the host routes it: the edge is ready before the DNS cut-over), then HTTP
    where TLS holds, or where only the chain is broken (see :mod:`.http`)."""
    name, intent = host
    out, address = dns.host_records(resolver, name, intent, at)
    if not intent.get("https", True):
        notes.append(f"{SKIPPED}{name} (https: false)")
        return out
    target = tls.route(reach.connect_to, name, 443)
    if address is None:
        named = tuple(rule for rule in reach.connect_to if rule.host)
        target = tls.route(named, name, 443)
        why = _dns_problem(out)
        if target is None:
            hint = (
                "; a --connect-to rule naming it would check its edge" if reach.connect_to else ""
            )
            notes.append(f"{SKIPPED}{name} (TLS and HTTP: {why}{hint})")
            return out
        notes.append(
            f"{name}: {why}; TLS and HTTP checked at {target[0]}:{target[1]} (--connect-to)"
        )
    deadline = min(5.0, reach.fetcher.deadline)  # a handshake is quick or it is broken
    result = tls.probe_tls(
        name, target or (str(address), 443), cafile=reach.ca_bundle, timeout=deadline
    )
    out += tls.tls_findings(result, reach.tls, at)
    if result.outcome == "ok":
        days = result.days_left()
        notes.append(f"TLS {name}: {result.version}, {result.issuer}, {days:.0f} days left")
    elif result.verify_code in http.CHAIN_CODES:
        notes.append(f"TLS {name}: the chain does not verify; HTTP checked without verifying it")
    else:
        notes.append(f"{SKIPPED}{name} (HTTP: {_TLS_PROBLEM.get(result.outcome, 'TLS failed')})")
        return out
    out += web.site_http(name, reach, at, notes)
    return out


#: Why HTTP was not checked after a TLS outcome.
_TLS_PROBLEM = {
    "hostname": "its certificate is for other names",
    "expired": "its certificate has expired",
    "self-signed": "its certificate is self-signed",
    "untrusted": "its certificate is not trusted",
    "old-protocol": "it offers TLS 1.1 or older only",
    "refused": "port 443 refused",
    "timeout": "no TLS in time",
    "unreachable": "unreachable",
    "handshake": "the TLS handshake failed",
}


def _dns_problem(found: list[Finding]) -> str:
    """Why a host has no address, from its DNS findings."""
    rules = {f.rule_id for f in found}
    if dns.DanglingCname.id in rules:
        return "its CNAME dangles"
    if dns.DnsLookupFailed.id in rules:
        return "its DNS lookup failed"
    return "no address record"
