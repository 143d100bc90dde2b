"""Email authentication: MX where mail is received, SPF (RFC 7208), DKIM keys (RFC 6376)
and DMARC (RFC 7489); the records read and counted, and the rules that judge them.

These functions read and count; RFC 7208 ``check_host()`` itself is pyspf's
(:func:`spf_verdict`), which ships and passes the RFC 7208 test suite.
SPF is walked term by term through every ``include`` and ``redirect``: the terms that
cost a DNS query (RFC 7208 4.6.4) are counted against the limit of 10, lookups that find
nothing ("void") against the limit of 2, and the domains included anywhere are collected
so the configured senders can be found among them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from launchready_ci.checks.domain.dns import DnsLookupFailed, failed, finding
from launchready_ci.checks.domain.resolver import Resolver
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "SENDERS",
    "DkimInvalid",
    "DkimKey",
    "DkimMissing",
    "DkimWeakKey",
    "Dmarc",
    "DmarcInvalid",
    "DmarcMissing",
    "DmarcNoReports",
    "DmarcPolicyNone",
    "MailDomain",
    "MxMissing",
    "SpfAllTooPermissive",
    "SpfInvalid",
    "SpfMissing",
    "SpfReport",
    "SpfSenderMissing",
    "SpfTooManyLookups",
    "dkim_key",
    "dmarc",
    "mail",
    "spf",
]


@register
class MxMissing(Rule):
    """A mail domain that should receive mail has no MX record.

    Why
    ---
    Replies to invites, support mail and bounces addressed to the domain go nowhere (or
    to the apex's A record, which no mail server listens on). Some receivers also judge
    a sender domain that cannot receive as suspect.

    Remediation
    -----------
    Add the MX records your mail provider gives (for example Google Workspace's
    `smtp.google.com`), or set `receives: false` for a sending-only domain.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc5321#section-5.1
    """

    id = "domain/mx-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class SpfMissing(Rule):
    """A mail domain has no SPF record.

    Why
    ---
    Receivers cannot tell your sending service from a forger. Gmail and Yahoo require
    SPF or DKIM, and DMARC alignment, from bulk senders since 2024: password-reset and
    invite mail lands in spam or is rejected.

    Remediation
    -----------
    Publish one TXT record such as `v=spf1 include:spf.mtasv.net ~all`, with an
    `include:` per sending service, ending in `~all` or `-all`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7208
    """

    id = "domain/spf-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class SpfInvalid(Rule):
    """The SPF record is broken: more than one, bad syntax, an include without SPF, or a loop.

    Why
    ---
    Any of these is a permanent error (RFC 7208 4.5, 5.2): receivers treat the domain as
    having no usable SPF at all, and DMARC then rests on DKIM alone.

    How it is checked: the record is evaluated with pyspf, the RFC 7208 implementation
    that ships and passes the RFC 7208 test suite, for a sending address that no record
    lists (so every term is reached, as for a forger's mail), through the same name
    server as the other checks. launchready does not evaluate SPF itself; its own walk
    over the includes only counts lookups and finds the senders. checkdmarc covers SPF
    and DMARC too, but cannot query a name server on another port (staging zones, the
    tests' server) and brings many more dependencies.

    Remediation
    -----------
    Keep exactly one `v=spf1` TXT record; merge two into one. Fix unknown terms and
    includes of domains that publish no SPF record.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7208#section-4.5
    """

    id = "domain/spf-invalid"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class SpfTooManyLookups(Rule):
    """The SPF record needs more than 10 DNS lookups, or more than 2 that find nothing.

    Why
    ---
    RFC 7208 4.6.4 caps the terms that cost a DNS query (`include`, `a`, `mx`, `ptr`,
    `exists`, `redirect`) at 10 across every nested include, and lookups that return
    nothing at 2. Past either limit the result is a permanent error: every message fails
    SPF. Each sending service added is an include, so the limit is usually crossed the
    week a newsletter tool is added before launch.

    Remediation
    -----------
    Remove includes of services you no longer send with, replace `a`/`mx` with `ip4`/
    `ip6`, or send bulk mail from a subdomain with its own SPF record.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4
    """

    id = "domain/spf-too-many-lookups"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class SpfSenderMissing(Rule):
    """A sending service named in launchready.yml is not included in the domain's SPF record.

    Why
    ---
    Mail that service sends for the domain fails SPF; unless its DKIM signature aligns,
    DMARC fails too, and the password-reset mail goes to spam.

    Remediation
    -----------
    Add the service's include (for example `include:spf.mtasv.net` for Postmark,
    `include:_spf.google.com` for Google Workspace) before the `all` term.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7208#section-5.2
    """

    id = "domain/spf-sender-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class SpfAllTooPermissive(Rule):
    """The SPF record ends in `+all` or `?all`, or has no `all`: it vouches for anyone.

    Why
    ---
    `+all` passes mail from every server on the internet; `?all` and a missing `all`
    (neutral) say nothing, so forged mail in your name is not marked.

    Remediation
    -----------
    End the record with `~all` (soft fail, while you check every sender) and move to
    `-all` once DMARC reports show only your services.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7208#section-5.1
    """

    id = "domain/spf-all-too-permissive"
    severity = Severity.WARNING
    confidence = Confidence.HIGH


@register
class DkimMissing(Rule):
    """A DKIM selector named in launchready.yml has no key record.

    Why
    ---
    Mail signed with that selector fails DKIM: receivers cannot verify it, and DMARC
    must rely on SPF alone (which forwarding breaks).

    Remediation
    -----------
    Publish the TXT (or CNAME) record your mail service shows for the selector, at
    `<selector>._domainkey.<domain>`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6376#section-3.6.2
    """

    id = "domain/dkim-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DkimInvalid(Rule):
    """A DKIM key record is unusable: no key, a revoked (empty) one, bad base64, a bad type.

    Why
    ---
    Every signature made with the selector fails verification, as if the mail were
    forged. The record's tags and the RSA key are read with dkimpy, the DKIM library
    that mail servers' milters use, rather than with a hand-written ASN.1 reader.

    Remediation
    -----------
    Copy the record again from the mail service (TXT strings longer than 255 characters
    must be split into several quoted strings, not cut), or remove the selector from
    launchready.yml if it was retired on purpose.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1
    """

    id = "domain/dkim-invalid"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DkimWeakKey(Rule):
    """A DKIM RSA key is shorter than 2048 bits.

    Why
    ---
    RFC 8301 requires verifiers to reject keys under 1024 bits; 1024-bit keys are
    factorable by a well-funded attacker and some receivers already treat them as weak.

    Remediation
    -----------
    Rotate to a 2048-bit key: publish a new selector, switch signing to it, then remove
    the old record.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8301#section-3.2
    """

    id = "domain/dkim-weak-key"
    severity = Severity.WARNING
    confidence = Confidence.HIGH


@register
class DmarcMissing(Rule):
    """A mail domain has no DMARC record.

    Why
    ---
    Gmail and Yahoo require a DMARC record from bulk senders; without one, receivers
    have no policy for forged mail in your name and you get no reports about it.

    Remediation
    -----------
    Publish `_dmarc.<domain> TXT "v=DMARC1; p=none; rua=mailto:dmarc@<domain>"`, read the
    reports for a few weeks, then move to `p=quarantine` and `p=reject`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7489#section-6.3
    """

    id = "domain/dmarc-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DmarcInvalid(Rule):
    """The DMARC record does not parse (RFC 7489), or there is more than one.

    Why
    ---
    Receivers ignore a DMARC record they cannot parse, and with several they apply none:
    the domain is treated as having no policy.

    Remediation
    -----------
    Keep one record starting `v=DMARC1;` with `p=none|quarantine|reject` and valid
    optional tags (`rua=mailto:...`, `adkim=r|s`, `aspf=r|s`, `pct=0..100`).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7489#section-6.4
    """

    id = "domain/dmarc-invalid"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DmarcPolicyNone(Rule):
    """DMARC is `p=none`: forged mail in the domain's name is still delivered.

    Why
    ---
    `p=none` only asks for reports. It is the right first step, but left in place it
    protects no one: a phishing mail "from" your domain to your members is delivered.

    Remediation
    -----------
    Once the aggregate reports show every legitimate sender passing, move to
    `p=quarantine` (optionally with `pct=`), then `p=reject`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7489#section-6.3
    """

    id = "domain/dmarc-policy-none"
    severity = Severity.WARNING
    confidence = Confidence.HIGH


@register
class DmarcNoReports(Rule):
    """The DMARC record has no `rua`: nobody receives the aggregate reports.

    Why
    ---
    Without reports you cannot see which services send as you, whether they pass, or
    who forges your domain, so you cannot safely tighten the policy.

    Remediation
    -----------
    Add `rua=mailto:dmarc@<domain>` (or a report service's address).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7489#section-7.2
    """

    id = "domain/dmarc-no-reports"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH


# Bad and good snippets for the rule pages: zone-file lines (and, where the intent
# matters, the launchready.yml entry), as a DNS provider's export shows them.
_EXAMPLES: dict[type[Rule], tuple[str, str]] = {
    MxMissing: ("; receives: true, no MX", "@ MX 1 smtp.google.com."),
    SpfMissing: ("; no v=spf1 TXT record", '@ TXT "v=spf1 include:spf.mtasv.net ~all"'),
    SpfInvalid: (
        '@ TXT "v=spf1 include:spf.mtasv.net ~all"\n@ TXT "v=spf1 include:sendgrid.net ~all"',
        '@ TXT "v=spf1 include:spf.mtasv.net include:sendgrid.net ~all"',
    ),
    SpfTooManyLookups: (
        '@ TXT "v=spf1 include:a.example include:b.example mx a ... ~all"  ; 11 lookups',
        '@ TXT "v=spf1 include:spf.mtasv.net ip4:203.0.113.0/24 ~all"',
    ),
    SpfSenderMissing: (
        '# senders: [postmark, google]\n@ TXT "v=spf1 include:_spf.google.com ~all"',
        '@ TXT "v=spf1 include:_spf.google.com include:spf.mtasv.net ~all"',
    ),
    SpfAllTooPermissive: ('@ TXT "v=spf1 include:spf.mtasv.net +all"', '@ TXT "v=spf1 ... -all"'),
    DkimMissing: (
        "; dkim: [pm], no pm._domainkey record",
        'pm._domainkey TXT "v=DKIM1; p=MIIB..."',
    ),
    DkimInvalid: (
        's1._domainkey TXT "v=DKIM1; k=rsa; p="',
        's1._domainkey TXT "v=DKIM1; p=MIIB..."',
    ),
    DkimWeakKey: (
        'pm._domainkey TXT "v=DKIM1; p=MIGfMA0G..."  ; RSA-1024',
        'pm._domainkey TXT "v=DKIM1; p=MIIBIjAN..."  ; RSA-2048',
    ),
    DmarcMissing: ("; no _dmarc record", '_dmarc TXT "v=DMARC1; p=none; rua=mailto:d@example.com"'),
    DmarcInvalid: ('_dmarc TXT "v=DMARC1; p=maybe"', '_dmarc TXT "v=DMARC1; p=quarantine"'),
    DmarcPolicyNone: ('_dmarc TXT "v=DMARC1; p=none"', '_dmarc TXT "v=DMARC1; p=reject"'),
    DmarcNoReports: (
        '_dmarc TXT "v=DMARC1; p=reject"',
        '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"',
    ),
}
for _rule, (_bad, _good) in _EXAMPLES.items():
    _rule.examples = {"bad": (_bad,), "good": (_good,)}


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (
    MxMissing,
    SpfMissing,
    SpfInvalid,
    SpfTooManyLookups,
    SpfSenderMissing,
    SpfAllTooPermissive,
    DkimMissing,
    DkimInvalid,
    DkimWeakKey,
    DmarcMissing,
    DmarcInvalid,
    DmarcPolicyNone,
    DmarcNoReports,
)


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
    if not records:
        return DkimKey(selector, name, "invalid", detail="no key (p= missing)")
    if len(records) > 1:
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


# --- judging a mail domain --------------------------------------------------------------


@dataclass(frozen=True)
class MailDomain:
    domain: str
    apex: str
    intent: Mapping[str, Any]


def mail(
    resolver: Resolver,
    md: MailDomain,
    at: Location,
    notes: list[str],
    listed: tuple[str, ...] = (),
) -> list[Finding]:
    """MX, SPF, DKIM and DMARC of one mail domain; ``listed`` are all the mail domains
    checked, so that a DMARC policy several of them inherit is reported once."""
    domain, apex, mail = md.domain, md.apex, md.intent
    out: list[Finding] = []
    if mail.get("receives", True):
        mx = resolver.lookup(domain, "MX")
        if mx.failed:
            out.append(failed(mx, at))
        elif not mx.ok:
            out.append(
                finding(
                    MxMissing,
                    f"{domain} receives mail (launchready.yml) but has no MX record",
                    at,
                )
            )
    out += _spf(resolver, domain, [str(s) for s in mail.get("senders") or ()], at)
    for selector in mail.get("dkim") or ():
        out += _dkim(resolver, domain, str(selector), at, notes)
    out += _dmarc(resolver, domain, apex, at, notes, listed=listed)
    return out


def _spf(resolver: Resolver, domain: str, senders: list[str], at: Location) -> list[Finding]:
    report = spf(resolver, domain)
    out = [finding(DnsLookupFailed, f"SPF of {domain}: {f}", at) for f in report.failures]
    if not report.records:
        if not report.failures:
            out.append(finding(SpfMissing, f"{domain} has no SPF record (v=spf1)", at))
        return out
    if len(report.records) > 1:
        out.append(
            finding(
                SpfInvalid,
                f"{domain} has {len(report.records)} SPF records: receivers treat that as a "
                "permanent error, as if there were none",
                at,
            )
        )
        return out
    for error in report.errors:
        out.append(finding(SpfInvalid, f"SPF of {domain}: {error}", at))
    if report.lookups > LOOKUP_LIMIT or report.voids > VOID_LIMIT:
        out.append(
            finding(
                SpfTooManyLookups,
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
                finding(
                    SpfSenderMissing,
                    f"SPF of {domain} does not include {include} ({sender}): its mail for "
                    f"{domain} fails SPF",
                    at,
                )
            )
    if not any(f.rule_id in (SpfInvalid.id, SpfTooManyLookups.id) for f in out):
        result, explanation = spf_verdict(resolver, domain)
        if result == "permerror":
            out.append(
                finding(
                    SpfInvalid,
                    f"SPF of {domain} is a permanent error for every receiver: {explanation}",
                    at,
                )
            )
    qualifier = report.all_qualifier
    if qualifier in ("+", "?") or (qualifier is None and report.redirect is None):
        ending = f"{qualifier}all" if qualifier else "no all term"
        out.append(
            finding(
                SpfAllTooPermissive,
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
        return [finding(DkimMissing, f"DKIM selector {selector}: no key at {key.name}", at)]
    if key.outcome == "failed":
        return [finding(DnsLookupFailed, f"DKIM key {key.name} {key.detail}", at)]
    if key.outcome != "ok":
        return [finding(DkimInvalid, f"DKIM key {key.name} is unusable: {key.detail}", at)]
    notes.append(f"DKIM {selector}._domainkey.{domain}: {key.key_type}-{key.bits}")
    if key.key_type == "rsa" and key.bits < 1024:
        return [
            finding(
                DkimInvalid,
                f"DKIM key {key.name} is RSA-{key.bits}: verifiers must reject keys under "
                "1024 bits (RFC 8301)",
                at,
            )
        ]
    if key.key_type == "rsa" and key.bits < 2048:
        return [finding(DkimWeakKey, f"DKIM key {key.name} is RSA-{key.bits}, under 2048 bits", at)]
    return []


def _dmarc(
    resolver: Resolver,
    domain: str,
    apex: str,
    at: Location,
    notes: list[str],
    *,
    listed: tuple[str, ...] = (),
) -> list[Finding]:
    """The DMARC policy that applies to ``domain``. A subdomain without a record of its
    own inherits the organizational domain's (``sp=``, else ``p=``): when the apex is
    checked too, its findings say which subdomains inherit them, and the subdomain says
    only what differs; otherwise the subdomain reports it once, saying it inherits."""
    record = dmarc(resolver, domain)
    inherited = False
    if record.outcome == "missing" and domain != apex:
        parent = dmarc(resolver, apex)  # the organizational domain's policy applies
        if parent.outcome != "failed":
            record, inherited = parent, parent.outcome != "missing"
    if record.outcome == "missing":
        return [finding(DmarcMissing, f"{domain} has no DMARC record at _dmarc.{domain}", at)]
    if record.outcome == "failed":
        return [finding(DnsLookupFailed, f"DMARC {record.name} {record.detail}", at)]
    heirs = _heirs(resolver, apex, listed) if domain == apex else []
    also = f"; {_names(heirs)} inherit{'s' if len(heirs) == 1 else ''} it" if heirs else ""
    if inherited:
        notes.append(f"DMARC {domain}: inherits {record.name}")
        if apex in listed:  # reported there, with this subdomain named
            return _inherited_policy(record, domain, at)
        what = f"{domain} has no DMARC record of its own and inherits {record.name}"
    else:
        what = f"DMARC {record.name}"
    if record.outcome != "ok":
        return [finding(DmarcInvalid, f"{what}: {record.detail}{also}", at)]
    tags = record.tags
    policy = tags["p"].lower()
    if inherited:
        policy = tags.get("sp", policy).lower()
    alignment = f"adkim={tags.get('adkim', 'r')}, aspf={tags.get('aspf', 'r')}"
    if not inherited:
        notes.append(f"DMARC {record.name}: p={policy}, {alignment}")
    out = []
    if policy == "none":
        key = "sp" if inherited and "sp" in tags else "p"
        out.append(
            finding(
                DmarcPolicyNone,
                f"{what} is {key}=none ({alignment}): forged mail in its name is "
                f"delivered; move to quarantine, then reject, once reports are clean{also}",
                at,
            )
        )
    if not tags.get("rua"):
        out.append(finding(DmarcNoReports, f"{what} has no rua: no reports arrive{also}", at))
    return out


def _inherited_policy(record: Dmarc, domain: str, at: Location) -> list[Finding]:
    """What a subdomain's inherited policy adds to the apex's findings: only an ``sp=``
    of none under a stricter ``p=`` (the apex's own findings cover the rest)."""
    tags = record.tags
    if record.outcome != "ok" or "sp" not in tags:
        return []
    if tags["sp"].lower() == "none" and tags.get("p", "").lower() != "none":
        return [
            finding(
                DmarcPolicyNone,
                f"{domain} has no DMARC record of its own and inherits sp=none from "
                f"{record.name}: forged mail from its subdomains is delivered",
                at,
            )
        ]
    return []


def _heirs(resolver: Resolver, apex: str, listed: tuple[str, ...]) -> list[str]:
    """The listed subdomains without a DMARC record of their own."""
    return [d for d in listed if d != apex and dmarc(resolver, d).outcome == "missing"]


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
