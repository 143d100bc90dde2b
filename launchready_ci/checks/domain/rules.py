"""The rules of the domain check: DNS records against intent, and email authentication."""

from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "CaaForbidsCa",
    "CaaMissing",
    "DanglingCname",
    "DkimInvalid",
    "DkimMissing",
    "DkimWeakKey",
    "DmarcInvalid",
    "DmarcMissing",
    "DmarcNoReports",
    "DmarcPolicyNone",
    "DnsLookupFailed",
    "DnsRecordMismatch",
    "DnsRecordMissing",
    "MxMissing",
    "SpfAllTooPermissive",
    "SpfInvalid",
    "SpfMissing",
    "SpfSenderMissing",
    "SpfTooManyLookups",
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
    MxMissing: ("; receives: true, no MX", "@ MX 1 smtp.google.com."),
    CaaMissing: ("; no CAA on the domain or its parents", '@ CAA 0 issue "letsencrypt.org"'),
    CaaForbidsCa: (
        '# caa: [letsencrypt.org]\n@ CAA 0 issue "sectigo.com"',
        '@ CAA 0 issue "letsencrypt.org"',
    ),
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


@register
class TlsUntrusted(Rule):
    """A hostname's certificate chain does not verify: a missing intermediate or an unknown CA.

    Why
    ---
    Desktop browsers sometimes fetch a missing intermediate themselves, so the site looks
    fine to the team; Android apps, curl, payment webhooks and many API clients do not,
    and fail with "unable to get local issuer certificate". A self-signed or unknown-CA
    certificate fails everywhere.

    Remediation
    -----------
    Serve the full chain (nginx `ssl_certificate` with `fullchain.pem`, not `cert.pem`);
    use a certificate from a public CA. Check with
    `openssl s_client -connect host:443 -servername host -showcerts`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2
    """

    id = "domain/tls-untrusted"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ssl_certificate /etc/letsencrypt/live/example.com/cert.pem;",),
        "good": ("ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;",),
    }


@register
class TlsHostnameMismatch(Rule):
    """A hostname's certificate is for other names.

    Why
    ---
    Every client refuses the connection: the hostname was added to DNS (or moved to a
    new host) without a certificate that names it, often `www` or `api`.

    Remediation
    -----------
    Issue a certificate that lists the hostname (or a wildcard for it), and add the name
    to the platform's domain settings so it issues one.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6125#section-6
    """

    id = "domain/tls-hostname-mismatch"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("api.example.com -> certificate for www.example.com",),
        "good": ("api.example.com -> certificate for api.example.com",),
    }


@register
class TlsExpiry(Rule):
    """A hostname's certificate has expired, or expires soon (under 21 days; under 7 an error).

    Why
    ---
    Automatic renewal fails silently more often than anyone expects (a CAA record, a
    moved DNS zone, an HTTP-01 challenge blocked by a redirect), and certificates expire
    on their own schedule, weekends included. After that every client refuses the site.

    Remediation
    -----------
    Renew now and find why renewal did not happen (`certbot renew --dry-run`, the
    platform's domain page). The thresholds are `domain.tls.warn_days` and
    `domain.tls.error_days`.

    References
    ----------
    - https://letsencrypt.org/docs/integration-guide/#when-to-renew
    """

    id = "domain/tls-expiry"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ("notAfter in 5 days",), "good": ("notAfter in 60 days, renewed at 30",)}


@register
class TlsConnectionFailed(Rule):
    """No TLS session could be set up with a hostname: refused, timed out, or a failed handshake.

    Why
    ---
    Members get a connection error. The port is closed, a firewall drops it, or the
    server offers no protocol or cipher a current client accepts.

    Remediation
    -----------
    Check that the host listens on 443 and that TLS 1.2 or 1.3 is enabled.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8996
    """

    id = "domain/tls-connection-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {"bad": ("connect to host:443: refused",), "good": ("TLSv1.3 session",)}


