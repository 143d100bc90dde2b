"""The plugin classes: one small class per provider format."""

# ruff: noqa: S105  (``secret_type`` names a kind of secret, it is not one)

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, ClassVar

from detect_secrets.plugins.base import RegexBasedDetector

from launchready_ci.checks.secrets.prefilter import Trigger
from launchready_ci.findings import Confidence, Severity

__all__ = ["PLUGINS", "Judgement", "OurDetector"]


@dataclass(frozen=True)
class Judgement:
    severity: Severity
    confidence: Confidence
    reason: str
    public: bool = False  # test-mode or public by design: a notice, never an error
    #: the value's own format names the provider (a prefix, a checksum); False when only
    #: the line around it does, and then a value in a test or docs file is a notice
    format: bool = True


class OurDetector(RegexBasedDetector):
    secret_type: ClassVar[str] = ""
    provider: ClassVar[str] = ""
    keywords: ClassVar[tuple[str, ...]] = ()
    denylist: ClassVar[tuple[re.Pattern[str], ...]] = ()
    reason: ClassVar[str] = "matches the provider's key format"
    #: Regexes (Hyperscan syntax: no look-around) one of which every line the plugin can
    #: report on holds; none: its keywords, in any case.
    trigger: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def triggers(cls) -> tuple[Trigger, ...]:
        """What opens this plugin on a line (see :mod:`..prefilter`)."""
        if cls.trigger:
            return tuple(Trigger(cls.__name__, p) for p in cls.trigger)
        words = sorted({k.lower() for k in cls.keywords})
        return (Trigger(cls.__name__, "|".join(re.escape(w) for w in words), caseless=True),)

    def judge(self, value: str, line: str) -> Judgement | None:
        """``None``: not a secret after all."""
        if not _varied(value):
            return None
        return Judgement(Severity.ERROR, Confidence.HIGH, self.reason)


class ContextDetector(OurDetector):
    """A format with no prefix of its own: a secret only on a line that names the provider.

    ``context`` must match the line (MEDIUM confidence); values starting with one of
    ``prefixes`` (the provider's newer, prefixed format) need no context (HIGH).
    """

    context: ClassVar[re.Pattern[str]] = re.compile(r"(?!)")
    prefixes: ClassVar[tuple[str, ...]] = ()
    context_reason: ClassVar[str] = ""

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _varied(value) or not self.plausible(value):
            return None
        if self.prefixes and value.startswith(self.prefixes):
            return Judgement(Severity.ERROR, Confidence.HIGH, self.reason)
        if self.context.search(line):
            return Judgement(Severity.ERROR, Confidence.MEDIUM, self.context_reason, format=False)
        return None

    def plausible(self, value: str) -> bool:
        """Random keys mix at least two of lower case, upper case and digits."""
        return sum(any(map(kind, value)) for kind in (str.islower, str.isupper, str.isdigit)) >= 2


def _public(reason: str) -> Judgement:
    return Judgement(Severity.NOTICE, Confidence.HIGH, reason, public=True)


def _varied(value: str, distinct: int = 8) -> bool:
    """Random keys use many characters; fillers such as ``aaaa…`` or ``1212…`` do not."""
    return len(set(value)) >= distinct


def _near(*words: str) -> re.Pattern[str]:
    """A line holding each of ``words`` (alternatives joined by ``|``), in any order."""
    return re.compile("(?i)^" + "".join(f"(?=.*(?:{w}))" for w in words))


_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(n: int, width: int = 6) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _B62[r] + out
    return out.rjust(width, "0")


def crc32_ok(token: str, prefix_len: int) -> bool:
    """GitHub/npm tokens end with 6 base62 characters of the CRC32 of the random part."""
    body, check = token[:-6], token[-6:]
    return check in {
        _base62(zlib.crc32(body[prefix_len:].encode())),
        _base62(zlib.crc32(body.encode())),
    }


_CLERK = re.compile(r"(?i)clerk")


