from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from launchready_ci.checks.env_inventory.model import Entry
from launchready_ci.checks.env_inventory.rules._verify import Verification, VerifyRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.redaction import is_secret_name
from launchready_ci.rules import register


@register
class UnsafeForEnvironment(VerifyRule):
    """A variable's value is a placeholder, or is wrong for the environment it is deployed to.

    Why
    ---
    A value can have the right format and still be wrong: `changeme` is a fine string,
    `http://localhost:3000` a fine URL, a Stripe test key a fine key. Deployed, they are
    a password anyone can guess, links to the visitor's own computer, and payments
    that never reach the bank.

    Reported in every environment (error):

    - placeholders: stand-in words (`changeme`, `TODO`, `placeholder`, `dummy`,
      `secret` ...), text in angle brackets (`<your-key>`), fill-in phrases
      (`your-api-key-here`, `https://your-domain.com`), runs of `x`, masked or
      truncated values (`****`, `…`, `[redacted]`), unexpanded references
      (`${{ secrets.KEY }}`, `{{ key }}`, `${KEY}`) and documentation-only domains
      (`example.com`, `.example`, `.invalid`).

    Reported when the environment is production-like (named `production`, `prod`,
    `prd` or `live`, or starting with `production-`, `prod-` or `prd-`; the command can
    say otherwise):

    - local-only hosts in URLs, emails and host names: `localhost`, `127.0.0.1` and the
      rest of 127/8, `0.0.0.0`, `::1`, `*.localhost`, `*.local`, `*.test`,
      `host.docker.internal` (error);
    - test and sandbox credentials: `sk_test_`, `pk_test_`, `rk_test_` (Stripe, Clerk,
      Paystack), `pdl_sdbx_` (Paddle), `rzp_test_` (Razorpay), `sk_sbox_`/`pk_sbox_`
      (Checkout.com), `FLWSECK_TEST-`/`FLWPUBK_TEST-` (Flutterwave), `xnd_development_`
      (Xendit), `sandbox-sq0` (Square) (error); `test_` or `sandbox_` on a secret
      (Mollie, GoCardless, Paddle client tokens: warning);
    - plain `http://` URLs to public hosts (warning; an `https-url` entry with an http
      value is reported by env/invalid-format instead);
    - URLs to sandbox or staging hosts (`api.sandbox.paypal.com`, `staging.example.org`)
      and values that select a non-production mode (`sandbox`, `test`, `development`,
      `staging`) (warning).

    Reported when the environment is not production-like: live-mode credentials
    (`sk_live_`, `rk_live_`, `pdl_live_`, `rzp_live_`, `xnd_production_`, Flutterwave
    live keys), which let a staging bug charge real cards (warning).

    Only variables of the inventory are looked at, one finding per variable (the most
    serious problem). The message names the kind of problem; it never repeats the
    value or part of it. A sidecar reached on `localhost` in production (a metrics or
    tracing agent) is a deliberate exception: put
    `# launchready: ignore[env/unsafe-for-environment]` on the entry's line in the
    inventory, with the reason.

    Remediation
    -----------
    Set the real value for this environment where its configuration is stored. That is
    a generated secret instead of a placeholder, the address production reaches over
    https instead of a local one, the live key in production and a test key everywhere
    else.

    References
    ----------
    - https://docs.stripe.com/keys#test-live-modes
    - https://www.rfc-editor.org/rfc/rfc2606
    - https://www.rfc-editor.org/rfc/rfc6761
    - https://owasp.org/Top10/A05_2021-Security_Misconfiguration/
    """

    id = "env/unsafe-for-environment"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  SESSION_SECRET:\n    secret: true\n"
            "==> .env.production <==\nSESSION_SECRET=changeme\n",
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  APP_BASE_URL:\n    secret: false\n    format: url\n"
            "==> .env.production <==\nAPP_BASE_URL=http://localhost:3000\n",
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    secret: true\n"
            "==> .env.production <==\nSTRIPE_SECRET_KEY=sk_test_ExampleOnly\n",
        ),
        "good": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  APP_BASE_URL:\n    secret: false\n    format: url\n"
            "  STRIPE_SECRET_KEY:\n    secret: true\n"
            "==> .env.production <==\nAPP_BASE_URL=https://clubhouse.app\n"
            "STRIPE_SECRET_KEY=sk_live_ExampleOnly\n",
        ),
    }

    @classmethod
    def verify(cls, verification: Verification) -> Iterator[Finding]:
        source = verification.values
        for entry in verification.entries():
            value = verification.present(entry)
            if value is None:
                continue
            problem = find_problem(
                value, entry, verification.environment, verification.production_like
            )
            if problem is None:
                continue
            yield cls.finding(
                f"{entry.name} in {source.label} {problem.text}",
                verification.inventory.location(entry),
                content=f"{entry.name}:{problem.kind}",
                severity=problem.severity,
                confidence=problem.confidence,
                remediation=problem.fix,
                properties={
                    "variable": entry.name,
                    "problem": problem.kind,
                    "environment": verification.environment,
                },
            )


