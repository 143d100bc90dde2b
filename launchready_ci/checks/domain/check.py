"""The domain check: DNS records against the intent in launchready.yml, and email
authentication (SPF, DKIM, DMARC, MX, CAA), every name looked up concurrently.

Hostnames in ``domain.hosts`` are relative to ``domain.apex`` (``@`` is the apex) unless
they end with a dot. Every finding names the hostname as its target and points at the
entry of launchready.yml that states the intent.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from launchready_ci.checks.base import Check, config_location
from launchready_ci.checks.domain import http
from launchready_ci.checks.domain import rules as r
from launchready_ci.checks.domain.email import (
    LOOKUP_LIMIT,
    SENDERS,
    VOID_LIMIT,
    dkim_key,
    dmarc,
    spf,
    spf_verdict,
)
from launchready_ci.checks.domain.resolver import Lookup, Resolver, parse_nameserver
from launchready_ci.checks.domain.tls import (
    ConnectTo,
    TlsResult,
    old_protocol,
    parse_connect_to,
    probe_tls,
    route,
)
from launchready_ci.context import RunContext
from launchready_ci.errors import UsageError
from launchready_ci.findings import Finding, Location, Severity

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
    rules = (
        r.DnsRecordMissing,
        r.DnsRecordMismatch,
        r.DanglingCname,
        r.DnsLookupFailed,
        r.MxMissing,
        r.CaaMissing,
        r.CaaForbidsCa,
        r.SpfMissing,
        r.SpfInvalid,
        r.SpfTooManyLookups,
        r.SpfSenderMissing,
        r.SpfAllTooPermissive,
        r.DkimMissing,
        r.DkimInvalid,
        r.DkimWeakKey,
        r.DmarcMissing,
        r.DmarcInvalid,
        r.DmarcPolicyNone,
        r.DmarcNoReports,
        r.TlsUntrusted,
        r.TlsHostnameMismatch,
        r.TlsExpiry,
        r.TlsConnectionFailed,
        r.TlsOldProtocol,
        r.HttpsRedirectMissing,
        r.RedirectChain,
        r.RedirectDropsPath,
        r.RedirectNotAsDeclared,
        r.HstsWeak,
        r.CacheAuthenticatedShared,
        r.CacheStaticShort,
        r.DeepLinkFileInvalid,
        r.NoRateLimit,
        r.RequestFailed,
    )

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
        router = _router(resolver, routes, nameserver=bool(server))
        web = _Web(routes, bundle, section.get("tls") or {}, router)
        notes: list[str] = []
        hosts = list(section.get("hosts") or ())
        listed = {fqdn(str(h["name"]), apex) for h in hosts}
        for i, host in enumerate(hosts):
            name = fqdn(str(host["name"]), apex)
            at = where(f"domain.hosts[{i}]", name)
            jobs.append((_site, (resolver, web, (name, host), at, notes)))
        for name in (apex, f"www.{apex}"):  # members type both: both must answer
            if name not in listed:
                at = where("domain.apex", name)
                jobs.append((_site, (resolver, web, (name, {}), at, notes)))
        if section.get("canonical"):
            canonical = fqdn(str(section["canonical"]), apex)
            at = where("domain.canonical", canonical)
            jobs.append((_canonical, (apex, canonical, web, at)))
        for i, rule in enumerate(section.get("redirects") or ()):
            at = where(f"domain.redirects[{i}]", str(rule["from"]))
            jobs.append((_redirect_rule, (rule, web, at)))
        for i, spec in enumerate(section.get("routes") or ()):
            at = where(f"domain.routes[{i}]", str(spec["url"]))
            jobs.append((_route, (spec, web, at)))
        if section.get("rate_limit"):
            probe = section["rate_limit"]
            at = where("domain.rate_limit", str(probe["url"]))
            jobs.append((_rate_limit, (probe, web, at)))
        for i, link_host in enumerate(section.get("deep_links") or ()):
            name = fqdn(str(link_host), apex)
            jobs.append((_deep_links, (name, web, where(f"domain.deep_links[{i}]", name))))
        jobs.append((_caa, (resolver, apex, section.get("caa") or (), where("domain", apex))))
        for i, mail in enumerate(section.get("mail") or ()):
            name = fqdn(str(mail.get("domain", "@")), apex)
            at = where(f"domain.mail[{i}]", name)
            jobs.append((_mail, (resolver, _MailDomain(name, apex, mail), at, notes)))
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


def _finding(rule: type[Any], message: str, at: Location) -> Finding:
    return rule.finding(message, at, content=message)  # type: ignore[no-any-return]


def _failed(lookup: Lookup, at: Location) -> Finding:
    return _finding(
        r.DnsLookupFailed,
        f"{lookup.rdtype} lookup of {lookup.name} {lookup.describe()}: not checked",
        at,
    )


# --- hostnames ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Web:
    """How to reach the sites: ``--connect-to``, the trusted CAs, the expiry thresholds."""

    connect_to: tuple[ConnectTo, ...]
    ca_bundle: str | None
    tls: Mapping[str, Any]
    router: http.Router

    def fetch(self, url: str, **kwargs: Any) -> http.Response:
        return http.fetch(url, self.router, cafile=self.ca_bundle, **kwargs)

    def follow(self, url: str) -> list[http.Hop]:
        return http.follow(url, self.router, cafile=self.ca_bundle)


def _site(
    resolver: Resolver, web: _Web, host: tuple[str, Mapping[str, Any]], at: Location,
    notes: list[str],
) -> list[Finding]:  # fmt: skip
    """DNS, then (when the name resolves) TLS on port 443, then (when TLS holds) HTTP."""
    name, intent = host
    out, address = _host(resolver, name, intent, at)
    if address is None or not intent.get("https", True):
        return out
    target = route(web.connect_to, name, 443) or (address, 443)
    result = probe_tls(name, target, cafile=web.ca_bundle)
    out += _tls_findings(result, web.tls, at)
    if result.outcome == "ok":
        days = result.days_left()
        notes.append(f"TLS {name}: {result.version}, {result.issuer}, {days:.0f} days left")
        out += _http(name, web, at, notes)
    return out


def _tls_findings(result: TlsResult, limits: Mapping[str, Any], at: Location) -> list[Finding]:
    name = result.host
    if result.outcome in ("chain", "untrusted", "self-signed"):
        why = {
            "chain": "the server does not send its intermediate certificate (or its CA is "
            "not trusted): apps, curl and webhooks fail",
            "self-signed": "the certificate is self-signed or its root is not trusted",
        }.get(result.outcome, "")
        return [_finding(r.TlsUntrusted, f"TLS on {name}: {result.detail}; {why}".rstrip("; "), at)]
    if result.outcome == "hostname":
        return [_finding(r.TlsHostnameMismatch, f"TLS on {name}: {result.detail}", at)]
    if result.outcome == "expired":
        return [_finding(r.TlsExpiry, f"TLS on {name}: the certificate has expired", at)]
    if result.outcome == "old-protocol":
        return [
            _finding(
                r.TlsOldProtocol,
                f"TLS on {name}: the server offers only TLS 1.1 or older ({result.detail})",
                at,
            )
        ]
    if result.outcome != "ok":
        return [_finding(r.TlsConnectionFailed, f"TLS on {name}: {result.detail}", at)]
    out = []
    days = result.days_left() or 0.0
    warn, error = int(limits.get("warn_days", 21)), int(limits.get("error_days", 7))
    if days < warn:
        when = time.strftime("%a %Y-%m-%d", time.gmtime(result.not_after or 0))
        out.append(
            r.TlsExpiry.finding(
                f"TLS on {name}: the certificate expires in {days:.0f} days ({when})",
                at,
                content=f"{name}:expiry",
                severity=Severity.ERROR if days < error else Severity.WARNING,
            )
        )
    if old_protocol(result.version):
        out.append(_finding(r.TlsOldProtocol, f"TLS on {name}: negotiated {result.version}", at))
    return out


def _host(
    resolver: Resolver, name: str, intent: Mapping[str, Any], at: Location
) -> tuple[list[Finding], str | None]:
    """The DNS findings for a hostname, and an address to connect to (None: none)."""
    want_cname = str(intent.get("cname") or "").lower().rstrip(".")
    alias = resolver.lookup(name, "CNAME")
    if alias.failed:
        return [_failed(alias, at)], None
    if alias.ok:
        target = alias.records[0]
        out = []
        if want_cname and target != want_cname:
            out.append(
                _finding(
                    r.DnsRecordMismatch,
                    f"{name} is a CNAME to {target}, launchready.yml expects {want_cname}",
                    at,
                )
            )
        if intent.get("a") or intent.get("aaaa"):
            out.append(
                _finding(
                    r.DnsRecordMismatch,
                    f"{name} is a CNAME to {target}, launchready.yml expects address records",
                    at,
                )
            )
        v4, v6 = resolver.lookup(target, "A"), resolver.lookup(target, "AAAA")
        if v4.failed and v6.failed:
            out.append(_failed(v4, at))
            return out, None
        if not v4.ok and not v6.ok:
            why = "does not exist" if v4.outcome == "nxdomain" else "has no address"
            out.append(
                _finding(
                    r.DanglingCname,
                    f"{name} is a CNAME to {target}, which {why}: the name is dead, and "
                    "whoever claims that target on its platform can serve it",
                    at,
                )
            )
            return out, None
        return out, _first(v4, v6)
    v4, v6 = resolver.lookup(name, "A"), resolver.lookup(name, "AAAA")
    failed = [x for x in (v4, v6) if x.failed]
    if failed:
        return [_failed(failed[0], at)], None
    if not v4.ok and not v6.ok:
        return [
            _finding(
                r.DnsRecordMissing,
                f"{name} has no A, AAAA or CNAME record"
                + (" (NXDOMAIN)" if v4.outcome == "nxdomain" else ""),
                at,
            )
        ], None
    out = []
    if want_cname:
        out.append(
            _finding(
                r.DnsRecordMismatch,
                f"{name} has address records, launchready.yml expects a CNAME to {want_cname}",
                at,
            )
        )
    for rdtype, lookup in (("a", v4), ("aaaa", v6)):
        expected = {str(x).lower() for x in intent.get(rdtype) or ()}
        actual = set(lookup.records)
        if expected and actual != expected:
            out.append(
                _finding(
                    r.DnsRecordMismatch,
                    f"{name} {rdtype.upper()} is {', '.join(sorted(actual)) or 'absent'}, "
                    f"launchready.yml expects {', '.join(sorted(expected))}",
                    at,
                )
            )
    return out, _first(v4, v6)


def _first(v4: Lookup, v6: Lookup) -> str | None:
    return (v4.records or v6.records or (None,))[0]


# --- CAA -----------------------------------------------------------------------------------


def _caa(resolver: Resolver, apex: str, allowed_cas: Any, at: Location) -> list[Finding]:
    """RFC 8659: the closest CAA RRset, climbing from the apex to its parents (not the
    TLD). A parent's REFUSED or NXDOMAIN counts as no record."""
    name, first = apex, True
    found: Lookup | None = None
    while "." in name:
        lookup = resolver.lookup(name, "CAA")
        if lookup.ok:
            found = lookup
            break
        if lookup.failed and (first or lookup.outcome != "refused"):
            return [_failed(lookup, at)]
        name, first = name.partition(".")[2], False
    if found is None:
        return [
            _finding(
                r.CaaMissing,
                f"no CAA record on {apex} or its parents: any certificate authority may issue "
                "for it",
                at,
            )
        ]
    issuers: set[str] = set()
    for record in found.records:
        parts = record.split(None, 2)
        if len(parts) == 3 and parts[1].lower() in ("issue", "issuewild"):
            issuers.add(parts[2].strip('"').split(";")[0].strip().lower())
    out = []
    for ca in allowed_cas:
        if str(ca).lower() not in issuers:
            out.append(
                _finding(
                    r.CaaForbidsCa,
                    f"CAA on {found.name} allows {', '.join(sorted(issuers - {''})) or 'no one'}"
                    f", not {ca}: its next certificate for {apex} will be refused",
                    at,
                )
            )
    return out


