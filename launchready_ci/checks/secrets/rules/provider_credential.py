from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class ProviderCredential(Rule):
    """A credential in a provider's own format is committed to the repository.

    Why
    ---
    Keys with a recognisable format (Stripe `sk_live_`, GitHub `ghp_`, AWS `AKIA`,
    Slack `xox`, Vercel `vcp_`, Cloudflare `cfut_`, OneSignal `os_v2_`, Render `rnd_`...)
    are found within minutes by scrapers once a repository or a fork is public, and by
    anyone who can read it while it is private. A live payment or email key becomes
    fraud, spam and a suspended account in launch week. Deleting the line does not
    help: the value stays in git history.

    Formats without a prefix of their own (AWS secret access keys, Twilio auth tokens,
    Auth0 client secrets, legacy Cloudflare, Vercel, Expo and OneSignal tokens,
    RevenueCat `sk_` keys, Clerk's Stripe-shaped `sk_live_`) are reported with medium
    confidence, and only on a line that names the provider. So is a literal passed to
    `jwt.sign(...)` or `jwt.encode(...)`: whoever reads it can forge sessions.

    Remediation
    -----------
    Revoke or roll the key in the provider's dashboard first, then remove it from the
    code and read it from an environment variable or the platform's secret store. If
    the value is a documented test fixture, mark the line with
    `# pragma: allowlist secret` or `launchready: ignore[secrets/provider-credential]`.

    References
    ----------
    - https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning
    - https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/
    """

    id = "secrets/provider-credential"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ('STRIPE_KEY = "sk_live_' + "ExampleOnly0000000000000000" + '"',),
        "good": ('STRIPE_KEY = os.environ["STRIPE_KEY"]',),
    }