@register
class TlsOldProtocol(Rule):
    """A hostname negotiates TLS 1.1 or older.

    Why
    ---
    TLS 1.0 and 1.1 are deprecated (RFC 8996): current browsers and mobile platforms
    refuse them, and payment providers require TLS 1.2 or newer.

    Remediation
    -----------
    Enable TLS 1.2 and 1.3 only (nginx `ssl_protocols TLSv1.2 TLSv1.3;`).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8996
    """

    id = "domain/tls-old-protocol"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ssl_protocols TLSv1 TLSv1.1 TLSv1.2;",),
        "good": ("ssl_protocols TLSv1.2 TLSv1.3;",),
    }


@register
class HttpsRedirectMissing(Rule):
    """A hostname answers plain HTTP without redirecting to HTTPS.

    Why
    ---
    Links typed or pasted without `https://` open an unencrypted page: a login form or an
    invite token sent in clear over café Wi-Fi, and browsers mark the site "Not secure".

    Remediation
    -----------
    Answer every `http://` request with `301` (or `308`) to the same path and query on
    `https://`, in one hop, and add HSTS so browsers stop asking over HTTP.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4.2
    """

    id = "domain/https-redirect-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("http://example.com/ -> 200",),
        "good": ("http://example.com/ -> 301 https://example.com/",),
    }


@register
class RedirectChain(Rule):
    """A redirect chain is long, loops, or passes through plain HTTP.

    Why
    ---
    Each hop costs a round trip on a phone network before the page starts; a loop is an
    error page ("too many redirects"); a hop through `http://` sends the URL, invite
    token included, in clear and defeats HSTS on the first visit.

    Remediation
    -----------
    Redirect straight to the final `https://` URL of the canonical host, in one hop.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4
    """

    id = "domain/redirect-chain"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("http://a/ -> https://a/ -> https://www.a/ -> https://www.a/home",),
        "good": ("http://a/x -> https://www.a/x",),
    }


@register
class RedirectDropsPath(Rule):
    """A redirect loses the path or the query string of the URL it redirects.

    Why
    ---
    Invite links, password-reset links and magic sign-in links carry their token in the
    path or the query. A redirect to the home page (or one that keeps the path but drops
    `?token=`) breaks every one of them, silently: the member lands on the home page and
    the invite is lost.

    Remediation
    -----------
    Redirect to the same path and query on the new host: nginx
    `return 301 https://www.example.com$request_uri;`, not `return 301 https://www.example.com;`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-10.2.2
    """

    id = "domain/redirect-drops-path"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("return 302 https://www.example.com/;",),
        "good": ("return 301 https://www.example.com$request_uri;",),
    }


@register
class RedirectNotAsDeclared(Rule):
    """A redirect in launchready.yml (or the canonical host) is not what the site does.

    Why
    ---
    The redirect map is the contract: old marketing URLs, the apex-to-www move, renamed
    pages. A redirect that goes elsewhere, with another status, or not at all sends
    members and search engines to the wrong page (a 302 where a 301 was meant also keeps
    the old URL in search results).

    Remediation
    -----------
    Make the server answer as declared, or correct `domain.redirects` / `domain.canonical`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4.2
    """

    id = "domain/redirect-not-as-declared"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("# {from: /old-pricing, to: /pricing, status: 301}\n/old-pricing -> 302 /",),
        "good": ("/old-pricing -> 301 /pricing",),
    }


@register
class HstsWeak(Rule):
    """An HTTPS hostname sends no HSTS header, or one with max-age under a year.

    Why
    ---
    Without HSTS the first request of every visit may go over plain HTTP, where it can be
    intercepted or downgraded. A short max-age lapses between visits. `includeSubDomains`
    and `preload` are reported too: preload lists need both and a year.

    Remediation
    -----------
    Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS
    response (after checking every subdomain serves HTTPS), and consider preload.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6797#section-6.1
    - https://hstspreload.org/#deployment-recommendations
    """

    id = "domain/hsts-weak"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("Strict-Transport-Security: max-age=300",),
        "good": ("Strict-Transport-Security: max-age=63072000; includeSubDomains; preload",),
    }