# --- mail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MailDomain:
    domain: str
    apex: str
    intent: Mapping[str, Any]


def _mail(resolver: Resolver, md: _MailDomain, at: Location, notes: list[str]) -> list[Finding]:
    domain, apex, mail = md.domain, md.apex, md.intent
    out: list[Finding] = []
    if mail.get("receives", True):
        mx = resolver.lookup(domain, "MX")
        if mx.failed:
            out.append(_failed(mx, at))
        elif not mx.ok:
            out.append(
                _finding(
                    r.MxMissing,
                    f"{domain} receives mail (launchready.yml) but has no MX record",
                    at,
                )
            )
    out += _spf(resolver, domain, [str(s) for s in mail.get("senders") or ()], at)
    for selector in mail.get("dkim") or ():
        out += _dkim(resolver, domain, str(selector), at, notes)
    out += _dmarc(resolver, domain, apex, at, notes)
    return out


def _spf(resolver: Resolver, domain: str, senders: list[str], at: Location) -> list[Finding]:
    report = spf(resolver, domain)
    out = [_finding(r.DnsLookupFailed, f"SPF of {domain}: {f}", at) for f in report.failures]
    if not report.records:
        if not report.failures:
            out.append(_finding(r.SpfMissing, f"{domain} has no SPF record (v=spf1)", at))
        return out
    if len(report.records) > 1:
        out.append(
            _finding(
                r.SpfInvalid,
                f"{domain} has {len(report.records)} SPF records: receivers treat that as a "
                "permanent error, as if there were none",
                at,
            )
        )
        return out
    for error in report.errors:
        out.append(_finding(r.SpfInvalid, f"SPF of {domain}: {error}", at))
    if report.lookups > LOOKUP_LIMIT or report.voids > VOID_LIMIT:
        out.append(
            _finding(
                r.SpfTooManyLookups,
                f"SPF of {domain} needs {report.lookups} DNS lookups (limit {LOOKUP_LIMIT}) "
                f"and {report.voids} find nothing (limit {VOID_LIMIT}): every message fails "
                "SPF with a permanent error",
                at,
            )
        )
    for sender in senders:
        include = (
            sender.partition(":")[2]
            if sender.startswith("include:")
            else SENDERS.get(sender.lower(), sender)
        )
        if include.lower() not in report.included:
            out.append(
                _finding(
                    r.SpfSenderMissing,
                    f"SPF of {domain} does not include {include} ({sender}): its mail for "
                    f"{domain} fails SPF",
                    at,
                )
            )
    if not any(f.rule_id in (r.SpfInvalid.id, r.SpfTooManyLookups.id) for f in out):
        result, explanation = spf_verdict(resolver, domain)
        if result == "permerror":
            out.append(
                _finding(
                    r.SpfInvalid,
                    f"SPF of {domain} is a permanent error for every receiver: {explanation}",
                    at,
                )
            )
    qualifier = report.all_qualifier
    if qualifier in ("+", "?") or (qualifier is None and report.redirect is None):
        ending = f"{qualifier}all" if qualifier else "no all term"
        out.append(
            _finding(
                r.SpfAllTooPermissive,
                f"SPF of {domain} ends with {ending}: forged mail in its name is not marked; "
                "end with ~all or -all",
                at,
            )
        )
    return out


