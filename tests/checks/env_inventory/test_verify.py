"""``EnvVerifyCheck``: deploy-time checks of one environment's values against the
inventory, run through the real runner on a real repository."""

from __future__ import annotations

import hmac
import itertools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from launchready_ci.checks import CHECKS
from launchready_ci.checks.env_inventory.model import Entry
from launchready_ci.checks.env_inventory.rules import shared_secret
from launchready_ci.checks.env_inventory.rules.shared_secret import shared_secrets
from launchready_ci.checks.env_inventory.rules.unsafe_for_environment import find_problem
from launchready_ci.checks.env_inventory.values import ValueSource, load_values
from launchready_ci.checks.env_inventory.verify import EnvVerifyCheck, is_production_like
from launchready_ci.config.loader import load
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.findings import CheckResult, CheckStatus, Confidence, Finding, Severity
from launchready_ci.runner import RunOptions, run

Repo = Callable[..., Path]

INVENTORY = """\
version: 1
variables:
  DATABASE_URL:
    secret: true
    required_in: [staging, production]
    format: postgres-url
  APP_BASE_URL:
    secret: false
    required_in: [production]
    format: https-url
  PORT:
    secret: false
    format: int
  LOG_LEVEL:
    secret: false
    format: {enum: [debug, info, warn]}
  STRIPE_SECRET_KEY:
    secret: true
    required_in: [production]
  STRIPE_PUBLISHABLE_KEY:
    secret: false
"""


_COUNT = itertools.count()


def src(values: Mapping[str, str], label: str = ".env.production") -> ValueSource:
    return ValueSource(label, dict(values))


def verify(
    repo: Repo,
    environment: str,
    values: Mapping[str, str] | ValueSource,
    *,
    compare: Mapping[str, str] | ValueSource | None = None,
    production_like: bool | None = None,
    files: Mapping[str, str] | None = None,
) -> CheckResult:
    root = repo(
        {"env-inventory.yml": INVENTORY} if files is None else files, name=f"repo{next(_COUNT)}"
    )
    source = values if isinstance(values, ValueSource) else src(values)
    other = (
        compare
        if compare is None or isinstance(compare, ValueSource)
        else src(compare, ".env.staging")
    )
    check = EnvVerifyCheck(environment, source, other, production_like)
    ctx = RunContext(root=root, config=load(root), github=GitHubEnv(), environ={})
    (result,) = run(ctx, RunOptions(), checks=[check]).results
    return result


def by_rule(result: CheckResult, rule_id: str) -> list[Finding]:
    assert result.status in (CheckStatus.PASSED, CheckStatus.FAILED), result.reason
    return [f for f in result.findings if f.rule_id == rule_id]


GOOD_PRODUCTION = {
    "DATABASE_URL": "postgres://app@db.internal:5432/app",
    "APP_BASE_URL": "https://clubhouse.app",
    "STRIPE_SECRET_KEY": "sk_live_" + "Qm3Kx8Vt2Lp9Zr4W",
    "PORT": "8080",
}


def test_a_good_environment_passes(repo: Repo) -> None:
    result = verify(repo, "production", GOOD_PRODUCTION)
    assert result.status is CheckStatus.PASSED, [f.message for f in result.findings]
    assert result.check_id == "env-verify"


def test_check_is_not_in_checks_and_has_its_title() -> None:
    assert EnvVerifyCheck not in CHECKS
    check = EnvVerifyCheck("staging", src({}))
    assert check.title == "Environment staging"
    assert check.id == "env-verify" and check.config_key == "env"
    assert "Planted" not in repr(EnvVerifyCheck("x", src({"A": "Planted"})))


# -- env/missing-in-environment -----------------------------------------------------------


def test_missing_and_empty_required_values(repo: Repo) -> None:
    values = dict(GOOD_PRODUCTION, APP_BASE_URL="  \n")
    del values["DATABASE_URL"]
    found = by_rule(verify(repo, "production", values), "env/missing-in-environment")
    assert [(f.location.target, f.message) for f in found] == [
        (
            "DATABASE_URL",
            "DATABASE_URL is required in production but is not set in .env.production",
        ),
        ("APP_BASE_URL", "APP_BASE_URL is required in production but is empty in .env.production"),
    ]
    loc = found[0].location
    assert (loc.path, loc.start_line, loc.target_kind) == ("env-inventory.yml", 3, "env-var")
    assert found[0].severity is Severity.ERROR
    assert dict(found[0].properties) == {"variable": "DATABASE_URL", "environment": "production"}