class ClerkSecret(OurDetector):
    """Clerk's secret keys share Stripe's ``sk_live_``/``sk_test_`` shape: the line decides."""

    secret_type = "Clerk secret key"
    provider = "Clerk"
    keywords = ("sk_live_", "sk_test_")
    denylist = (re.compile(r"\bsk_(?:live|test)_[0-9a-zA-Z]{24,247}\b"),)
    trigger = (r"sk_(?:live|test)_[0-9a-zA-Z]{24}",)

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _CLERK.search(line) or not _varied(value):
            return None  # a Stripe key: StripeSecret, next in PLUGINS, claims it
        if value.startswith("sk_test_"):
            return Judgement(
                Severity.WARNING,
                Confidence.HIGH,
                "Clerk development-instance secret key: full Backend API access to that instance",
            )
        return Judgement(Severity.ERROR, Confidence.HIGH, "Clerk production secret key")


class ClerkPublishable(OurDetector):
    """``pk_live_``/``pk_test_`` + base64 of the Frontend API host and a ``$``."""

    secret_type = "Clerk publishable key"
    provider = "Clerk"
    keywords = ("pk_live_", "pk_test_")
    denylist = (re.compile(r"\bpk_(?:live|test)_[0-9a-zA-Z]{12,247}\b"),)
    trigger = (r"pk_(?:live|test)_[0-9a-zA-Z]{12}",)

    def judge(self, value: str, line: str) -> Judgement | None:
        host = _b64_text(value[8:])
        if host is None or not host.endswith("$") or "." not in host:
            return None  # a Stripe publishable key
        return _public("Clerk publishable key: public by design (it names the Frontend API host)")