def _dkim(
    resolver: Resolver, domain: str, selector: str, at: Location, notes: list[str]
) -> list[Finding]:
    key = dkim_key(resolver, domain, selector)
    if key.outcome == "missing":
        return [_finding(r.DkimMissing, f"DKIM selector {selector}: no key at {key.name}", at)]
    if key.outcome == "failed":
        return [_finding(r.DnsLookupFailed, f"DKIM key {key.name} {key.detail}", at)]
    if key.outcome != "ok":
        return [_finding(r.DkimInvalid, f"DKIM key {key.name} is unusable: {key.detail}", at)]
    notes.append(f"DKIM {selector}._domainkey.{domain}: {key.key_type}-{key.bits}")
    if key.key_type == "rsa" and key.bits < 1024:
        return [
            _finding(
                r.DkimInvalid,
                f"DKIM key {key.name} is RSA-{key.bits}: verifiers must reject keys under "
                "1024 bits (RFC 8301)",
                at,
            )
        ]
    if key.key_type == "rsa" and key.bits < 2048:
        return [
            _finding(r.DkimWeakKey, f"DKIM key {key.name} is RSA-{key.bits}, under 2048 bits", at)
        ]
    return []


def _dmarc(
    resolver: Resolver, domain: str, apex: str, at: Location, notes: list[str]
) -> list[Finding]:
    record = dmarc(resolver, domain)
    if record.outcome == "missing" and domain != apex:
        parent = dmarc(resolver, apex)  # the organizational domain's policy applies
        if parent.outcome != "failed":
            record = parent
    if record.outcome == "missing":
        return [_finding(r.DmarcMissing, f"{domain} has no DMARC record at _dmarc.{domain}", at)]
    if record.outcome == "failed":
        return [_finding(r.DnsLookupFailed, f"DMARC {record.name} {record.detail}", at)]
    if record.outcome != "ok":
        return [_finding(r.DmarcInvalid, f"DMARC {record.name}: {record.detail}", at)]
    tags = record.tags
    policy = tags["p"].lower()
    alignment = f"adkim={tags.get('adkim', 'r')}, aspf={tags.get('aspf', 'r')}"
    notes.append(f"DMARC {record.name}: p={policy}, {alignment}")
    out = []
    if policy == "none":
        out.append(
            _finding(
                r.DmarcPolicyNone,
                f"DMARC {record.name} is p=none ({alignment}): forged mail in its name is "
                "delivered; move to p=quarantine, then p=reject, once reports are clean",
                at,
            )
        )
    if not tags.get("rua"):
        out.append(
            _finding(r.DmarcNoReports, f"DMARC {record.name} has no rua: no reports arrive", at)
        )
    return out


