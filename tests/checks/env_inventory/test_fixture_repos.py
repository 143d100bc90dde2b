"""Realistic repositories (fixtures/<app>/): clean when correct, and every static env
finding on its exact line when the planted layer is copied over (see fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.check import EnvInventoryCheck
from launchready_ci.findings import CheckResult, CheckStatus
from tests.checks.casefile import run_case
from tests.helpers import make_repo

FIXTURES = Path(__file__).parent / "fixtures"

Expected = set[tuple[str, str, int]]

#: (rule, path, line) of every finding in each planted repository.
PLANTED: dict[str, Expected] = {
    "nextjs-app": {
        # a server-side read nobody inventoried
        ("env/not-in-inventory", "lib/stripe.ts", 9),
        # the Stripe secret key renamed NEXT_PUBLIC_ for a client component
        ("env/public-prefix-secret", "env-inventory.yml", 23),
        ("env/missing-owner", "env-inventory.yml", 39),
        ("env/unused-entry", "env-inventory.yml", 60),
        # STRIPE_WEBHOOK_SECRET dropped from the template: reported where it is read
        ("env/example-missing-key", "app/api/webhooks/stripe/route.ts", 11),
        ("env/example-extra-key", ".env.example", 10),
        ("env/secret-literal", ".github/workflows/deploy.yml", 17),
    },
    "django-app": {
        ("env/not-in-inventory", "mysite/settings.py", 22),
        ("env/missing-owner", "env-inventory.yml", 21),
        ("env/public-prefix-secret", "env-inventory.yml", 64),
        ("env/unused-entry", "env-inventory.yml", 73),
        ("env/example-missing-key", "mysite/settings.py", 8),
        ("env/example-extra-key", ".env.example", 14),
        ("env/secret-literal", "docker-compose.yml", 10),
    },
    "go-service": {
        ("env/not-in-inventory", "config/config.go", 33),
        ("env/missing-owner", "env-inventory.yml", 20),
        ("env/public-prefix-secret", "env-inventory.yml", 50),
        # LEGACY_DSN is only mentioned in a comment, which is not a read
        ("env/unused-entry", "env-inventory.yml", 64),
        ("env/example-missing-key", "config/config.go", 22),
        ("env/example-extra-key", ".env.example", 9),
        # a password in a compose URL, and a key in the env_file compose loads
        ("env/secret-literal", "docker-compose.yml", 9),
        ("env/secret-literal", "deploy/local.env", 5),
    },
    "expo-app-with-backend": {
        ("env/not-in-inventory", "backend/src/recipes.ts", 3),
        ("env/missing-owner", "env-inventory.yml", 15),
        # the OpenAI key moved into the app bundle
        ("env/public-prefix-secret", "env-inventory.yml", 18),
        ("env/unused-entry", "env-inventory.yml", 63),
        # each app is held to its own template: backend/.env.example lacks JWT_SECRET
        ("env/example-missing-key", "backend/src/config.ts", 2),
        ("env/example-extra-key", "mobile/.env.example", 6),
        ("env/secret-literal", ".github/workflows/deploy.yml", 20),
    },
}

#: Fake values written into the planted files; none may reach a finding.
PLANTED_VALUES = (
    "sk_test_fake_for_e2e_only",
    "dev-only-not-a-real-secret-key",
    "orders-dev-password",
    "sandbox_not_a_real_key",
    "test-only-not-a-real-secret",
)

#: Static rules that need an inventory file; env/inventory-missing is tested below.
#: dynamic-read has its own cases (cases/dynamic-read.yml): the fixture apps read names
#: written out, as most apps do.
STATIC_RULES = {r.id for r in EnvInventoryCheck.rules} - {
    "env/inventory-missing",
    "env/dynamic-read",
}


def _files(*layers: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for layer in layers:
        for path in sorted(layer.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(layer).as_posix()] = path.read_text(encoding="utf-8")
    return files


def _run(tmp_path: Path, files: dict[str, str]) -> CheckResult:
    root = make_repo(tmp_path / "repo", files)
    result = run_case(root, EnvInventoryCheck.id)
    assert result.status in (CheckStatus.PASSED, CheckStatus.FAILED), result.reason
    return result


def _found(result: CheckResult) -> Expected:
    return {(f.rule_id, f.location.path or "", f.location.start_line or 0) for f in result.findings}


@pytest.mark.parametrize("app", sorted(PLANTED))
def test_the_correct_repository_has_no_finding(app: str, tmp_path: Path) -> None:
    result = _run(tmp_path, _files(FIXTURES / app / "correct"))
    assert [f"{f.rule_id} {f.location.path}:{f.location.start_line}" for f in result.findings] == []
    assert result.status is CheckStatus.PASSED


@pytest.mark.parametrize("app", sorted(PLANTED))
def test_every_planted_problem_is_found_on_its_line(app: str, tmp_path: Path) -> None:
    result = _run(tmp_path, _files(FIXTURES / app / "correct", FIXTURES / app / "planted"))
    found = _found(result)
    assert sorted(found - PLANTED[app]) == [], "unexpected findings"
    assert sorted(PLANTED[app] - found) == [], "missed findings"
    text = repr(result.findings)
    assert not [value for value in PLANTED_VALUES if value in text]


@pytest.mark.parametrize("app", sorted(PLANTED))
def test_each_planted_repository_covers_every_static_rule(app: str) -> None:
    assert {rule for rule, _, _ in PLANTED[app]} == STATIC_RULES


def test_a_repository_without_its_inventory_is_told_so_at_the_setting(tmp_path: Path) -> None:
    files = _files(FIXTURES / "nextjs-app" / "correct")
    del files["env-inventory.yml"]
    result = _run(tmp_path, files)
    assert _found(result) == {("env/inventory-missing", "launchready.yml", 3)}
