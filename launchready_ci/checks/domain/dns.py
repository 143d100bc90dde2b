"""DNS: every hostname's records against the intent in launchready.yml (address records,
CNAMEs and the names they point at), and CAA. Its rules, and the helpers every area uses
to report a lookup that failed.

Hostnames in ``domain.hosts`` are relative to ``domain.apex`` (``@`` is the apex) unless
they end with a dot. Every finding names the hostname as its target and points at the
entry of launchready.yml that states the intent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from launchready_ci.checks.domain.resolver import Lookup, Resolver
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "CaaForbidsCa",
    "CaaMissing",
    "DanglingCname",
    "DnsLookupFailed",
    "DnsRecordMismatch",
    "DnsRecordMissing",
    "caa",
    "failed",
    "finding",
    "host_records",
]


@register
class DnsRecordMissing(Rule):
    """A hostname in launchready.yml has no address record (A, AAAA or CNAME).

    Why
    ---
    A member who types the name, or follows an invite link to it, gets "server not
    found". The classic case is an apex that answers while `www` does not (or the
    reverse): half of the links in emails and ads lead nowhere, so the apex and `www`
    are always checked, listed in `domain.hosts` or not.

    Remediation
    -----------
    Add the record at the DNS provider: an `A`/`AAAA` to the host's address, or a
    `CNAME` (an `ALIAS`/`ANAME` or flattened CNAME at the apex) to the platform's
    hostname, then redirect the name that is not canonical to the one that is.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc1034#section-3.6
    """

    id = "domain/dns-record-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DnsRecordMismatch(Rule):
    """A hostname's A, AAAA or CNAME record differs from what launchready.yml says it should be.

    Why
    ---
    A record left pointing at the old host, the staging load balancer or a previous
    provider sends members somewhere the release is not: an old version, a parked page,
    or a certificate error.

    Remediation
    -----------
    Point the record where launchready.yml says, or update launchready.yml if the move
    was intended, so that the next change is checked against the truth.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc1035#section-3.3
    """

    id = "domain/dns-record-mismatch"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DanglingCname(Rule):
    """A CNAME points at a name that does not exist: the hostname is dead, and open to takeover.

    Why
    ---
    The target was a platform app or bucket that was deleted (`old-app.herokuapp.com`,
    `site.netlify.app`, an S3 bucket). Members get an error, and anyone who creates an
    app with the same name on that platform serves their content, and reads cookies, on
    your hostname.

    Remediation
    -----------
    Delete the CNAME, or point it at the live target. Remove DNS records in the same
    change that deletes the app they point to.

    References
    ----------
    - https://developer.mozilla.org/en-US/docs/Web/Security/Subdomain_takeovers
    """

    id = "domain/dangling-cname"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


@register
class DnsLookupFailed(Rule):
    """A DNS query failed (SERVFAIL, REFUSED or a timeout), so this part could not be checked.

    Why
    ---
    A resolver that gets SERVFAIL for the zone tells members' browsers and mail servers
    that the name cannot be resolved right now: broken DNSSEC, a lame delegation or a
    name server that is down. The check reports it rather than guess.

    Remediation
    -----------
    Query the zone's name servers directly (`dig @ns1.provider.example name TYPE`) and
    fix the delegation or the DNSSEC chain. With `--nameserver`, make sure that server is
    authoritative for, or can resolve, the names in launchready.yml.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1
    """

    id = "domain/dns-lookup-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM


@register
class CaaMissing(Rule):
    """No CAA record on the domain or its parents: any certificate authority may issue for it.

    Why
    ---
    CAA (RFC 8659) lists the authorities allowed to issue certificates for the domain.
    Without it, a mis-issuance by any of the hundreds of trusted CAs is possible; with
    it, only the one you use (Let's Encrypt, Google Trust Services...) may issue.

    Remediation
    -----------
    Add `CAA 0 issue "letsencrypt.org"` (and one per authority you use) at the apex, and
    list them under `domain.caa` in launchready.yml.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8659
    """

    id = "domain/caa-missing"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH


@register
class CaaForbidsCa(Rule):
    """The domain's CAA records forbid a certificate authority that launchready.yml lists.

    Why
    ---
    The next renewal by that authority fails: it must refuse to issue when CAA does not
    name it. The certificate then expires on its own schedule, often on a weekend.

    Remediation
    -----------
    Add `CAA 0 issue "<authority's domain>"` for each authority in use, or correct
    `domain.caa` in launchready.yml.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8659#section-4.2
    """

    id = "domain/caa-forbids-ca"
    severity = Severity.ERROR
    confidence = Confidence.HIGH


# Bad and good snippets for the rule pages: zone-file lines (and, where the intent
# matters, the launchready.yml entry), as a DNS provider's export shows them.
_EXAMPLES: dict[type[Rule], tuple[str, str]] = {
    DnsRecordMissing: ("; www has no record\n@ A 203.0.113.10", "@ A 203.0.113.10\nwww CNAME @"),
    DnsRecordMismatch: (
        "# launchready.yml: {name: app, a: [203.0.113.11]}\napp A 203.0.113.99",
        "app A 203.0.113.11",
    ),
    DanglingCname: (
        "old CNAME deleted-app.herokuapp.com.  ; NXDOMAIN",
        "; the CNAME removed with the app",
    ),
    DnsLookupFailed: ("status.example.com. -> SERVFAIL", "status.example.com. -> NOERROR"),
    CaaMissing: ("; no CAA on the domain or its parents", '@ CAA 0 issue "letsencrypt.org"'),
    CaaForbidsCa: (
        '# caa: [letsencrypt.org]\n@ CAA 0 issue "sectigo.com"',
        '@ CAA 0 issue "letsencrypt.org"',
    ),
}
for _rule, (_bad, _good) in _EXAMPLES.items():
    _rule.examples = {"bad": (_bad,), "good": (_good,)}


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (
    DnsRecordMissing,
    DnsRecordMismatch,
    DanglingCname,
    DnsLookupFailed,
    CaaMissing,
    CaaForbidsCa,
)


def finding(rule: type[Any], message: str, at: Location) -> Finding:
    """A finding whose message is its content (what tells two of them apart)."""
    return rule.finding(message, at, content=message)  # type: ignore[no-any-return]


def failed(lookup: Lookup, at: Location) -> Finding:
    """A lookup that failed: what it could not check."""
    return finding(
        DnsLookupFailed,
        f"{lookup.rdtype} lookup of {lookup.name} {lookup.describe()}: not checked",
        at,
    )


def host_records(
    resolver: Resolver, name: str, intent: Mapping[str, Any], at: Location
) -> tuple[list[Finding], str | None]:
    """The DNS findings for a hostname, and an address to connect to (None: none)."""
    want_cname = str(intent.get("cname") or "").lower().rstrip(".")
    alias = resolver.lookup(name, "CNAME")
    if alias.failed:
        return [failed(alias, at)], None
    if alias.ok:
        target = alias.records[0]
        out = []
        if want_cname and target != want_cname:
            out.append(
                finding(
                    DnsRecordMismatch,
                    f"{name} is a CNAME to {target}, launchready.yml expects {want_cname}",
                    at,
                )
            )
        if intent.get("a") or intent.get("aaaa"):
            out.append(
                finding(
                    DnsRecordMismatch,
                    f"{name} is a CNAME to {target}, launchready.yml expects address records",
                    at,
                )
            )
        v4, v6 = resolver.lookup(target, "A"), resolver.lookup(target, "AAAA")
        if v4.failed and v6.failed:
            out.append(failed(v4, at))
            return out, None
        if not v4.ok and not v6.ok:
            why = "does not exist" if v4.outcome == "nxdomain" else "has no address"
            out.append(
                finding(
                    DanglingCname,
                    f"{name} is a CNAME to {target}, which {why}: the name is dead, and "
                    "whoever claims that target on its platform can serve it",
                    at,
                )
            )
            return out, None
        return out, _first(v4, v6)
    v4, v6 = resolver.lookup(name, "A"), resolver.lookup(name, "AAAA")
    broken = [x for x in (v4, v6) if x.failed]
    if broken:
        return [failed(broken[0], at)], None
    if not v4.ok and not v6.ok:
        return [
            finding(
                DnsRecordMissing,
                f"{name} has no A, AAAA or CNAME record"
                + (" (NXDOMAIN)" if v4.outcome == "nxdomain" else ""),
                at,
            )
        ], None
    out = []
    if want_cname:
        out.append(
            finding(
                DnsRecordMismatch,
                f"{name} has address records, launchready.yml expects a CNAME to {want_cname}",
                at,
            )
        )
    for rdtype, lookup in (("a", v4), ("aaaa", v6)):
        expected = {str(x).lower() for x in intent.get(rdtype) or ()}
        actual = set(lookup.records)
        if expected and actual != expected:
            out.append(
                finding(
                    DnsRecordMismatch,
                    f"{name} {rdtype.upper()} is {', '.join(sorted(actual)) or 'absent'}, "
                    f"launchready.yml expects {', '.join(sorted(expected))}",
                    at,
                )
            )
    return out, _first(v4, v6)


def _first(v4: Lookup, v6: Lookup) -> str | None:
    return (v4.records or v6.records or (None,))[0]


def caa(resolver: Resolver, apex: str, allowed_cas: Any, at: Location) -> list[Finding]:
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
            return [failed(lookup, at)]
        name, first = name.partition(".")[2], False
    if found is None:
        return [
            finding(
                CaaMissing,
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
                finding(
                    CaaForbidsCa,
                    f"CAA on {found.name} allows {', '.join(sorted(issuers - {''})) or 'no one'}"
                    f", not {ca}: its next certificate for {apex} will be refused",
                    at,
                )
            )
    return out