@dataclass(frozen=True)
class Problem:
    """What is unsafe about a value: ``text`` follows "NAME in SOURCE" and holds no part
    of the value; ``kind`` is a stable keyword."""

    kind: str
    text: str
    severity: Severity = Severity.ERROR
    confidence: Confidence = Confidence.HIGH
    fix: str = "Set the real value for this environment where its configuration is stored."


_FIXES: Final = {
    "placeholder": "Store the real value (for a secret, a newly generated one) where this "
    "environment's configuration is kept.",
    "live-credential": "Use the provider's test-mode key outside production.",
    "local-host": "Use the address this environment reaches the service at (a sidecar on "
    "localhost is an exception: ignore the rule on the inventory entry).",
    "test-credential": "Use the provider's live-mode key in production.",
    "plain-http": "Use the https URL of the service.",
    "sandbox-host": "Use the provider's production host.",
    "non-production-mode": "Select the production mode for this environment.",
}


def _problem(
    kind: str,
    text: str,
    severity: Severity = Severity.ERROR,
    confidence: Confidence = Confidence.HIGH,
) -> Problem:
    return Problem(kind, text, severity, confidence, _FIXES[kind])


def find_problem(
    value: str, entry: Entry, environment: str, production_like: bool
) -> Problem | None:
    """The most serious problem of ``value`` for ``entry`` in ``environment``, if any."""
    value = value.strip()
    host = host_of(value)
    why = placeholder_kind(value, host)
    if why is not None:
        return _problem("placeholder", f"is a placeholder ({why}), not a real value")
    if not production_like:
        live = _prefixed(value, _LIVE_KEYS)
        if live is None:
            return None
        return _problem(
            "live-credential",
            f"looks like {live}, which {environment} should not use: a bug there would act "
            "on real customers and money",
            Severity.WARNING,
            Confidence.MEDIUM,
        )
    if host is not None and is_local_host(host):
        return _problem(
            "local-host",
            f"points at a local-only host (loopback, 0.0.0.0, .local, .localhost or .test) "
            f"in {environment}",
        )
    test = _prefixed(value, _TEST_KEYS)
    if test is not None:
        return _problem("test-credential", f"looks like {test}, which {environment} must not use")
    if (entry.secret is True or is_secret_name(entry.name)) and _GENERIC_TEST.match(value):
        return _problem(
            "test-credential",
            f"starts like a test or sandbox credential, which {environment} must not use",
            Severity.WARNING,
            Confidence.MEDIUM,
        )
    scheme = value.partition("://")[0].lower() if "://" in value else None
    if (
        scheme == "http"
        and host is not None
        and not is_internal_host(host)
        and (entry.format is None or entry.format.name != "https-url")
    ):
        return _problem(
            "plain-http",
            f"is a plain http URL to a public host in {environment}; use https",
            Severity.WARNING,
            Confidence.MEDIUM,
        )
    if scheme is not None and host is not None and _is_sandbox_host(host):
        return _problem(
            "sandbox-host",
            f"points at a sandbox or staging host in {environment}",
            Severity.WARNING,
            Confidence.MEDIUM,
        )
    if value.lower() in _NON_PRODUCTION_MODES:
        return _problem(
            "non-production-mode",
            f"selects a non-production mode in {environment}",
            Severity.WARNING,
            Confidence.MEDIUM,
        )
    return None


# -- placeholders ---------------------------------------------------------------------------

_PLACEHOLDER_WORDS: Final = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "change-it",
        "change_it",
        "changethis",
        "change-this",
        "change_this",
        "replaceme",
        "replace-me",
        "replace_me",
        "placeholder",
        "todo",
        "tbd",
        "fixme",
        "dummy",
        "example",
        "sample",
        "undefined",
        "secret",
        "password",
        "passw0rd",
        "foobar",
        "test123",
        "abc123",
    }
)
_STAND_IN_INSIDE: Final = re.compile(
    r"(?<![a-z])(?:change[-_]?me|replace[-_]?me|change[-_]?it|change[-_]?this|placeholder)"
    r"(?![a-z])",
    re.IGNORECASE,
)
_ANGLE: Final = re.compile(r"<[A-Za-z][A-Za-z0-9 _.\-]*>")
_FILL_IN: Final = re.compile(r"^(?:your|insert|enter[-_ ]your)[-_ ]|[-_ ]here$", re.IGNORECASE)
_FILL_IN_HOST: Final = re.compile(
    r"(?:^|\.)your[-_]?(?:domain|app|project|site|server|host|company|org|name|bucket|region"
    r"|instance|account|subdomain|tenant|store|shop|service|api)(?:[-.]|$)"
)
_X_RUN: Final = re.compile(r"[xX]{6,}|^[xX][xX._\-]*[xX]$")
_MASKED: Final = re.compile(r"\*{3,}|•{2,}|…|\.\.\.$|\[(?:redacted|hidden|masked|filtered)\]", re.I)
_REFERENCE: Final = re.compile(
    r"\$\{\{.*\}\}|\{\{.*\}\}|^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}$|^\$[A-Z_][A-Z0-9_]*$",
    re.DOTALL,
)
_EXAMPLE_DOMAINS: Final = ("example.com", "example.org", "example.net")
_EXAMPLE_TLDS: Final = ("example", "invalid")