def _b64_text(data: str) -> str | None:
    """``data`` base64-decoded (padding optional) to printable ASCII, else ``None``."""
    try:
        text = base64.b64decode(data + "=" * (-len(data) % 4), validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    return text if text.isprintable() else None


class StripeSecret(OurDetector):
    secret_type = "Stripe secret key"
    provider = "Stripe"
    keywords = ("sk_live_", "rk_live_", "sk_test_", "rk_test_")
    denylist = (re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{24,247}\b"),)
    trigger = (r"[sr]k_(?:live|test)_[0-9a-zA-Z]{24}",)

    def judge(self, value: str, line: str) -> Judgement | None:
        kind = "restricted key" if value.startswith("rk_") else "secret key"
        if "_test_" in value:
            return _public(f"Stripe test-mode {kind}: test data only, but keep it private")
        return Judgement(Severity.ERROR, Confidence.HIGH, f"Stripe live-mode {kind} format")


class StripePublishable(OurDetector):
    secret_type = "Stripe publishable key"
    provider = "Stripe"
    keywords = ("pk_live_", "pk_test_")
    denylist = (re.compile(r"\bpk_(?:live|test)_[0-9a-zA-Z]{24,247}\b"),)
    trigger = (r"pk_(?:live|test)_[0-9a-zA-Z]{24}",)

    def judge(self, value: str, line: str) -> Judgement | None:
        return _public("Stripe publishable key: public by design")


class StandardWebhooksSecret(OurDetector):
    """Standard Webhooks signing secrets (Svix, Supabase Auth hooks …): ``v1,whsec_`` then
    base64, which may hold ``+``, ``/`` and ``=`` where Stripe's never does. Anyone
    generates one, so the format says "a webhook secret" but not whose: in a test or docs
    file it is a notice."""

    secret_type = "webhook signing secret"
    provider = "Standard Webhooks"
    keywords = ("whsec_",)
    denylist = (
        re.compile(
            r"(?<=v1,)whsec_[A-Za-z0-9+/]{24,}={0,2}"
            r"|\bwhsec_(?=[A-Za-z0-9+/]*[+/=])[A-Za-z0-9+/]{24,}={0,2}"
        ),
    )

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _varied(value):
            return None
        return Judgement(
            Severity.ERROR,
            Confidence.MEDIUM,
            "Standard Webhooks signing secret (whsec_ and base64): anyone who reads it can "
            "forge webhooks",
            format=False,
        )


class StripeWebhook(OurDetector):
    secret_type = "Stripe webhook signing secret"
    provider = "Stripe webhook"
    keywords = ("whsec_",)
    denylist = (re.compile(r"\bwhsec_[0-9a-zA-Z]{32,}\b"),)
    reason = "Stripe webhook signing secret format (whsec_)"

    def judge(self, value: str, line: str) -> Judgement | None:
        at = line.find(value)
        after = line[at + len(value) : at + len(value) + 1] if at >= 0 else ""
        if line[max(0, at - 3) : at] == "v1," or after in ("+", "/", "="):
            return None  # a Standard Webhooks secret, which StandardWebhooksSecret reads
        return super().judge(value, line)


class GrafanaToken(OurDetector):
    """Grafana service account tokens (``glsa_``: 32 characters, ``_``, an 8-hex CRC) and
    Grafana Cloud access policy tokens (``glc_`` and base64 of a JSON object)."""

    secret_type = "Grafana token"
    provider = "Grafana"
    keywords = ("glsa_", "glc_")
    denylist = (
        re.compile(r"\bglsa_[A-Za-z0-9]{32}_[0-9a-fA-F]{8}\b"),
        re.compile(r"\bglc_eyJ[A-Za-z0-9+/=_-]{32,400}"),
    )
    trigger = (r"glsa_[A-Za-z0-9]{32}_", r"glc_eyJ[A-Za-z0-9+/=_-]{32}")
    reason = "Grafana token format (glsa_, glc_)"


class GitHubToken(OurDetector):
    secret_type = "GitHub token"
    provider = "GitHub"
    keywords = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
    trigger = (r"gh[pousr]_[0-9a-zA-Z]{16}", r"github_pat_[0-9a-zA-Z_]{16}")
    denylist = (
        re.compile(r"\bgh[pousr]_[0-9a-zA-Z]{36}\b"),
        re.compile(r"\bgithub_pat_[0-9a-zA-Z_]{82}\b"),
    )

    def judge(self, value: str, line: str) -> Judgement | None:
        if value.startswith("github_pat_"):
            return Judgement(Severity.ERROR, Confidence.HIGH, "GitHub fine-grained token format")
        if crc32_ok(value, 4):
            return Judgement(Severity.ERROR, Confidence.HIGH, "GitHub token with a valid checksum")
        return Judgement(
            Severity.WARNING, Confidence.LOW, "GitHub token format, but its CRC32 checksum fails"
        )


class NpmToken(OurDetector):
    secret_type = "npm token"
    provider = "npm"
    keywords = ("npm_",)
    trigger = (r"npm_[0-9a-zA-Z]{16}",)
    denylist = (re.compile(r"\bnpm_[0-9a-zA-Z]{36}\b"),)

    def judge(self, value: str, line: str) -> Judgement | None:
        if crc32_ok(value, 4):
            return Judgement(Severity.ERROR, Confidence.HIGH, "npm token with a valid checksum")
        return Judgement(Severity.WARNING, Confidence.LOW, "npm token format, checksum fails")


class SlackWebhook(OurDetector):
    secret_type = "Slack webhook"
    provider = "Slack"
    keywords = ("hooks.slack.com",)
    denylist = (
        re.compile(
            r"https://hooks\.slack\.com/(?:services|workflows)/T[0-9A-Z]{8,}/[0-9A-Za-z/]{20,}"
        ),
    )
    reason = "Slack incoming-webhook URL"


class SlackToken(OurDetector):
    secret_type = "Slack token"
    provider = "Slack"
    keywords = ("xox",)
    denylist = (re.compile(r"\bxox[abposr]-[0-9]{8,}-[0-9A-Za-z-]{10,}\b"),)
    reason = "Slack token format (xox*)"


_POSTMARK_CONTEXT = re.compile(r"(?i)postmark|X-Postmark-(?:Server|Account)-Token")


class PostmarkToken(OurDetector):
    secret_type = "Postmark token"
    provider = "Postmark"
    keywords = ("postmark", "Postmark", "POSTMARK")
    denylist = (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),)

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _POSTMARK_CONTEXT.search(line):
            return None
        if value == "00000000-0000-0000-0000-000000000000" or len(set(value)) < 8:
            return None
        return Judgement(
            Severity.ERROR, Confidence.MEDIUM, "UUID-shaped token next to a Postmark name"
        )


class ResendKey(OurDetector):
    secret_type = "Resend API key"
    provider = "Resend"
    keywords = ("re_",)
    denylist = (re.compile(r"\bre_[0-9A-Za-z]{8}_[0-9A-Za-z]{24}\b"),)
    trigger = (r"re_[0-9A-Za-z]{8}_[0-9A-Za-z]{8}",)
    reason = "Resend API key format (re_…)"


class MailgunKey(OurDetector):
    secret_type = "Mailgun API key"
    provider = "Mailgun"
    keywords = ("key-",)
    denylist = (re.compile(r"\bkey-[0-9a-f]{32}\b"),)
    trigger = (r"key-[0-9a-f]{32}",)

    def judge(self, value: str, line: str) -> Judgement | None:
        if "mailgun" in line.lower():
            return Judgement(Severity.ERROR, Confidence.HIGH, "Mailgun key next to a Mailgun name")
        return Judgement(Severity.ERROR, Confidence.MEDIUM, "Mailgun API key format (key-…)")


class OpenAIKey(OurDetector):
    secret_type = "OpenAI API key"
    provider = "OpenAI"
    keywords = ("sk-proj-", "sk-svcacct-", "sk-admin-", "T3BlbkFJ")
    denylist = (
        re.compile(r"\bsk-(?:proj|svcacct|admin)-[0-9A-Za-z_-]{40,}"),
        re.compile(r"\bsk-[0-9A-Za-z_-]{10,}T3BlbkFJ[0-9A-Za-z_-]{10,}"),
    )
    reason = "OpenAI API key format"


class AnthropicKey(OurDetector):
    secret_type = "Anthropic API key"
    provider = "Anthropic"
    keywords = ("sk-ant-",)
    denylist = (re.compile(r"\bsk-ant-(?:api|admin)\d\d-[0-9A-Za-z_-]{80,}"),)
    reason = "Anthropic API key format (sk-ant-api03-)"


class GoogleApiKey(OurDetector):
    secret_type = "Google API key"
    provider = "Google Cloud"
    keywords = ("AIza",)
    trigger = (r"AIza[0-9A-Za-z_-]{16}",)
    denylist = (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),)
    reason = "Google API key format (AIza…); restrict or rotate it"