def test_only_the_named_environment_counts(repo: Repo) -> None:
    # staging requires DATABASE_URL only; optional and other-environment ones may be absent.
    result = verify(repo, "staging", {"DATABASE_URL": "postgres://db/app"})
    assert result.status is CheckStatus.PASSED
    found = by_rule(verify(repo, "staging", {}, files=None), "env/missing-in-environment")
    assert [f.location.target for f in found] == ["DATABASE_URL"]


def test_custom_environment_names(repo: Repo) -> None:
    files = {"env-inventory.yml": "version: 1\nvariables:\n  A:\n    required_in: [eu-west]\n"}
    assert by_rule(verify(repo, "eu-west", {}, files=files), "env/missing-in-environment")
    assert not by_rule(verify(repo, "us-east", {}, files=files), "env/missing-in-environment")


# -- env/invalid-format ---------------------------------------------------------------------


def test_values_are_checked_against_their_format(repo: Repo) -> None:
    values = dict(
        GOOD_PRODUCTION,
        DATABASE_URL="mysql://db/app",
        APP_BASE_URL="http://clubhouse.app",
        PORT="80a",
        LOG_LEVEL="verbose",
    )
    found = by_rule(verify(repo, "production", values), "env/invalid-format")
    assert [f.message for f in found] == [
        "DATABASE_URL in .env.production is not a PostgreSQL URL (the scheme is not postgres "
        "or postgresql)",
        "APP_BASE_URL in .env.production is not an https URL (it uses plain http)",
        "PORT in .env.production is not an integer",
        "LOG_LEVEL in .env.production is not one of the allowed values: debug, info, warn",
    ]
    assert dict(found[2].properties)["format"] == "int"


def test_an_http_value_for_an_https_url_is_reported_once(repo: Repo) -> None:
    result = verify(repo, "production", dict(GOOD_PRODUCTION, APP_BASE_URL="http://clubhouse.app"))
    assert [f.rule_id for f in result.findings] == ["env/invalid-format"]


def test_absent_optional_values_are_not_format_checked(repo: Repo) -> None:
    result = verify(repo, "production", dict(GOOD_PRODUCTION, PORT=""))
    assert result.status is CheckStatus.PASSED


# -- env/unsafe-for-environment -------------------------------------------------------------

SECRET_ENTRY = Entry("API_TOKEN", 1, 1, secret=True)
PLAIN_ENTRY = Entry("SOME_SETTING", 1, 1, secret=False)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("changeme", "placeholder"),
        ("'CHANGEME'", "placeholder"),
        ("TODO", "placeholder"),
        ("sk_live_changeme", "placeholder"),
        ("<your-api-key>", "placeholder"),
        ("postgres://app:<password>@db/app", "placeholder"),
        ("your-api-key-here", "placeholder"),
        ("key_goes_here", "placeholder"),
        ("xxxxxxxx", "placeholder"),
        ("sk_live_xxxxxxxxxxxx", "placeholder"),
        ("****", "placeholder"),
        ("sk_live_…9f2c", "placeholder"),
        ("[REDACTED]", "placeholder"),
        ("${{ secrets.API_TOKEN }}", "placeholder"),
        ("{{ api_token }}", "placeholder"),
        ("${API_TOKEN}", "placeholder"),
        ("$API_TOKEN", "placeholder"),
        ("https://example.com/hook", "placeholder"),
        ("ops@example.org", "placeholder"),
        ("https://app.example", "placeholder"),
        ("https://your-domain.com", "placeholder"),
        ("https://yourapp.herokuapp.com", "placeholder"),
        ("http://localhost:3000", "local-host"),
        ("postgres://app@127.0.0.1/app", "local-host"),
        ("redis://0.0.0.0:6379", "local-host"),
        ("http://[::1]:8080", "local-host"),
        ("localhost:6379", "local-host"),
        ("::1", "local-host"),
        ("127.0.0.2", "local-host"),
        ("printer.local", "local-host"),
        ("https://app.localhost", "local-host"),
        ("https://app.test", "local-host"),
        ("ops@localhost", "local-host"),
        ("http://host.docker.internal:8000", "local-host"),
        ("sk_test_" + "Abc123", "test-credential"),
        ("pk_test_" + "Abc123", "test-credential"),
        ("rk_test_" + "Abc123", "test-credential"),
        ("pdl_sdbx_" + "apikey_01abc", "test-credential"),
        ("FLWSECK_TEST-" + "abc", "test-credential"),
        ("sandbox-sq0idb-" + "abc", "test-credential"),
        ("test_" + "dHar4XY7LxsDOtmnkVtjNVWXLSlXsM", "test-credential"),
        ("http://api.clubhouse.app/hook", "plain-http"),
        ("https://api.sandbox.paypal.com", "sandbox-host"),
        ("https://staging.clubhouse.app", "sandbox-host"),
        ("https://connect.squareupsandbox.com", "sandbox-host"),
        ("sandbox", "non-production-mode"),
        ("Development", "non-production-mode"),
    ],
)
def test_unsafe_in_production(value: str, kind: str) -> None:
    problem = find_problem(value, SECRET_ENTRY, "production", True)
    assert problem is not None and problem.kind == kind
    assert value.strip("'") not in problem.text or len(value) < 4