# --- HTTP ------------------------------------------------------------------------------------

PROBE = "/launchready-probe/invite?token=lr-probe"
_HASHED = re.compile(r"[.-][0-9a-fA-F]{6,}\.[a-z0-9]+$")
_CDNS = (
    ("cf-ray", "Cloudflare"),
    ("x-vercel-id", "Vercel"),
    ("x-amz-cf-id", "CloudFront"),
    ("x-nf-request-id", "Netlify"),
    ("fly-request-id", "Fly.io"),
    ("x-fastly-request-id", "Fastly"),
)


def _router(resolver: Resolver, routes: tuple[ConnectTo, ...], nameserver: bool) -> http.Router:
    def route_to(host: str, port: int) -> tuple[str, int]:
        mapped = route(routes, host, port)
        if mapped is not None:
            return mapped
        if nameserver:  # staging: the address from the same server as the DNS checks
            v4 = resolver.lookup(host, "A")
            if v4.ok:
                return v4.records[0], port
        return host, port

    return route_to


def _http(name: str, web: _Web, at: Location, notes: list[str]) -> list[Finding]:
    """http:// redirects to https://, redirect chains keep the path, HSTS, the CDN."""
    out: list[Finding] = []
    secure = web.follow(f"https://{name}{PROBE}")
    out += _chain(secure, at)
    head = secure[0].response
    if not head.error:
        out += _hsts(name, head, at)
        cdn = next((label for key, label in _CDNS if key in head.headers), None)
        if cdn is None and "cloudflare" in head.headers.get("server", "").lower():
            cdn = "Cloudflare"
        notes.append(f"HTTPS {name}: {cdn or 'no CDN seen'}")
    plain = web.follow(f"http://{name}{PROBE}")
    first = plain[0].response
    if first.error:
        out.append(
            _finding(
                r.HttpsRedirectMissing,
                f"http://{name}/ does not answer ({first.error}): links typed without https fail",
                at,
            )
        )
    elif not (first.location or "").startswith("https://"):
        out.append(
            _finding(
                r.HttpsRedirectMissing,
                f"http://{name}/ answers {first.status} instead of redirecting to https://",
                at,
            )
        )
    else:
        out += _chain(plain, at)
    return _one_per_rule(out)