class GcpServiceAccount(OurDetector):
    secret_type = "GCP service account key"
    provider = "Google Cloud"
    keywords = ('"private_key_id"',)
    denylist = (re.compile(r'"private_key_id"\s*:\s*"([0-9a-f]{40})"'),)
    reason = "service-account JSON key (private_key_id)"


class FlyToken(OurDetector):
    secret_type = "Fly.io token"
    provider = "Fly.io"
    keywords = ("fo1_", "FlyV1 ")
    denylist = (
        re.compile(r"\bfo1_[0-9A-Za-z_-]{40,}"),
        re.compile(r"FlyV1 fm\d_[0-9A-Za-z_=,+/-]{40,}"),
    )
    reason = "Fly.io token format"


class SupabaseJwt(OurDetector):
    secret_type = "Supabase key"
    provider = "Supabase"
    keywords = ("eyJ",)
    denylist = (re.compile(r"\beyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{20,}"),)
    trigger = (r"eyJ[0-9A-Za-z_-]{10}[0-9A-Za-z_-]*\.eyJ",)

    def judge(self, value: str, line: str) -> Judgement | None:
        claims = jwt_claims(value)
        role = claims.get("role") if claims else None
        if role == "service_role":
            return Judgement(Severity.ERROR, Confidence.HIGH, "Supabase service_role JWT")
        if role == "anon":
            return _public("Supabase anon key: public by design")
        return None  # other JWTs: left to detect-secrets' JwtTokenDetector


