"""`launchready env init`'s drafting: new files, appending, and what it refuses."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from launchready_ci.checks.env_inventory.draft import HEADER, draft, guess_secret
from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.checks.env_inventory.model import Use, UseKind
from launchready_ci.checks.env_inventory.rules._names import is_github_builtin
from launchready_ci.errors import ConfigError, UsageError

USES = (
    Use("STRIPE_SECRET_KEY", "app/payments.py", 7, 20),
    Use("DATABASE_URL", "app/settings.py", 5, 16),
    Use("DATABASE_URL", "worker/db.py", 2, 10),
    Use("DATABASE_URL", ".env.example", 1, 1, UseKind.EXAMPLE),
    Use("APP_BASE_URL", ".env.example", 2, 1, UseKind.EXAMPLE),
    Use("APP_BASE_URL", "app/links.py", 3, 8),
    Use("ONLY_IN_TEMPLATE", ".env.example", 3, 1, UseKind.EXAMPLE),
)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("STRIPE_SECRET_KEY", True),
        ("GITHUB_TOKEN", True),
        ("SMTP_PASSWORD", True),
        # the word test of env/secret-literal: a DSN and a key's id are not the secret
        ("SENTRY_DSN", False),
        ("DATABASE_URL", True),
        ("AWS_ACCESS_KEY_ID", False),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("NEXT_PRIVATE_SMTP_HOST", False),
        ("NEXT_PUBLIC_POSTHOG_KEY", False),
        ("NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNIN", False),
        ("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY", False),
        ("NEXT_PUBLIC_STRIPE_SECRET_KEY", True),  # so env/public-prefix-secret reports it
        ("APP_BASE_URL", False),
        ("PORT", False),
    ],
)
def test_secret_is_guessed_from_the_name(name: str, secret: bool) -> None:
    assert guess_secret(name) is secret


def test_a_new_draft_lists_every_name_sorted_with_where_it_is_read() -> None:
    result = draft(USES)
    assert result.added == ("APP_BASE_URL", "DATABASE_URL", "STRIPE_SECRET_KEY")
    assert result.text.startswith(HEADER)
    assert "  APP_BASE_URL:  # read at app/links.py:3; listed in .env.example:2\n" in result.text
    assert "ONLY_IN_TEMPLATE" not in result.text  # a template documents, the code needs
    assert (
        "  DATABASE_URL:  # read at app/settings.py:5, worker/db.py:2; listed in .env.example:1\n"
        in result.text
    )
    inventory = load_inventory(result.text, "env-inventory.yml")
    assert list(inventory.entries) == list(result.added)
    entry = inventory.entries["STRIPE_SECRET_KEY"]
    assert (entry.purpose, entry.owner, entry.secret) == (None, None, True)
    assert inventory.entries["APP_BASE_URL"].secret is False
    assert "default" not in result.text


def test_deploy_files_and_workflows_count_as_they_do_for_the_check() -> None:
    uses = [
        Use("BUILD_TOKEN", "Dockerfile", 3, 5, UseKind.PASS),
        Use("SENTRY_AUTH", ".github/workflows/deploy.yml", 9, 20, UseKind.SECRET_REF),
        Use("FLY_REGION", ".github/workflows/deploy.yml", 10, 20, UseKind.VAR_REF),
        Use("PORT", "Dockerfile", 4, 5, UseKind.LITERAL),  # the file sets it itself
        Use("GITHUB_TOKEN", ".github/workflows/deploy.yml", 11, 20, UseKind.SECRET_REF),
    ]
    result = draft(uses)
    assert result.added == ("BUILD_TOKEN", "FLY_REGION", "SENTRY_AUTH")
    assert "  BUILD_TOKEN:  # passed in at Dockerfile:3\n" in result.text
    assert "  SENTRY_AUTH:  # taken from GitHub at .github/workflows/deploy.yml:9\n" in result.text
    inventory = load_inventory(result.text, "x")
    assert inventory.entries["SENTRY_AUTH"].secret is True  # a GitHub secret, whatever its name
    assert inventory.entries["FLY_REGION"].secret is False


def test_where_comments_are_capped() -> None:
    uses = [Use("X", f"f{i}.py", i, 1) for i in range(1, 6)]
    assert "  X:  # read at f1.py:1, f2.py:2, f3.py:3 (+2 more)\n" in draft(uses).text


def test_an_empty_repository_drafts_a_valid_empty_inventory() -> None:
    result = draft(())
    assert result.added == ()
    assert load_inventory(result.text, "env-inventory.yml").entries == {}


EXISTING = """\
# Our inventory. Hand-written; keep this comment.
version: 1
variables:
  # Payments
  STRIPE_SECRET_KEY:
      purpose: "Charge cards"   # odd indentation on purpose
      owner: '@payments'
      secret: true
  LEGACY:
    purpose: |
      Multi-line
      purpose
    owner: "@ops"