def _chain(hops: list[http.Hop], at: Location) -> list[Finding]:
    """Findings for one followed chain: loops, hops through http, lost paths, length."""
    start = hops[0].response.url
    redirects = [h for h in hops if h.response.location]
    trail = " -> ".join([start] + [h.response.location or "" for h in redirects])
    out: list[Finding] = []
    for i, hop in enumerate(redirects):
        source, target = hop.response.url, hop.response.location or ""
        if hop.loop:
            out.append(
                r.RedirectChain.finding(
                    f"redirect loop: {trail}", at, content=f"loop:{start}", severity=Severity.ERROR
                )
            )
        if target.startswith("http://") and (start.startswith("https://") or i > 0):
            out.append(
                r.RedirectChain.finding(
                    f"redirect through plain http: {trail}",
                    at,
                    content=f"http:{start}",
                    severity=Severity.ERROR,
                )
            )
        kept = _path(source)
        if kept != "/" and kept not in unquote(target):
            out.append(
                _finding(
                    r.RedirectDropsPath,
                    f"{source} redirects to {target}: the path and query ({kept}) are lost, "
                    "as an invite or reset link's token would be",
                    at,
                )
            )
    if len(redirects) > 1 and not any(h.loop for h in hops):
        out.append(_finding(r.RedirectChain, f"{len(redirects)} redirects: {trail}", at))
    return out


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _one_per_rule(found: list[Finding]) -> list[Finding]:
    """The first finding of each rule (and severity): the same hop seen from http:// and
    from https:// is one problem."""
    seen: set[tuple[str, str]] = set()
    out = []
    for f in found:
        key = (f.rule_id, str(f.severity.value))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _hsts(name: str, response: http.Response, at: Location) -> list[Finding]:
    header = response.headers.get("strict-transport-security", "")
    if not header:
        return [_finding(r.HstsWeak, f"https://{name}/ sends no Strict-Transport-Security", at)]
    directives = {d.strip().split("=")[0].lower(): d.strip() for d in header.split(";") if d}
    raw = directives.get("max-age", "max-age=0").partition("=")[2].strip('" ')
    age = int(raw) if raw.isdigit() else 0
    if age < 31536000:
        extras = ", ".join(k for k in ("includesubdomains", "preload") if k in directives)
        return [
            _finding(
                r.HstsWeak,
                f"https://{name}/ sends HSTS max-age={age} (under a year)"
                + (f" with {extras}" if extras else ""),
                at,
            )
        ]
    return []