class SendGridKey(OurDetector):
    secret_type = "SendGrid API key"
    provider = "SendGrid"
    keywords = ("SG.",)
    trigger = (r"SG\.[0-9A-Za-z_-]{22}\.",)
    denylist = (re.compile(r"\bSG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}(?![0-9A-Za-z_-])"),)
    reason = "SendGrid API key format (SG.…)"


class TwilioKey(ContextDetector):
    """API key SIDs (``SK`` + 32 hex); auth tokens (32 hex) only next to a Twilio name."""

    secret_type = "Twilio credential"
    provider = "Twilio"
    prefixes = ("SK",)
    keywords = ("SK", "twilio", "Twilio", "TWILIO")
    denylist = (re.compile(r"\b(?:SK)?[0-9a-f]{32}\b"),)
    trigger = (r"SK[0-9a-f]{32}", r"(?i)twilio[^\n]*(?:auth|token)|(?:auth|token)[^\n]*twilio")
    context = _near("twilio", "auth|token")
    reason = "Twilio API key format (SK…)"
    context_reason = "32-hex auth token next to a Twilio name"


class AwsSecretKey(ContextDetector):
    secret_type = "AWS secret access key"
    provider = "AWS"
    keywords = ("aws", "AWS", "Aws")
    denylist = (re.compile(r"(?<![0-9A-Za-z/+])[0-9A-Za-z/+]{40}(?![0-9A-Za-z/+=])"),)
    trigger = (r"(?i)aws[^\n]*secret|secret[^\n]*aws",)
    context = _near("aws", "secret")
    context_reason = "40-character secret access key next to an AWS secret name"

    def plausible(self, value: str) -> bool:
        return any(map(str.islower, value)) and any(map(str.isupper, value))


class CloudflareToken(ContextDetector):
    """``cfk_``/``cfut_``/``cfat_`` + 40 characters + the CRC32 of those 40 (8 hex); before
    2026, a 40-character token or a 37–45 hex Global API key next to a Cloudflare name."""

    secret_type = "Cloudflare API token"
    provider = "Cloudflare"
    keywords = ("cfk_", "cfut_", "cfat_", "cloudflare", "Cloudflare", "CLOUDFLARE", "CF_API")
    denylist = (
        re.compile(r"\bcf(?:k|ut|at)_[0-9A-Za-z]{40}[0-9a-f]{8}\b"),
        re.compile(r"(?<![0-9A-Za-z_-])(?:[0-9A-Za-z_-]{40}|[0-9a-f]{37,45})(?![0-9A-Za-z_-])"),
    )
    context = _near("cloudflare|cf_api", "key|token|secret|auth")
    trigger = (
        r"cf(?:k|ut|at)_[0-9A-Za-z]{16}",
        r"(?i)(?:cloudflare|cf_api)[^\n]*(?:key|token|secret|auth)"
        r"|(?:key|token|secret|auth)[^\n]*(?:cloudflare|cf_api)",
    )
    context_reason = "API token or Global API key next to a Cloudflare name"

    def judge(self, value: str, line: str) -> Judgement | None:
        if not value.startswith(("cfk_", "cfut_", "cfat_")):
            return super().judge(value, line)
        body = value.split("_", 1)[1]
        if f"{zlib.crc32(body[:40].encode()):08x}" == body[40:]:
            return Judgement(Severity.ERROR, Confidence.HIGH, "Cloudflare token, valid checksum")
        return Judgement(Severity.WARNING, Confidence.LOW, "Cloudflare token format, bad checksum")


