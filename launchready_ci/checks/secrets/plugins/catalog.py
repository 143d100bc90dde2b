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

from launchready_ci.findings import Confidence, Severity

__all__ = ["PLUGINS", "Judgement", "OurDetector"]


@dataclass(frozen=True)
class Judgement:
    severity: Severity
    confidence: Confidence
    reason: str
    public: bool = False  # test-mode or public by design: a notice, never an error


class OurDetector(RegexBasedDetector):
    secret_type: ClassVar[str] = ""
    provider: ClassVar[str] = ""
    keywords: ClassVar[tuple[str, ...]] = ()
    denylist: ClassVar[tuple[re.Pattern[str], ...]] = ()
    reason: ClassVar[str] = "matches the provider's key format"

    def judge(self, value: str, line: str) -> Judgement | None:
        """``None``: not a secret after all."""
        return Judgement(Severity.ERROR, Confidence.HIGH, self.reason)


def _public(reason: str) -> Judgement:
    return Judgement(Severity.NOTICE, Confidence.HIGH, reason, public=True)


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


class StripeSecret(OurDetector):
    secret_type = "Stripe secret key"
    provider = "Stripe"
    keywords = ("sk_live_", "rk_live_", "sk_test_", "rk_test_")
    denylist = (re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{24,247}\b"),)

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

    def judge(self, value: str, line: str) -> Judgement | None:
        return _public("Stripe publishable key: public by design")


class StripeWebhook(OurDetector):
    secret_type = "Stripe webhook signing secret"
    provider = "Stripe webhook"
    keywords = ("whsec_",)
    denylist = (re.compile(r"\bwhsec_[0-9a-zA-Z]{32,}\b"),)
    reason = "Stripe webhook signing secret format (whsec_)"


class GitHubToken(OurDetector):
    secret_type = "GitHub token"
    provider = "GitHub"
    keywords = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")
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
    reason = "Resend API key format (re_…)"


class MailgunKey(OurDetector):
    secret_type = "Mailgun API key"
    provider = "Mailgun"
    keywords = ("key-",)
    denylist = (re.compile(r"\bkey-[0-9a-f]{32}\b"),)

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

    def judge(self, value: str, line: str) -> Judgement | None:
        claims = jwt_claims(value)
        role = claims.get("role") if claims else None
        if role == "service_role":
            return Judgement(Severity.ERROR, Confidence.HIGH, "Supabase service_role JWT")
        if role == "anon":
            return _public("Supabase anon key: public by design")
        return None  # other JWTs: left to detect-secrets' JwtTokenDetector


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, decoded without verifying it."""
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    return data if isinstance(data, dict) else None


PLUGINS: tuple[type[OurDetector], ...] = (
    StripeSecret,
    StripePublishable,
    StripeWebhook,
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
)