def _redirect_rule(rule: Mapping[str, Any], web: _Web, at: Location) -> list[Finding]:
    source, target = str(rule["from"]), str(rule["to"])
    status = int(rule.get("status", 301))
    hops = web.follow(source)
    first = hops[0].response
    out = [f for f in _chain(hops, at) if f.rule_id != r.RedirectDropsPath.id]
    if first.error:
        return [_finding(r.RedirectNotAsDeclared, f"{source}: {first.error}", at)]
    if first.status != status or (first.location or "") != target:
        got = f"{first.status} {first.location}" if first.location else str(first.status)
        out.append(
            _finding(
                r.RedirectNotAsDeclared,
                f"{source} answers {got}; launchready.yml declares {status} {target}",
                at,
            )
        )
    return out


def _canonical(apex: str, canonical: str, web: _Web, at: Location) -> list[Finding]:
    out = []
    for host in (apex, f"www.{apex}"):
        if host == canonical:
            continue
        hops = web.follow(f"https://{host}{PROBE}")
        last = hops[-1].response
        final = urlsplit(last.url).hostname
        if last.error or final != canonical:
            out.append(
                _finding(
                    r.RedirectNotAsDeclared,
                    f"https://{host}/ ends at {final} ({last.error or last.status}), not at the "
                    f"canonical host {canonical}",
                    at,
                )
            )
    return out