@register
class CacheAuthenticatedShared(Rule):
    """An authenticated page may be stored by a shared cache (CDN, proxy) and shown to others.

    Why
    ---
    When a CDN caches `/feed` or `/account` as requested with one member's cookie, the
    next visitor is served that member's page: their name, messages and billing. The
    response must say `Cache-Control: private` or `no-store`, and never `public` or
    `s-maxage`; a `cf-cache-status: HIT` proves a cache already holds it.

    Remediation
    -----------
    Send `Cache-Control: private, no-store` on every response that depends on the
    session, and bypass the CDN cache for requests with the session cookie.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.7
    - https://developers.cloudflare.com/cache/concepts/default-cache-behavior/
    """

    id = "domain/cache-authenticated-shared"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("GET /feed (Cookie: session=...) -> Cache-Control: public, max-age=300",),
        "good": ("GET /feed (Cookie: session=...) -> Cache-Control: private, no-store",),
    }


@register
class CacheStaticShort(Rule):
    """A static asset is not cacheable for long (or, with a hashed name, not `immutable`).

    Why
    ---
    Every page view refetches or revalidates the JavaScript and CSS: slower first paint
    on phones and more load on the origin on launch day. Hashed file names never change
    content, so they can be cached for a year and marked `immutable`.

    Remediation
    -----------
    Serve hashed assets with `Cache-Control: public, max-age=31536000, immutable`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8246
    """

    id = "domain/cache-static-short"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH
    examples = {
        "bad": ("/_next/static/chunks/main-3f9a2c.js -> Cache-Control: max-age=60",),
        "good": ("... -> Cache-Control: public, max-age=31536000, immutable",),
    }


@register
class DeepLinkFileInvalid(Rule):
    """An app deep-link file is missing, redirected or not served as JSON.

    Why
    ---
    iOS fetches `/.well-known/apple-app-site-association` and Android
    `/.well-known/assetlinks.json` from each deep-link host, without following
    redirects, and expect JSON. If either fails, invite and sign-in links open the
    browser instead of the app, and magic links stop working in the app.

    Remediation
    -----------
    Serve both files with status 200, no redirect (exempt `/.well-known/` from the
    www/https redirects), and `Content-Type: application/json`.

    References
    ----------
    - https://developer.apple.com/documentation/xcode/supporting-associated-domains
    - https://developer.android.com/training/app-links/verify-android-applinks
    """

    id = "domain/deep-link-file-invalid"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("/.well-known/assetlinks.json -> 301 /assetlinks.json",),
        "good": ("/.well-known/assetlinks.json -> 200 application/json",),
    }


@register
class NoRateLimit(Rule):
    """The rate-limit probe sent its burst to a configured route and never got a 429.

    Why
    ---
    A login, sign-up, password-reset or invite endpoint without a rate limit lets anyone
    try passwords by the thousand, spam your members with reset mail (your sender
    reputation pays), or burn your email and SMS budget in an afternoon.

    Remediation
    -----------
    Limit the route at the edge or in the app (Cloudflare rate limiting rules, nginx
    `limit_req` with `limit_req_status 429`, a middleware), per IP and per account, and
    answer `429 Too Many Requests` with `Retry-After`. The probe is bounded: it sends
    `requests` requests spread over `seconds` and stops at the first 429.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6585#section-4
    - https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html
    """

    id = "domain/no-rate-limit"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("30 POST /login in 10 s -> 30 × 401",),
        "good": ("30 POST /login in 10 s -> 401 × 5, then 429",),
    }


@register
class RequestFailed(Rule):
    """A URL in launchready.yml (a route, the rate-limit probe) could not be fetched at all.

    Why
    ---
    The check it was listed for could not run: the host refused or dropped the
    connection, TLS failed, or no answer came in time. If members can reach it, the
    runner cannot, and the result says nothing about caching or rate limits.

    Remediation
    -----------
    Fix the URL in launchready.yml, or the reason it does not answer (the message says
    which); under `--connect-to`, check the rule points at the right address.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15
    """

    id = "domain/request-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("GET https://app.example.com/feed -> connection refused",),
        "good": ("GET https://app.example.com/feed -> 200",),
    }
