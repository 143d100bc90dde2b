"""Email authentication records: SPF (RFC 7208), DKIM keys (RFC 6376) and DMARC (RFC 7489).

These functions read and count; RFC 7208 ``check_host()`` itself is pyspf's
(:func:`spf_verdict`), which ships and passes the RFC 7208 test suite.
SPF is walked term by term through every ``include`` and ``redirect``: the terms that
cost a DNS query (RFC 7208 4.6.4) are counted against the limit of 10, lookups that find
nothing ("void") against the limit of 2, and the domains included anywhere are collected
so the configured senders can be found among them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from launchready_ci.checks.domain.resolver import Resolver

__all__ = ["SENDERS", "DkimKey", "Dmarc", "SpfReport", "dkim_key", "dmarc", "spf"]

#: The SPF include of each sending service people name in launchready.yml.
SENDERS = {
    "postmark": "spf.mtasv.net",
    "sendgrid": "sendgrid.net",
    "ses": "amazonses.com",
    "resend": "amazonses.com",  # Resend sends through SES
    "mailgun": "mailgun.org",
    "google": "_spf.google.com",
    "google-workspace": "_spf.google.com",
    "microsoft": "spf.protection.outlook.com",
    "mailchimp": "servers.mcsv.net",
    "brevo": "spf.brevo.com",
    "zoho": "zoho.com",
}
LOOKUP_LIMIT = 10
VOID_LIMIT = 2
_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
_COSTLY = {"include", "a", "mx", "ptr", "exists"}


@dataclass
class SpfReport:
    domain: str
    records: tuple[str, ...] = ()
    lookups: int = 0
    voids: int = 0
    included: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)  # syntax, missing includes, loops
    failures: list[str] = field(default_factory=list)  # DNS failures met on the way
    all_qualifier: str | None = None  # of the top record: "-", "~", "?", "+"
    redirect: str | None = None


def spf(resolver: Resolver, domain: str) -> SpfReport:
    report = SpfReport(domain)
    txt = resolver.lookup(domain, "TXT")
    if txt.failed:
        report.failures.append(f"TXT {domain} {txt.describe()}")
        return report
    report.records = tuple(r for r in txt.records if _is_spf(r))
    if len(report.records) == 1:
        _walk(resolver, domain, report.records[0], report, top=True, seen={domain})
    return report


def _is_spf(text: str) -> bool:
    return text.lower() == "v=spf1" or text.lower().startswith("v=spf1 ")


def _walk(
    resolver: Resolver, domain: str, record: str, report: SpfReport, *, top: bool, seen: set[str]
) -> None:
    for term in record.split()[1:]:
        name, sep, value = _split(term)
        qualifier = term[0] if term[0] in "+-~?" else "+"
        if sep == "=":  # a modifier
            if name == "redirect":
                report.lookups += 1
                if top:
                    report.redirect = value
                _follow(resolver, value, report, seen, "redirect")
            continue
        if name not in _MECHANISMS:
            report.errors.append(f"{domain}: unknown term {term!r}")
            continue
        if name == "all" and top:
            report.all_qualifier = qualifier
        if name in ("ip4", "ip6") and not value:
            report.errors.append(f"{domain}: {name} needs an address")
        if name not in _COSTLY:
            continue
        report.lookups += 1
        target = value or domain
        if "%" in target:
            continue  # a macro: known only when a message arrives
        if name == "include":
            if not value:
                report.errors.append(f"{domain}: include needs a domain")
                continue
            report.included.add(value.lower())
            _follow(resolver, value, report, seen, "include")
        elif name in ("a", "mx", "exists"):
            rdtype = {"a": "A", "mx": "MX", "exists": "A"}[name]
            found = resolver.lookup(target.split("/")[0], rdtype)
            if found.empty:
                report.voids += 1
            elif found.failed:
                report.failures.append(f"{rdtype} {target} {found.describe()}")


def _follow(resolver: Resolver, target: str, report: SpfReport, seen: set[str], how: str) -> None:
    target = target.lower().rstrip(".")
    if target in seen:
        report.errors.append(f"{how}:{target} loops back to a record already included")
        return
    txt = resolver.lookup(target, "TXT")
    if txt.failed:
        report.failures.append(f"TXT {target} {txt.describe()}")
        return
    records = [r for r in txt.records if _is_spf(r)]
    if not records:
        report.voids += 1
        report.errors.append(f"{how}:{target} has no SPF record (a permanent error)")
        return
    if len(records) > 1:
        report.errors.append(f"{how}:{target} has {len(records)} SPF records")
        return
    _walk(resolver, target, records[0], report, top=False, seen=seen | {target})


def _split(term: str) -> tuple[str, str, str]:
    body = term.lstrip("+-~?")
    for sep in (":", "="):
        name, found, value = body.partition(sep)
        if found and "/" not in name:
            return name.lower(), sep, value
    return body.partition("/")[0].lower(), "", ""


@dataclass(frozen=True)
class DkimKey:
    selector: str
    name: str  # <selector>._domainkey.<domain>
    outcome: str  # ok | missing | failed | revoked | invalid
    key_type: str = ""
    bits: int = 0
    detail: str = ""


def dkim_key(resolver: Resolver, domain: str, selector: str) -> DkimKey:
    import dkim.crypto
    import dkim.util

    name = f"{selector}._domainkey.{domain}"
    txt = resolver.lookup(name, "TXT")
    if txt.empty:
        return DkimKey(selector, name, "missing")
    if txt.failed:
        return DkimKey(selector, name, "failed", detail=txt.describe())
    records = [r for r in txt.records if "p=" in r.replace(" ", "")]
    if len(records) != 1:
        return DkimKey(selector, name, "invalid", detail=f"{len(records)} key records")
    try:
        tags = dkim.util.parse_tag_value(records[0].encode())
    except dkim.util.InvalidTagValueList as exc:
        return DkimKey(selector, name, "invalid", detail=f"not tag=value ({exc})")
    key_type = tags.get(b"k", b"rsa").decode("ascii", "replace").strip().lower()
    raw = b"".join(tags.get(b"p", b"").split())
    if not raw:
        return DkimKey(selector, name, "revoked", key_type, detail="p= is empty")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        return DkimKey(selector, name, "invalid", key_type, detail="p= is not base64")
    if key_type == "ed25519":
        ok = len(key) == 32
        return DkimKey(selector, name, "ok" if ok else "invalid", key_type, 256 if ok else 0)
    if key_type != "rsa":
        return DkimKey(selector, name, "invalid", key_type, detail=f"unknown k={key_type}")
    try:
        parsed = dkim.crypto.parse_public_key(key)
    except Exception as exc:
        return DkimKey(selector, name, "invalid", key_type, detail=type(exc).__name__)
    return DkimKey(selector, name, "ok", key_type, int(parsed["modulus"]).bit_length())


@dataclass(frozen=True)
class Dmarc:
    name: str  # _dmarc.<domain>
    outcome: str  # ok | missing | failed | multiple | invalid
    tags: dict[str, str] = field(default_factory=dict)
    detail: str = ""


_POLICIES = {"none", "quarantine", "reject"}


def dmarc(resolver: Resolver, domain: str) -> Dmarc:
    name = f"_dmarc.{domain}"
    txt = resolver.lookup(name, "TXT")
    if txt.empty:
        return Dmarc(name, "missing")
    if txt.failed:
        return Dmarc(name, "failed", detail=txt.describe())
    records = [r for r in txt.records if r.replace(" ", "").lower().startswith("v=dmarc1")]
    if not records:
        return Dmarc(name, "missing")
    if len(records) > 1:
        return Dmarc(name, "multiple", detail=f"{len(records)} DMARC records")
    tags: dict[str, str] = {}
    for part in records[0].split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            return Dmarc(name, "invalid", detail=f"{part.strip()!r} is not tag=value")
        tags[key.strip().lower()] = value.strip()
    problem = _dmarc_problem(tags)
    return Dmarc(name, "invalid" if problem else "ok", tags, problem)


def _dmarc_problem(tags: dict[str, str]) -> str:
    if tags.get("v") != "DMARC1":
        return "v=DMARC1 must come first"
    if tags.get("p", "").lower() not in _POLICIES:
        return f"p={tags.get('p', '')!r} is not none, quarantine or reject"
    if "sp" in tags and tags["sp"].lower() not in _POLICIES:
        return f"sp={tags['sp']!r} is not none, quarantine or reject"
    for key in ("adkim", "aspf"):
        if key in tags and tags[key].lower() not in ("r", "s"):
            return f"{key}={tags[key]!r} is not r or s"
    pct = tags.get("pct", "100")
    if not pct.isdigit() or int(pct) > 100:
        return f"pct={pct!r} is not 0 to 100"
    for key in ("rua", "ruf"):
        for uri in filter(None, (u.strip() for u in tags.get(key, "").split(","))):
            if not uri.lower().startswith(("mailto:", "https:")):
                return f"{key} {uri!r} is not a mailto: URI"
    return ""


#: An address from TEST-NET-1 (RFC 5737): no SPF record matches it, so evaluation reaches
#: every term, the way a forger's mail does.
UNLISTED_SENDER = "192.0.2.1"


def spf_verdict(resolver: Resolver, domain: str) -> tuple[str, str]:
    """(result, explanation) of RFC 7208 ``check_host()`` for mail from ``domain`` sent by an
    unlisted address, evaluated by pyspf (which passes the RFC 7208 test suite) over this
    resolver: "permerror" means the record is broken for every receiver."""
    import spf as pyspf

    pyspf.DNSLookup = _pyspf_lookup(resolver)  # every query through --nameserver
    try:
        result, _code, explanation = pyspf.query(
            i=UNLISTED_SENDER, s=f"postmaster@{domain}", h=domain
        ).check()
    except Exception as exc:
        return "error", type(exc).__name__
    return str(result), str(explanation)


def _pyspf_lookup(resolver: Resolver) -> object:
    import dns.exception
    import dns.resolver
    import spf as pyspf

    def lookup(
        name: str, qtype: str, tcpfallback: bool = True, timeout: float = 30
    ) -> list[tuple[tuple[str, str], object]]:
        del tcpfallback, timeout  # the resolver's own settings apply
        try:
            answers = resolver.raw().resolve(name, qtype, search=False)
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise pyspf.TempError(f"DNS {type(exc).__name__}") from None
        out: list[tuple[tuple[str, str], object]] = []
        for rdata in answers:
            if qtype in ("A", "AAAA"):
                out.append(((name, qtype), rdata.address))
            elif qtype == "MX":
                out.append(((name, qtype), (rdata.preference, rdata.exchange)))
            elif qtype == "PTR":
                out.append(((name, qtype), rdata.target.to_text(True)))
            elif qtype in ("TXT", "SPF"):
                out.append(((name, qtype), rdata.strings))
        return out

    return lookup