class VercelToken(ContextDetector):
    secret_type = "Vercel token"
    provider = "Vercel"
    prefixes = ("vcp_", "vci_", "vca_", "vcr_", "vck_")
    keywords = (*prefixes, "vercel", "Vercel", "VERCEL")
    denylist = (
        re.compile(r"\bvc[pirak]_[0-9A-Za-z_-]{56}(?![0-9A-Za-z_-])"),
        re.compile(r"(?<![0-9A-Za-z_-])[0-9A-Za-z]{24}(?![0-9A-Za-z_-])"),
    )
    context = _near("vercel", "token|key|secret|auth")
    trigger = (
        r"vc[pirak]_[0-9A-Za-z_-]{16}",
        r"(?i)vercel[^\n]*(?:token|key|secret|auth)|(?:token|key|secret|auth)[^\n]*vercel",
    )
    reason = "Vercel token format (vcp_/vci_/vca_/vcr_/vck_)"
    context_reason = "24-character token next to a Vercel name"


class ExpoToken(ContextDetector):
    secret_type = "Expo access token"
    provider = "Expo"
    keywords = ("expo", "Expo", "EXPO")
    denylist = (re.compile(r"(?<![0-9A-Za-z_-])[0-9A-Za-z_-]{40}(?![0-9A-Za-z_-])"),)
    context = re.compile(r"(?i)\bexpo(?:_?access)?_?token|\bexpo\b.*token")
    trigger = (r"(?i)\bexpo(?:_?access)?_?token|\bexpo\b[^\n]*token",)
    context_reason = "40-character access token next to EXPO_TOKEN"


_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class OneSignalKey(ContextDetector):
    """``os_v2_app_``/``os_v2_org_`` + base32 (the app id, then the key); legacy REST API
    keys are the base64 of a UUID, reported next to a OneSignal name."""

    secret_type = "OneSignal REST API key"
    provider = "OneSignal"
    prefixes = ("os_v2_",)
    keywords = ("os_v2_", "onesignal", "OneSignal", "ONESIGNAL", "Onesignal")
    denylist = (
        re.compile(r"\bos_v2_(?:app|org)_[a-z2-7]{100,}\b"),
        re.compile(r"(?<![0-9A-Za-z+/])[0-9A-Za-z+/]{48}(?![0-9A-Za-z+/=])"),
    )
    context = re.compile(r"(?i)one_?signal")
    reason = "OneSignal API key format (os_v2_…)"
    context_reason = "legacy REST API key (base64 of a UUID) next to a OneSignal name"

    def plausible(self, value: str) -> bool:
        if value.startswith(self.prefixes):
            return True
        text = _b64_text(value) or ""  # OneSignal's documented example is 4a00ff22-ccd7-…
        return bool(_UUID.fullmatch(text)) and not text.startswith("4a00ff22-ccd7-")


class RevenueCatSecret(ContextDetector):
    secret_type = "RevenueCat secret API key"
    provider = "RevenueCat"
    keywords = (
        "revenuecat",
        "RevenueCat",
        "REVENUECAT",
        "Revenuecat",
        "revenue_cat",
        "REVENUE_CAT",
    )
    denylist = (re.compile(r"\bsk_[0-9A-Za-z]{24,40}\b"),)
    context = re.compile(r"(?i)revenue_?cat")
    context_reason = "secret API key (sk_…) next to a RevenueCat name"


class RevenueCatPublic(OurDetector):
    secret_type = "RevenueCat public SDK key"
    provider = "RevenueCat"
    keywords = ("appl_", "goog_", "amzn_", "strp_")
    trigger = (r"(?:appl|goog|amzn|strp)_[0-9A-Za-z]{20}",)
    denylist = (re.compile(r"\b(?:appl|goog|amzn|strp)_[0-9A-Za-z]{20,40}\b"),)

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _varied(value):
            return None
        return _public("RevenueCat public SDK key: meant to ship in the app")