@pytest.mark.parametrize(
    "value",
    [
        "https://clubhouse.app",
        "postgres://app:pw@db.internal:5432/app",
        "sk_live_" + "Qm3Kx8Vt2Lp9Zr4W",
        "http://metrics.internal:9090",
        "http://10.0.0.7:8080",
        "http://api:8000",  # a single-label service name
        "https://dev.to/clubhouse",
        "production",
        "None",  # SameSite=None is a real value
        "Qm3Kx8Vt2Lp9Zr4W",
        "exchangemerchant",
        "ops@clubhouse.app",
        "8080",
        "true",
    ],
)
def test_safe_in_production(value: str) -> None:
    assert find_problem(value, SECRET_ENTRY, "production", True) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("changeme", "placeholder"),
        ("https://example.com", "placeholder"),
        ("sk_live_" + "Qm3Kx8Vt2Lp9Zr4W", "live-credential"),
        ("rk_live_" + "Qm3Kx8Vt2Lp9Zr4W", "live-credential"),
        ("http://localhost:3000", None),
        ("sk_test_" + "Qm3Kx8Vt2Lp9Zr4W", None),
        ("http://api.clubhouse.app", None),
        ("https://api.sandbox.paypal.com", None),
        ("sandbox", None),
    ],
)
def test_unsafe_in_staging(value: str, kind: str | None) -> None:
    problem = find_problem(value, SECRET_ENTRY, "staging", False)
    assert (problem.kind if problem else None) == kind


def test_generic_test_prefixes_only_for_secrets() -> None:
    value = "test_" + "dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
    assert find_problem(value, PLAIN_ENTRY, "production", True) is None
    assert find_problem(value, Entry("MOLLIE_API_KEY", 1, 1), "production", True) is not None


def test_unsafe_findings_through_the_runner(repo: Repo) -> None:
    values = dict(
        GOOD_PRODUCTION,
        DATABASE_URL="postgres://app@localhost:5432/app",
        STRIPE_SECRET_KEY="sk_test_" + "Qm3Kx8Vt2Lp9Zr4W",
        STRIPE_PUBLISHABLE_KEY="pk_test_" + "Qm3Kx8Vt2Lp9Zr4W",
        LOG_LEVEL="info",
    )
    found = by_rule(verify(repo, "production", values), "env/unsafe-for-environment")
    assert [(f.location.target, dict(f.properties)["problem"]) for f in found] == [
        ("DATABASE_URL", "local-host"),
        ("STRIPE_SECRET_KEY", "test-credential"),
        ("STRIPE_PUBLISHABLE_KEY", "test-credential"),
    ]
    assert found[0].message == (
        "DATABASE_URL in .env.production points at a local-only host (loopback, 0.0.0.0, "
        ".local, .localhost or .test) in production"
    )
    assert found[1].message == (
        "STRIPE_SECRET_KEY in .env.production looks like a Stripe, Clerk or Paystack "
        "test-mode secret key, which production must not use"
    )
    assert all(f.severity is Severity.ERROR for f in found)


