from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class TestOrPublicKey(Rule):
    """A key that its provider documents as test-only or public by design is committed.

    Why
    ---
    Stripe test-mode keys (`sk_test_`), Stripe and Clerk publishable keys (`pk_live_`,
    `pk_test_`), Supabase anon keys and RevenueCat public SDK keys (`appl_`, `goog_`,
    `amzn_`, `strp_`) cannot move money, bypass row-level security or grant
    entitlements, so they are not leaks. They are reported as a notice because a test
    secret key still lets anyone read and write the test account, and because a test
    key next to the code is often where the live key goes next.

    Remediation
    -----------
    Nothing urgent. Prefer reading test keys from the environment too, so that switching
    to live mode never means editing code. If the key is meant to be public, mark the
    line with `launchready: ignore[secrets/test-or-public-key]`.

    References
    ----------
    - https://docs.stripe.com/keys
    - https://supabase.com/docs/guides/api/api-keys
    - https://clerk.com/docs/guides/secure/rotate-api-keys
    - https://www.revenuecat.com/docs/projects/authentication
    """

    __test__ = False  # not a pytest class
    id = "secrets/test-or-public-key"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH
    examples = {
        "bad": ('STRIPE_PUBLISHABLE_KEY = "pk_live_' + "ExampleOnly0000000000000000" + '"',),
        "good": ('STRIPE_PUBLISHABLE_KEY = os.environ["STRIPE_PUBLISHABLE_KEY"]',),
    }