class Auth0Secret(ContextDetector):
    secret_type = "Auth0 client secret"
    provider = "Auth0"
    keywords = ("auth0", "Auth0", "AUTH0")
    denylist = (re.compile(r"(?<![0-9A-Za-z_-])[0-9A-Za-z_-]{64}(?![0-9A-Za-z_-])"),)
    context = _near("auth0", "secret")
    trigger = (r"(?i)auth0[^\n]*secret|secret[^\n]*auth0",)
    context_reason = "64-character client secret next to an Auth0 secret name"


class FcmServerKey(OurDetector):
    secret_type = "FCM server key"
    provider = "Firebase"
    keywords = ("APA91b",)
    denylist = (re.compile(r"\bAAAA[0-9A-Za-z_-]{7}:APA91b[0-9A-Za-z_-]{130,}"),)
    reason = "Firebase Cloud Messaging legacy server key (AAAA…:APA91b…)"


_ENTRA_CONTEXT = re.compile(r"(?i)secret|client|azure|entra|aad|msal")


class EntraClientSecret(OurDetector):
    """Client secrets of Entra ID (Azure AD) app registrations: 3 characters, a digit,
    ``Q~``, then 31–34 characters."""

    secret_type = "Entra ID client secret"
    provider = "Microsoft Entra ID"
    keywords = ("Q~",)
    trigger = (r"[0-9]Q~[0-9A-Za-z_~.-]{8}",)
    denylist = (
        re.compile(
            r"(?<![0-9A-Za-z_~.-])[0-9A-Za-z_~.]{3}\dQ~[0-9A-Za-z_~.-]{31,34}(?![0-9A-Za-z_~.-])"
        ),
    )

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _varied(value):
            return None
        sure = Confidence.HIGH if _ENTRA_CONTEXT.search(line) else Confidence.MEDIUM
        return Judgement(Severity.ERROR, sure, "Entra ID (Azure AD) client secret format (…Q~…)")


class AzureConnectionString(OurDetector):
    secret_type = "Azure connection string key"
    provider = "Azure"
    keywords = ("AccountKey=", "SharedAccessKey=")
    denylist = (
        re.compile(r"AccountKey=([0-9A-Za-z+/]{86}==)"),
        re.compile(r"SharedAccessKey=([0-9A-Za-z+/]{43}=)"),
    )
    reason = "account or shared access key in an Azure connection string"


class RenderKey(OurDetector):
    secret_type = "Render API key"
    provider = "Render"
    keywords = ("rnd_",)
    denylist = (re.compile(r"\brnd_[0-9A-Za-z]{28,64}\b"),)
    reason = "Render API key format (rnd_…)"


class AlgoliaAdminKey(ContextDetector):
    """Admin and write API keys are 32 hex characters, no prefix: the name decides (a
    search-only key is public by design and is not named admin or write)."""

    secret_type = "Algolia admin API key"
    provider = "Algolia"
    keywords = ("algolia", "Algolia", "ALGOLIA")
    denylist = (re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])"),)
    context = _near("algolia", "admin|write|secret|api_?key|apikey")
    context_reason = "32-hex API key next to an Algolia admin or write key name"

    def plausible(self, value: str) -> bool:
        return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)

    def judge(self, value: str, line: str) -> Judgement | None:
        if re.search(r"(?i)search[_-]?(?:only)?[_-]?(?:api[_-]?)?key", line):
            return _public("Algolia search-only key: public by design")
        return super().judge(value, line)


class MapboxToken(OurDetector):
    """``sk.eyJ…`` secret tokens (scoped, for the Mapbox APIs); ``pk.eyJ…`` public tokens
    ship in web and mobile apps by design."""

    secret_type = "Mapbox token"
    provider = "Mapbox"
    keywords = ("sk.eyJ", "pk.eyJ")
    trigger = (r"[sp]k\.eyJ",)
    denylist = (re.compile(r"\b[sp]k\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{20,}"),)

    def judge(self, value: str, line: str) -> Judgement | None:
        if value.startswith("pk."):
            return _public("Mapbox public token: meant to ship in the app")
        return Judgement(Severity.ERROR, Confidence.HIGH, "Mapbox secret token format (sk.eyJ…)")