def test_production_like_can_be_forced(repo: Repo) -> None:
    values = dict(GOOD_PRODUCTION, DATABASE_URL="postgres://app@localhost/app")

    def problems(result: CheckResult) -> list[str]:
        return [
            dict(f.properties)["problem"] for f in by_rule(result, "env/unsafe-for-environment")
        ]

    assert problems(verify(repo, "eu-1", values, production_like=True)) == ["local-host"]
    # Not production-like: localhost is fine, a live key is not.
    assert problems(verify(repo, "production", values, production_like=False)) == [
        "live-credential"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("production", True),
        ("Production", True),
        ("prod", True),
        ("prd", True),
        ("live", True),
        ("prod-eu", True),
        ("production_us", True),
        ("staging", False),
        ("preprod", False),
        ("production-like-staging", True),
        ("products", False),
        ("liveish", False),
        ("dev", False),
    ],
)
def test_is_production_like(name: str, expected: bool) -> None:
    assert is_production_like(name) is expected


# -- env/shared-secret ----------------------------------------------------------------------


def test_shared_secrets_are_named_with_both_sources(repo: Repo) -> None:
    same = "Qm3Kx8Vt2Lp9Zr4W"
    prod = dict(GOOD_PRODUCTION, STRIPE_SECRET_KEY="sk_live_" + same, STRIPE_PUBLISHABLE_KEY="p")
    staging = {
        "DATABASE_URL": "postgres://app@db.staging.internal/app",
        "STRIPE_SECRET_KEY": "sk_live_" + same + "\n",  # whitespace does not hide reuse
        "STRIPE_PUBLISHABLE_KEY": "p",  # secret: false
        "APP_BASE_URL": GOOD_PRODUCTION["APP_BASE_URL"],  # not a secret
    }
    found = by_rule(verify(repo, "production", prod, compare=staging), "env/shared-secret")
    assert [f.message for f in found] == [
        "STRIPE_SECRET_KEY has the same value in .env.production and .env.staging"
    ]
    assert found[0].confidence is Confidence.HIGH
    assert found[0].location.start_line == 17
    assert dict(found[0].properties)["compared_with"] == ".env.staging"


def test_secret_looking_names_outside_the_inventory_are_compared(repo: Repo) -> None:
    prod = dict(GOOD_PRODUCTION, SENTRY_AUTH_TOKEN="Hs3Ve8BnYc1Wq6Jt", FEATURE="on")
    staging = {"SENTRY_AUTH_TOKEN": "Hs3Ve8BnYc1Wq6Jt", "FEATURE": "on"}
    found = by_rule(verify(repo, "production", prod, compare=staging), "env/shared-secret")
    assert [(f.location.target, f.location.path, f.confidence) for f in found] == [
        ("SENTRY_AUTH_TOKEN", None, Confidence.MEDIUM)
    ]


def test_different_or_one_sided_secrets_pass(repo: Repo) -> None:
    staging = {"DATABASE_URL": "postgres://app@db.staging.internal/app", "STRIPE_SECRET_KEY": ""}
    result = verify(repo, "production", GOOD_PRODUCTION, compare=staging)
    assert not by_rule(result, "env/shared-secret")


