"""Authentication of one message as a receiving provider judges it: the DKIM signatures
verified against live DNS (dkimpy, through the domain check's resolver and so its
``--nameserver``), the signing domain's alignment with the From domain (DMARC, relaxed
or strict as the domain's DMARC record says), SPF for the real sender when the inbox saw
the SMTP session (pyspf), else the receiving provider's ``Authentication-Results``
(authres), and the DMARC result that follows. Its rules, and the detection behind them.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Any

from launchready_ci.checks.domain.email import dmarc as dmarc_record
from launchready_ci.checks.domain.resolver import Resolver
from launchready_ci.checks.email.message import Message, domain_of
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "Auth",
    "DkimFailed",
    "DkimNotAligned",
    "DmarcFailed",
    "Signature",
    "SpfFailed",
    "aligned",
    "authenticate",
    "organizational_domain",
]


@register
class DkimFailed(Rule):
    """An email has no DKIM signature, or none that verifies against the key in DNS.

    Why
    ---
    Gmail and Yahoo require every sender to sign (DKIM or SPF, and bulk senders both)
    since 2024; a signature that does not verify counts as none. A body changed after
    signing (a footer added by a relay, a template engine that rewrites line endings)
    breaks the body hash; a selector whose key was removed or never published breaks
    every message. Without a valid aligned signature DMARC rests on SPF alone, which a
    forward breaks.

    Remediation
    -----------
    The message says which signature failed and why (body hash, signature, key). Sign
    last, after every change to the body; publish the key the sending service gives at
    `<selector>._domainkey.<domain>` (`launchready domain check` verifies it).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6376#section-6.1
    - https://support.google.com/a/answer/81126
    """

    id = "email/dkim-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("d=clubhouse.test s=pm: body hash mismatch",),
        "good": ("d=clubhouse.test s=pm: pass",),
    }


@register
class DkimNotAligned(Rule):
    """An email's DKIM signature verifies, but for a domain that does not align with From.

    Why
    ---
    DMARC counts a signature only when its `d=` domain aligns with the From domain: the
    same organizational domain (relaxed, `adkim=r`, the default) or exactly the same
    domain (strict, `adkim=s`). A sending service that signs with its own domain
    (`d=sendgrid.net`) proves nothing about yours, so DMARC passes only while SPF
    aligns, and fails at the first forward.

    Remediation
    -----------
    Set up the sending service's domain authentication ("custom DKIM", "domain
    verification") so it signs with `d=` your domain, and publish the CNAME or TXT
    records it gives.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7489#section-3.1.1
    """

    id = "email/dkim-not-aligned"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("From: hello@clubhouse.test; DKIM d=esp.test (pass, not aligned)",),
        "good": ("From: hello@clubhouse.test; DKIM d=clubhouse.test (pass, aligned)",),
    }


@register
class SpfFailed(Rule):
    """SPF does not pass for the server that delivered an email.

    Why
    ---
    When the sending address's domain does not list the server, receivers treat the
    mail as possibly forged: `fail` and `softfail` push it to spam, and DMARC then
    needs an aligned DKIM signature. It is the usual state right after moving to a new
    sending service before its include is added.

    How it is known: when the inbox saw the SMTP session (the sink, MailDev), SPF is
    evaluated with pyspf for the connecting address and the envelope sender through the
    same name server as the DKIM check; otherwise the receiving provider's
    `Authentication-Results` header says what it found.

    Remediation
    -----------
    Add the sending service's `include:` to the SPF record of the envelope sender's
    domain (often a bounce subdomain the service asks you to point at it).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7208#section-2.6
    - https://www.rfc-editor.org/rfc/rfc8601
    """

    id = "email/spf-failed"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("spf=softfail smtp.mailfrom=bounce@clubhouse.test (203.0.113.7 not listed)",),
        "good": ("spf=pass smtp.mailfrom=bounce@clubhouse.test",),
    }


@register
class DmarcFailed(Rule):
    """An email fails DMARC: neither an aligned DKIM signature nor aligned SPF passes.

    Why
    ---
    This is the verdict that decides the inbox: under `p=quarantine` the mail goes to
    spam, under `p=reject` it is refused, and Gmail and Yahoo require bulk senders to
    pass DMARC since 2024. The invite or the reset never reaches the member.

    Remediation
    -----------
    Make one of the two align: sign with DKIM `d=` your From domain (the sturdier fix,
    it survives forwarding), or send with an envelope sender on your domain that SPF
    lists.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc7489#section-4.2
    - https://support.google.com/a/answer/81126
    """

    id = "email/dmarc-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("From clubhouse.test: DKIM d=esp.test, SPF esp-bounces.test: no alignment",),
        "good": ("From clubhouse.test: DKIM d=clubhouse.test pass, aligned",),
    }


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (DkimFailed, DkimNotAligned, SpfFailed, DmarcFailed)


@dataclass(frozen=True)
class Signature:
    domain: str
    selector: str
    result: str  # pass | fail | permerror | temperror
    reason: str = ""
    headers: tuple[str, ...] = ()  # the h= list, lowercased


@dataclass(frozen=True)
class Auth:
    from_domain: str
    signatures: tuple[Signature, ...] = ()
    spf: str = "none"  # pass | fail | softfail | neutral | none | permerror | temperror
    spf_domain: str = ""  # the envelope sender's (or HELO's) domain
    spf_source: str = ""  # "sink" (evaluated) or the authserv-id of the header read
    spf_detail: str = ""
    dmarc: str = "none"  # pass | fail | none (no record)
    policy: str = ""  # p= of the DMARC record
    adkim: str = "r"
    aspf: str = "r"
    notes: list[str] = field(default_factory=list)

    @property
    def dkim(self) -> str:
        if any(s.result == "pass" for s in self.signatures):
            return "pass"
        return self.signatures[0].result if self.signatures else "none"

    def aligned_signature(self) -> Signature | None:
        return next(
            (
                s
                for s in self.signatures
                if s.result == "pass" and aligned(s.domain, self.from_domain, self.adkim)
            ),
            None,
        )

    @property
    def spf_aligned(self) -> bool:
        return self.spf == "pass" and aligned(self.spf_domain, self.from_domain, self.aspf)


@functools.lru_cache(maxsize=1)
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """RFC 7489 3.2: the public suffix plus one label (the Public Suffix List's
    registrable domain); a name under a suffix the list does not know keeps two labels."""
    domain = domain.lower().rstrip(".")
    found = _psl().privatesuffix(domain)
    return str(found) if found else domain


def aligned(signer: str, author: str, mode: str) -> bool:
    signer, author = signer.lower().rstrip("."), author.lower().rstrip(".")
    if not signer or not author:
        return False
    if mode == "s":
        return signer == author
    return organizational_domain(signer) == organizational_domain(author)


def authenticate(message: Message, resolver: Resolver, authserv_id: str | None = None) -> Auth:
    """DKIM, SPF and DMARC of ``message``, every lookup through ``resolver``."""
    from_domain = message.from_domain
    signatures = tuple(_dkim(message, resolver))
    spf, spf_domain, source, detail = _spf(message, resolver, authserv_id)
    record = dmarc_record(resolver, from_domain) if from_domain else None
    org = organizational_domain(from_domain) if from_domain else ""
    if record is not None and record.outcome == "missing" and org and org != from_domain:
        record = dmarc_record(resolver, org)
    tags = record.tags if record is not None and record.outcome == "ok" else {}
    auth = Auth(
        from_domain=from_domain,
        signatures=signatures,
        spf=spf,
        spf_domain=spf_domain,
        spf_source=source,
        spf_detail=detail,
        policy=tags.get("p", "").lower(),
        adkim=tags.get("adkim", "r").lower(),
        aspf=tags.get("aspf", "r").lower(),
    )
    passed = auth.aligned_signature() is not None or auth.spf_aligned
    result = "pass" if passed else ("fail" if tags else "none")
    return Auth(**{**auth.__dict__, "dmarc": result})


def _dkim(message: Message, resolver: Resolver) -> list[Signature]:
    import dkim

    count = len(message.headers("dkim-signature"))
    out = []

    def txt(name: bytes, timeout: float = 5) -> bytes | None:
        del timeout  # the resolver's own applies
        found = resolver.lookup(name.decode("ascii", "replace").rstrip("."), "TXT")
        if found.failed:
            raise dkim.DnsTimeoutError(f"{found.describe()}")
        return found.records[0].encode() if found.records else None

    for idx in range(count):
        verifier = dkim.DKIM(message.raw, logger=_QUIET, minkey=1024)
        try:
            ok = verifier.verify(idx=idx, dnsfunc=txt)
            reason = "" if ok else "the signature does not match the signed headers"
            result = "pass" if ok else "fail"
        except dkim.DnsTimeoutError as exc:
            result, reason = "temperror", f"the key lookup {exc}"
        except dkim.KeyFormatError as exc:
            result, reason = "permerror", _key_reason(str(exc))
        except dkim.DKIMException as exc:
            text = str(exc)
            result = "fail"
            reason = (
                "body hash mismatch: the body changed after signing"
                if ("body hash mismatch" in text)
                else text
            )
        except Exception as exc:  # a malformed signature dkimpy did not expect
            result, reason = "permerror", type(exc).__name__
        fields = getattr(verifier, "signature_fields", None) or {}
        domain = _text(fields.get(b"d") or verifier.domain)
        selector = _text(fields.get(b"s") or b"")
        signed = tuple(h.strip().lower() for h in _text(fields.get(b"h") or b"").split(":"))
        out.append(Signature(domain.lower(), selector, result, reason, signed))
    return out


def _key_reason(text: str) -> str:
    if "missing public key" in text or "not found" in text.lower():
        return "no key in DNS for the selector"
    return text


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return str(value or "")


class _Quiet:
    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    info = warning = error = debug


_QUIET = _Quiet()


def _spf(
    message: Message, resolver: Resolver, authserv_id: str | None
) -> tuple[str, str, str, str]:
    """(result, domain, source, detail): evaluated for the real sender when known, else
    read from the topmost ``Authentication-Results`` (of ``authserv_id`` when given)."""
    if message.peer:
        sender = message.mail_from or f"postmaster@{message.helo or ''}"
        domain = domain_of(sender) or (message.helo or "")
        result, detail = _check_host(resolver, message.peer, sender, message.helo or domain)
        return result, domain, "sink", detail
    for header in message.headers("authentication-results"):
        parsed = _authres(header)
        if parsed is None or (authserv_id and parsed.authserv_id.lower() != authserv_id.lower()):
            continue
        for result in parsed.results:
            if str(result.method).lower() == "spf":
                props = {str(p.name).lower(): str(p.value) for p in result.properties}
                sender = props.get("mailfrom") or props.get("helo", "")
                return (
                    str(result.result).lower(),
                    domain_of(sender) or sender.lower(),
                    parsed.authserv_id,
                    str(result.reason or ""),
                )
        break  # the topmost header of the receiving provider has no spf: unknown
    return "none", "", "", "unknown: the inbox does not say who delivered it"


def _authres(value: str) -> Any:
    import authres

    try:
        return authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    except Exception:  # a header authres cannot read is as good as none
        return None


def _check_host(resolver: Resolver, ip: str, sender: str, helo: str) -> tuple[str, str]:
    import spf as pyspf

    from launchready_ci.checks.domain.email import _pyspf_lookup

    with _SPF_LOCK:  # pyspf looks names up through a module global
        pyspf.DNSLookup = _pyspf_lookup(resolver)
        try:
            result, _code, explanation = pyspf.query(i=ip, s=sender, h=helo).check()
        except Exception as exc:
            return "temperror", type(exc).__name__
    return str(result), str(explanation)


_SPF_LOCK = threading.Lock()