_FIXTURE = re.compile(r"(?i)test|dummy|fake|sample|example|placeholder")


class JwtSigningSecret(OurDetector):
    """A literal passed to ``jwt.sign``/``encode``/``verify``/``decode`` (jsonwebtoken, PyJWT,
    ruby-jwt): unlike ``JWT_SECRET = "…"``, no secret-looking name is there to catch it."""

    secret_type = "JWT signing secret"
    provider = "JWT"
    keywords = ("jwt.", "JWT.")
    trigger = (r"(?:jwt|JWT)\.(?:sign|encode|verify|decode)\(",)
    denylist = (
        re.compile(
            r"\b(?:jwt|JWT)\.(?:sign|encode|verify|decode)\(\s*"
            r"(?:\{[^{}]*\}|[^,(){}]+(?:\([^()]*\))?)\s*,\s*"
            r"(?:\"([^\"\s]{8,})\"|'([^'\s]{8,})'|`([^`\s$]{8,})`)"
        ),
    )

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _varied(value, 5) or _FIXTURE.search(value):
            return None
        return Judgement(
            Severity.ERROR,
            Confidence.MEDIUM,
            "literal JWT signing secret in a sign/verify call: anyone who reads it can forge "
            "sessions",
            format=False,
        )


_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _crc16_ok(seed: str) -> bool:
    """NATS keys end with the CRC-16/XMODEM of their decoded bytes (little endian)."""
    try:
        raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
    except (binascii.Error, ValueError):
        return False
    body, check = raw[:-2], raw[-2:]
    crc = 0
    for byte in body:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return check == crc.to_bytes(2, "little")


class NatsSeed(OurDetector):
    """NATS NKEY seeds (``SU…``, ``SA…``, ``SO…``: user, account, operator): the private
    half of an Ed25519 key pair that signs in to a NATS server. The public keys
    (``U…``, ``A…``, ``O…``) are meant to be shared and are not reported."""

    secret_type = "NATS NKEY seed"
    provider = "NATS"
    keywords = ("SU", "SA", "SO", "SN", "SC", "SX", "SP")
    denylist = (re.compile(r"\bS[UAONCXP][A-Z2-7]{56}\b"),)
    trigger = (r"S[UAONCXP][A-Z2-7]{24}",)

    def judge(self, value: str, line: str) -> Judgement | None:
        if not _varied(value, 12):
            return None
        if _crc16_ok(value):
            return Judgement(Severity.ERROR, Confidence.HIGH, "NATS NKEY seed, valid checksum")
        return Judgement(
            Severity.WARNING, Confidence.MEDIUM, "NATS NKEY seed format, but its checksum fails"
        )


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, decoded without verifying it."""
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    return data if isinstance(data, dict) else None


#: Order matters: on a line, the first plugin whose judge() accepts a value claims it (so
#: Clerk's keys, shaped like Stripe's, come first).
PLUGINS: tuple[type[OurDetector], ...] = (
    ClerkSecret,
    ClerkPublishable,
    StripeSecret,
    StripePublishable,
    StandardWebhooksSecret,
    StripeWebhook,
    GrafanaToken,
    GitHubToken,
    NpmToken,
    SlackWebhook,
    SlackToken,
    PostmarkToken,
    ResendKey,
    MailgunKey,
    OpenAIKey,
    AnthropicKey,
    GoogleApiKey,
    GcpServiceAccount,
    FlyToken,
    SupabaseJwt,
    SendGridKey,
    TwilioKey,
    AwsSecretKey,
    CloudflareToken,
    VercelToken,
    ExpoToken,
    OneSignalKey,
    RevenueCatSecret,
    RevenueCatPublic,
    Auth0Secret,
    FcmServerKey,
    EntraClientSecret,
    AzureConnectionString,
    RenderKey,
    AlgoliaAdminKey,
    MapboxToken,
    JwtSigningSecret,
    NatsSeed,
)