def test_compare_uses_a_fresh_salt_and_hashes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    salts: list[bytes] = []
    compared: list[tuple[Any, Any]] = []
    real_token_bytes = shared_secret.secrets.token_bytes
    real_compare = hmac.compare_digest

    def token_bytes(n: int) -> bytes:
        salts.append(real_token_bytes(n))
        return salts[-1]

    def compare_digest(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(shared_secret.secrets, "token_bytes", token_bytes)
    monkeypatch.setattr(shared_secret.hmac, "compare_digest", compare_digest)
    value = "Planted" + "SharedZ9"
    first = {"API_TOKEN": value, "DB_PASSWORD": "a-" + value}
    second = {"API_TOKEN": value, "DB_PASSWORD": "b-" + value}
    assert shared_secrets(first, second, {}) == ["API_TOKEN"]
    assert shared_secrets(first, second, {}) == ["API_TOKEN"]
    assert len(salts) == 2 and salts[0] != salts[1] and len(salts[0]) == 32
    assert compared and all(
        isinstance(a, bytes) and len(a) == 32 and value.encode() not in a for a, _ in compared
    )


def test_non_utf8_environment_values_are_compared(repo: Repo) -> None:
    odd = "x\udcff\ud800y"  # os.environ can hold surrogates
    assert shared_secrets({"API_TOKEN": odd}, {"API_TOKEN": odd}, {}) == ["API_TOKEN"]


# -- the inventory ---------------------------------------------------------------------------


def test_without_an_env_section_nor_an_inventory_verify_is_skipped(repo: Repo) -> None:
    """As `launchready run` skips the env check: the snippet says how to enable it."""
    result = verify(repo, "production", GOOD_PRODUCTION, files={"README.md": "x\n"})
    assert result.status is CheckStatus.SKIPPED
    assert result.reason == "not configured: launchready.yml has no `env:` section"
    assert result.enable_snippet and result.enable_snippet.startswith("env:\n")


def test_a_missing_inventory_fails_clearly(repo: Repo) -> None:
    files = {"launchready.yml": "env:\n  inventory: config/env.yml\n"}
    result = verify(repo, "production", GOOD_PRODUCTION, files=files)
    assert result.status is CheckStatus.ERRORED
    assert result.reason is not None and result.reason.startswith("no inventory at config/env.yml")


def test_the_inventory_path_comes_from_launchready_yml(repo: Repo) -> None:
    files = {
        "launchready.yml": "env:\n  inventory: config/env.yml\n",
        "config/env.yml": "version: 1\nvariables:\n  A:\n    required_in: [production]\n",
    }
    found = by_rule(verify(repo, "production", {}, files=files), "env/missing-in-environment")
    assert [(f.location.path, f.location.start_line) for f in found] == [("config/env.yml", 3)]


def test_an_invalid_inventory_is_an_errored_check_with_file_line(repo: Repo) -> None:
    files = {"env-inventory.yml": "version: 1\nvariables:\n  A:\n    format: {regex: '('}\n"}
    result = verify(repo, "production", {}, files=files)
    assert result.status is CheckStatus.ERRORED
    assert result.reason is not None and result.reason.startswith("env-inventory.yml:4:21:")


def test_the_process_environment_as_source(repo: Repo) -> None:
    source = load_values(None, {"DATABASE_URL": "", **{"HOME": "/root"}})
    result = verify(repo, "staging", source)
    found = by_rule(result, "env/missing-in-environment")
    assert [f.message for f in found] == [
        "DATABASE_URL is required in staging but is empty in the process environment"
    ]


def test_inline_ignore_on_the_inventory_entry(repo: Repo) -> None:
    inventory = INVENTORY.replace(
        "  DATABASE_URL:\n",
        "  # sidecar proxy; launchready: ignore[env/unsafe-for-environment]\n  DATABASE_URL:\n",
    )
    values = dict(GOOD_PRODUCTION, DATABASE_URL="postgres://app@localhost:5432/app")
    result = verify(repo, "production", values, files={"env-inventory.yml": inventory})
    assert result.status is CheckStatus.PASSED
    assert result.suppressed == 1


_TEXT = st.text() | st.sampled_from(
    ["http://", "https://[", "postgres://a@b:1,", "sk_test_", "${{", "<a>", "x@y", "[::1]:9"]
).flatmap(lambda prefix: st.text(max_size=20).map(lambda rest: prefix + rest))


@settings(max_examples=300, deadline=None)
@given(value=_TEXT, production_like=st.booleans(), secret=st.booleans())
def test_find_problem_never_raises(value: str, production_like: bool, secret: bool) -> None:
    entry = Entry("API_TOKEN" if secret else "SETTING", 1, 1, secret=secret)
    problem = find_problem(value, entry, "production", production_like)
    assert problem is None or problem.kind in {
        "placeholder",
        "local-host",
        "test-credential",
        "live-credential",
        "plain-http",
        "sandbox-host",
        "non-production-mode",
    }