def _route(spec: Mapping[str, Any], web: _Web, at: Location) -> list[Finding]:
    url, kind = str(spec["url"]), str(spec.get("class", "public"))
    headers = {str(k): os.path.expandvars(str(v)) for k, v in (spec.get("headers") or {}).items()}
    response = web.fetch(url, headers=headers)
    if response.error:
        return [_finding(r.RequestFailed, f"{url}: {response.error}", at)]
    control = response.headers.get("cache-control", "").lower()
    directives = {d.strip().split("=")[0] for d in control.split(",") if d.strip()}
    if kind == "authenticated":
        problems = []
        if not directives & {"private", "no-store"}:
            problems.append("no private or no-store")
        problems += [d for d in ("public", "s-maxage") if d in directives]
        if response.headers.get("cf-cache-status", "").upper() == "HIT":
            problems.append("cf-cache-status: HIT")
        if problems:
            return [
                _finding(
                    r.CacheAuthenticatedShared,
                    f"{url} with credentials answers Cache-Control: {control or '(none)'} "
                    f"({', '.join(problems)}): a shared cache may serve it to another member",
                    at,
                )
            ]
    elif kind == "static":
        age = next(
            (int(d.split("=")[1]) for d in control.split(",") if d.strip().startswith("max-age=")
             and d.split("=")[1].strip().isdigit()),
            0,
        )  # fmt: skip
        hashed = bool(_HASHED.search(urlsplit(url).path))
        if age < 30 * 86400 or (hashed and "immutable" not in directives):
            return [
                _finding(
                    r.CacheStaticShort,
                    f"{url} answers Cache-Control: {control or '(none)'}; a "
                    + ("hashed " if hashed else "")
                    + "static file can be max-age=31536000"
                    + (", immutable" if hashed else ""),
                    at,
                )
            ]
    return []


def _deep_links(host: str, web: _Web, at: Location) -> list[Finding]:
    out = []
    for path in ("/.well-known/apple-app-site-association", "/.well-known/assetlinks.json"):
        url = f"https://{host}{path}"
        response = web.fetch(url)
        kind = response.headers.get("content-type", "")
        if response.error or response.status != 200 or "json" not in kind.lower():
            got = response.error or (
                f"{response.status} to {response.location}"
                if response.location
                else f"{response.status} {kind or 'without a content type'}"
            )
            out.append(
                _finding(
                    r.DeepLinkFileInvalid,
                    f"{url} answers {got}; apps need 200, no redirect, application/json",
                    at,
                )
            )
    return out


def _rate_limit(probe: Mapping[str, Any], web: _Web, at: Location) -> list[Finding]:
    """Up to ``requests`` requests spread evenly over ``seconds``; stop at the first 429."""
    url, method = str(probe["url"]), str(probe.get("method", "POST")).upper()
    count, seconds = int(probe.get("requests", 30)), float(probe.get("seconds", 10))
    gap = seconds / max(count, 1)
    statuses: list[int] = []
    started = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, started + i * gap - time.monotonic()))
        response = web.fetch(url, method=method)
        if response.error:
            return [_finding(r.RequestFailed, f"rate-limit probe {url}: {response.error}", at)]
        statuses.append(response.status)
        if response.status == 429:
            return []
    seen = ", ".join(f"{s} × {statuses.count(s)}" for s in sorted(set(statuses)))
    return [
        _finding(
            r.NoRateLimit,
            f"{count} {method} {url} in {seconds:g} s never got 429 (answers: {seen}): "
            "nothing stops password guessing or reset-mail floods",
            at,
        )
    ]