# trailing comment"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_appending_keeps_every_existing_byte(newline: str) -> None:
    existing = EXISTING.replace("\n", newline)
    result = draft(USES, existing)
    assert result.added == ("APP_BASE_URL", "DATABASE_URL")
    assert result.kept == 2
    assert result.text.startswith(existing + newline)
    added = result.text[len(existing) + len(newline) :]
    assert added.startswith(
        f"  APP_BASE_URL:  # read at app/links.py:3; listed in .env.example:2{newline}"
    )
    assert "\n" not in added.replace(newline, "") if newline == "\r\n" else True
    before = load_inventory(existing, "inv.yml")
    after = load_inventory(result.text, "inv.yml")
    assert list(after.entries) == ["STRIPE_SECRET_KEY", "LEGACY", "APP_BASE_URL", "DATABASE_URL"]
    for name, entry in before.entries.items():
        assert after.entries[name] == entry
    # Nothing more to add: the text comes back as it was.
    again = draft(USES, result.text)
    assert again.text == result.text and not again.changed


def test_appending_follows_the_files_indentation() -> None:
    existing = "version: 1\nvariables:\n    A:\n        purpose: a\n"
    result = draft([Use("B", "b.py", 1, 1)], existing)
    assert result.text == existing + "    B:  # read at b.py:1\n        purpose:\n" + (
        "        owner:\n        secret: false\n"
    )


def test_an_empty_flow_mapping_is_opened() -> None:
    existing = "version: 1\nvariables: {}  # nothing yet\n"
    result = draft([Use("A", "a.py", 1, 1)], existing)
    assert result.text.startswith("version: 1\nvariables:  # nothing yet\n  A:")
    assert list(load_inventory(result.text, "x").entries) == ["A"]


@pytest.mark.parametrize(
    "existing",
    [
        "variables:\n  A:\n    purpose: a\nversion: 1\n",  # variables is not last
        "version: 1\nvariables: {A: {purpose: a}}\n",  # flow style
    ],
)
def test_refuses_to_append_where_it_would_have_to_rewrite(existing: str) -> None:
    with pytest.raises(UsageError, match=r"without rewriting it.*--force.*: B$"):
        draft([Use("A", "a.py", 1, 1), Use("B", "b.py", 1, 1)], existing, "inv.yml")


def test_an_invalid_inventory_is_a_config_error_with_its_line() -> None:
    with pytest.raises(ConfigError) as info:
        draft(USES, "version: 1\nvariables:\n  A: [\n", "inv.yml")
    assert info.value.problems[0].path == "inv.yml"
    assert info.value.problems[0].line is not None


NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(
    existing=st.one_of(
        st.text(max_size=200),
        st.dictionaries(NAMES, st.none(), max_size=4).map(
            lambda v: yaml.safe_dump({"version": 1, "variables": v}, sort_keys=False)
        ),
    ),
    names=st.lists(NAMES, max_size=5),
)
def test_property_a_clear_error_or_the_old_text_plus_entries(
    existing: str, names: list[str]
) -> None:
    uses = [Use(n, "a.py", i + 1, 1) for i, n in enumerate(names)]
    try:
        result = draft(uses, existing, "inv.yml")
    except (ConfigError, UsageError):
        return
    if result.changed:
        before = load_inventory(existing, "inv.yml")
        if before.entries:
            assert result.text.startswith(existing)
        after = load_inventory(result.text, "inv.yml")
        drafted = {n for n in names if not is_github_builtin(n)}  # CI, GITHUB_SHA ...
        assert set(after.entries) == set(before.entries) | drafted
    else:
        assert result.text == existing