def placeholder_kind(value: str, host: str | None = None) -> str | None:
    """Why ``value`` is a placeholder, in words that never quote it, or None."""
    norm = value.strip().strip("'\"`").strip().lower()
    if norm in _PLACEHOLDER_WORDS or _STAND_IN_INSIDE.search(value):
        return "a stand-in word"
    if _REFERENCE.search(value):
        return "an unexpanded variable or template reference"
    if _ANGLE.search(value):
        return "text in angle brackets"
    if _MASKED.search(value):
        return "masked or truncated, as copied from a screen that hides values"
    if _X_RUN.search(norm):
        return "a run of x characters"
    if _FILL_IN.search(norm):
        return "a fill-in phrase"
    if host is not None:
        if _FILL_IN_HOST.search(host):
            return "a fill-in host name"
        if host in _EXAMPLE_DOMAINS or host.endswith(tuple(f".{d}" for d in _EXAMPLE_DOMAINS)):
            return "a documentation-only domain"
        if host.rstrip(".").rpartition(".")[2] in _EXAMPLE_TLDS and "." in host:
            return "a documentation-only domain"
    return None


# -- hosts ----------------------------------------------------------------------------------

_HOST_PORT: Final = re.compile(
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?\.?)(?::[0-9]{1,5})?"
)
_BRACKETED: Final = re.compile(r"\[(?P<host>[0-9A-Fa-f:.]+)\](?::[0-9]{1,5})?")
_EMAIL: Final = re.compile(r"[^@\s]+@(?P<host>[A-Za-z0-9.\-]+)")
_LOCAL_NAMES: Final = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "host.docker.internal",
        "gateway.docker.internal",
        "ip6-localhost",
        "ip6-loopback",
    }
)
_LOCAL_SUFFIXES: Final = (".localhost", ".local", ".test", ".localdomain")
_INTERNAL_SUFFIXES: Final = (
    ".internal",
    ".svc",
    ".consul",
    ".lan",
    ".home.arpa",
    ".intranet",
    ".corp",
    ".private",
)


def host_of(value: str) -> str | None:
    """The host a URL, an email address or a ``host[:port]`` value names (lower case)."""
    if "://" in value:
        try:
            host = urlsplit(value).hostname
        except ValueError:
            return None
        return host or None
    for pattern in (_EMAIL, _BRACKETED, _HOST_PORT):
        m = pattern.fullmatch(value)
        if m:
            return m.group("host").lower()
    try:
        return str(ipaddress.ip_address(value))  # a bare IPv6 address
    except ValueError:
        return None


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def is_local_host(host: str) -> bool:
    """Loopback, unspecified, or a name that only resolves on the machine itself."""
    host = host.rstrip(".").lower()
    ip = _ip(host)
    if ip is not None:
        return ip.is_loopback or ip.is_unspecified
    return host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES)


def is_internal_host(host: str) -> bool:
    """A host on a private network, where plain http can be a deliberate choice."""
    host = host.rstrip(".").lower()
    ip = _ip(host)
    if ip is not None:
        return ip.is_private or ip.is_loopback or ip.is_link_local
    return "." not in host or host.endswith(_INTERNAL_SUFFIXES) or is_local_host(host)


def _is_sandbox_host(host: str) -> bool:
    for label in host.lower().split("."):
        if "sandbox" in label or label in {"staging", "stage", "stg"}:
            return True
        if label.startswith(("staging-", "stg-")) or label.endswith(("-staging", "-stg")):
            return True
    return False


_NON_PRODUCTION_MODES: Final = frozenset({"sandbox", "test", "testing", "development", "staging"})

# -- credentials ----------------------------------------------------------------------------

_TEST_KEYS: Final = (
    ("sk_test_", "a Stripe, Clerk or Paystack test-mode secret key"),
    ("pk_test_", "a Stripe, Clerk or Paystack test-mode publishable key"),
    ("rk_test_", "a Stripe test-mode restricted key"),
    ("pdl_sdbx_", "a Paddle sandbox API key"),
    ("rzp_test_", "a Razorpay test key"),
    ("sk_sbox_", "a Checkout.com sandbox secret key"),
    ("pk_sbox_", "a Checkout.com sandbox public key"),
    ("FLWSECK_TEST-", "a Flutterwave test secret key"),
    ("FLWPUBK_TEST-", "a Flutterwave test public key"),
    ("xnd_development_", "a Xendit development key"),
    ("sandbox-sq0", "a Square sandbox credential"),
)
_LIVE_KEYS: Final = (
    ("sk_live_", "a Stripe, Clerk or Paystack live-mode secret key"),
    ("rk_live_", "a Stripe live-mode restricted key"),
    ("pdl_live_", "a Paddle live API key"),
    ("rzp_live_", "a Razorpay live key"),
    ("xnd_production_", "a Xendit production key"),
    ("FLWSECK-", "a Flutterwave live secret key"),
)
_GENERIC_TEST: Final = re.compile(r"(?:test|sandbox)_[A-Za-z0-9]")


def _prefixed(value: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((what for prefix, what in table if value.startswith(prefix)), None)
