"""Runner: skipped checks, suppressions of every kind, unused ignores, exit policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from launchready_ci.config import load
from launchready_ci.context import RunContext
from launchready_ci.errors import UsageError
from launchready_ci.findings import CheckStatus, Severity
from launchready_ci.runner import RunOptions, parse_fail_on, run
from launchready_ci.suppressions import load_baseline, write_baseline

KEY = "sk_live_" + "ExampleOnly0000000000000000"
LEAK = f'stripe_key = "{KEY}"\n'


def report_for(root: Path, **options: object):  # type: ignore[no-untyped-def]
    return run(RunContext(root=root, config=load(root)), RunOptions(**options))  # type: ignore[arg-type]


def rules_of(report) -> list[tuple[str, str | None, int | None]]:  # type: ignore[no-untyped-def]
    return [(f.rule_id, f.location.path, f.location.start_line) for f in report.findings]


def test_no_config_runs_what_needs_none_and_skips_the_rest(repo: Callable[..., Path]) -> None:
    root = repo({"a.py": LEAK})
    report = report_for(root)
    by_id = {r.check_id: r for r in report.results}
    assert by_id["secrets"].status is CheckStatus.FAILED
    env = by_id["env"]
    assert env.status is CheckStatus.SKIPPED
    assert env.reason and "has no `env:` section" in env.reason
    assert env.enable_snippet and "inventory:" in env.enable_snippet


def test_disabled_check_is_skipped_with_reason(repo: Callable[..., Path]) -> None:
    root = repo({"a.py": LEAK, "launchready.yml": "secrets:\n  enabled: false\n"})
    (secrets,) = [r for r in report_for(root).results if r.check_id == "secrets"]
    assert secrets.status is CheckStatus.SKIPPED
    assert "secrets.enabled: false" in (secrets.reason or "")


def test_config_ignore_by_path(repo: Callable[..., Path]) -> None:
    root = repo(
        {
            "fixtures/a.py": LEAK,
            "app/b.py": LEAK,
            "launchready.yml": "ignore:\n  - rule: secrets/provider-credential\n"
            "    paths: ['fixtures/**']\n",
        }
    )
    report = report_for(root)
    assert rules_of(report) == [("secrets/provider-credential", "app/b.py", 1)]
    assert report.suppressed == 1


def test_unused_config_ignore_is_reported_at_its_line(repo: Callable[..., Path]) -> None:
    root = repo(
        {
            "a.py": "x = 1\n",
            "launchready.yml": "version: 1\nignore:\n  - rule: secrets/private-key\n",
        }
    )
    assert rules_of(report_for(root)) == [("launchready/unused-ignore", "launchready.yml", 3)]


def test_unused_ignore_of_a_skipped_check_is_not_reported(repo: Callable[..., Path]) -> None:
    root = repo({"launchready.yml": "ignore:\n  - rule: env/*\n"})
    assert rules_of(report_for(root)) == []


def test_inline_ignore_on_line_above_and_same_line(repo: Callable[..., Path]) -> None:
    root = repo(
        {
            "a.py": "# launchready: ignore[secrets/provider-credential]\n" + LEAK,
            "b.js": f'const k = "{KEY}"; // launchready: ignore[secrets/*]\n',
            "c.py": LEAK,
        }
    )
    report = report_for(root)
    assert rules_of(report) == [("secrets/provider-credential", "c.py", 1)]
    assert report.suppressed == 2


def test_unused_and_unknown_inline_ignores_are_reported(repo: Callable[..., Path]) -> None:
    root = repo(
        {
            "a.py": "x = 1  # launchready: ignore[secrets/private-key]\n",
            "b.py": "y = 2  # launchready: ignore[secrets/no-such-rule]\n",
        }
    )
    found = report_for(root).findings
    assert [(f.location.path, f.location.start_line) for f in found] == [("a.py", 1), ("b.py", 1)]
    assert "unknown rule 'secrets/no-such-rule'" in found[1].message


def test_baseline_suppresses_by_fingerprint_even_when_lines_move(
    repo: Callable[..., Path],
) -> None:
    root = repo({"a.py": LEAK})
    first = report_for(root)
    write_baseline(root / ".launchready-baseline.json", first.findings)
    data = json.loads((root / ".launchready-baseline.json").read_text())
    assert KEY not in json.dumps(data)
    (root / "a.py").write_text("import os\n\n\n" + LEAK)
    baseline = load_baseline(root, ".launchready-baseline.json")
    assert rules_of(report_for(root, baseline=baseline)) == []
    (root / "b.py").write_text(LEAK.replace("0000", "1111"))
    assert rules_of(report_for(root, baseline=baseline)) == [
        ("secrets/provider-credential", "b.py", 1)
    ]


def test_corrupt_baseline_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{not json")
    with pytest.raises(UsageError, match="not a launchready baseline"):
        load_baseline(tmp_path, "b.json")


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [("error", 1), ("warning", 1), ("notice", 1), ("never", 0)],
)
def test_fail_on_policy(repo: Callable[..., Path], fail_on: str, code: int) -> None:
    root = repo({"a.py": LEAK})
    assert report_for(root, fail_on=fail_on).exit_code == code


def test_warning_only_passes_at_error_threshold(repo: Callable[..., Path]) -> None:
    root = repo({"a.py": 'db_password = "hunter2-but-longer-9x"\n'})
    report = report_for(root)
    assert [f.severity for f in report.findings] == [Severity.WARNING]
    assert report.exit_code == 0
    assert report_for(root, fail_on="warning").exit_code == 1


def test_fail_on_from_config(repo: Callable[..., Path]) -> None:
    root = repo({"a.py": LEAK, "launchready.yml": "fail_on: never\n"})
    assert report_for(root).exit_code == 0


def test_unknown_check_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown check 'secret'"):
        report_for(tmp_path, only=("secret",))


def test_parse_fail_on() -> None:
    assert parse_fail_on("never") is None
    assert parse_fail_on("warning") is Severity.WARNING


def test_a_run_of_some_rules_does_not_call_the_others_ignores_unused(
    repo: Callable[..., Path],
) -> None:
    from launchready_ci.checks.base import Check
    from launchready_ci.checks.env_inventory.rules.missing_in_environment import (
        MissingInEnvironment,
    )

    class OnlyDeployRules(Check):
        id = "deploy-only"
        title = "Deploy-time rules"
        config_key = "env"
        rules = (MissingInEnvironment,)

        def run(self, ctx, section):  # type: ignore[no-untyped-def]
            return iter(())

    root = repo(
        {
            "launchready.yml": "ignore:\n  - rule: env/*\n  - rule: env/unused-entry\n"
            "  - rule: env/missing-in-environment\n",
        }
    )
    ctx = RunContext(root=root, config=load(root))
    report = run(ctx, RunOptions(), checks=(OnlyDeployRules(),))
    assert [dict(f.properties)["ignored_rule"] for f in report.findings] == [
        "env/missing-in-environment"
    ]
    assert report.results[0].title == "Deploy-time rules"
