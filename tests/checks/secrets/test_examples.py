"""Each secrets rule's documented examples behave as documented on a real git repo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from launchready_ci.checks.secrets.check import SecretsCheck
from launchready_ci.config import Config
from launchready_ci.context import RunContext
from launchready_ci.runner import RunOptions, run


def scan(root: Path) -> list[tuple[str, str, int | None]]:
    report = run(RunContext(root=root, config=Config()), RunOptions(only=("secrets",)))
    return [(f.rule_id, f.location.path or "", f.location.start_line) for f in report.findings]


CASES = [
    (rule.id, kind, text)
    for rule in SecretsCheck.rules
    for kind in ("bad", "good")
    for text in rule.examples[kind]
]


@pytest.mark.parametrize(("rule_id", "kind", "text"), CASES)
def test_rule_example(repo: Callable[..., Path], rule_id: str, kind: str, text: str) -> None:
    # A dotenv rule's examples are dotenv files; the others are code.
    path = ".env.production" if rule_id == "secrets/committed-env-file" else "src/example.py"
    root = repo({path: text + "\n"})
    found = [rid for rid, _, _ in scan(root)]
    if kind == "bad":
        assert rule_id in found
    else:
        assert rule_id not in found


def test_untracked_files_are_scanned_and_ignored_files_are_not(repo: Callable[..., Path]) -> None:
    root = repo({".gitignore": "secret.env\n", "README.md": "hi\n"})
    key = "sk_live_" + "ExampleOnly0000000000000000"
    (root / "new.py").write_text(f'KEY = "{key}"\n')
    (root / "secret.env").write_text(f'KEY = "{key}"\n')
    assert scan(root) == [("secrets/provider-credential", "new.py", 1)]


def test_works_outside_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    key = "sk_live_" + "ExampleOnly0000000000000000"
    (tmp_path / "node_modules" / "x.js").write_text(f'k = "{key}"\n')
    (tmp_path / "app.js").write_text(f'const k = "{key}";\n')
    assert scan(tmp_path) == [("secrets/provider-credential", "app.js", 1)]


def test_local_database_url_is_not_a_leak(repo: Callable[..., Path]) -> None:
    root = repo({".env.example": "DATABASE_URL=postgres://app:app@localhost:5432/app\n"})
    assert scan(root) == []


def test_finding_holds_no_secret_value(repo: Callable[..., Path]) -> None:
    key = "sk_live_" + "PlantedValueQQQQQQQQQQQQQQQ"
    root = repo({"a.py": f'stripe_key = "{key}"\n'})
    report = run(RunContext(root=root, config=Config()), RunOptions(only=("secrets",)))
    (finding,) = report.findings
    assert key not in repr(finding)
    props = dict(finding.properties)
    assert props["preview"].startswith("sk_live_")
