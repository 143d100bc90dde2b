"""A fixed report for the reporter tests, and the golden-file fixture.

Golden files live in tests/golden/; regenerate them with
``UPDATE_GOLDEN=1 pytest tests/reporters`` and review the diff before committing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from launchready_ci import __version__
from launchready_ci.checks.env_inventory.check import EnvInventoryCheck
from launchready_ci.findings import (
    CheckResult,
    CheckStatus,
    Confidence,
    Finding,
    Location,
    Report,
    Severity,
)
from launchready_ci.rules import all_rules

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

#: Every character that has to be escaped somewhere: workflow commands (% \r \n : ,),
#: Markdown tables (| `), HTML (< >), terminals (\r, ESC).
NASTY = (
    "Literal secret assigned to `DB_PASSWORD` (hunter…9x2z) | 100% sure, maybe: "
    "see line\r\nnext <script>alert(1)</script> \x1b[2J done"
)


def _rule(rule_id: str):  # type: ignore[no-untyped-def]
    return all_rules()[rule_id]


def make_findings() -> tuple[Finding, ...]:
    provider = _rule("secrets/provider-credential")
    private_key = _rule("secrets/private-key")
    assignment = _rule("secrets/secret-assignment")
    unused = _rule("launchready/unused-ignore")
    return (
        provider.finding(
            "Stripe Access Key committed (sk_live_…9f2c)",
            Location(
                path="config/settings.py",
                start_line=12,
                end_line=12,
                start_column=15,
                end_column=46,
            ),
            content="3f" * 32,
            properties={
                "kind": "Stripe Access Key",
                "preview": "sk_live_…9f2c",
            },
        ),
        private_key.finding(
            "Private key committed",
            Location(path="deploy/keys/id_rsa", start_line=1, end_line=27),
            content="a1" * 32,
            properties={"kind": "Private Key"},
        ),
        assignment.finding(
            NASTY,
            Location(
                path="config/prod:eu,1 #x.env",
                start_line=3,
                end_line=3,
                start_column=1,
                end_column=30,
            ),
            content="5e" * 32,
        ),
        unused.finding(
            "Ignore of secrets/private-key in config matches no finding",
            Location(path=".github/launchready.yml", start_line=7, end_line=7),
            content="config:secrets/private-key::",
            properties={"ignored_rule": "secrets/private-key"},
        ),
        unused.finding(
            "Ignore of secrets/* for this target matches no finding",
            Location(target="staging.example.com", target_kind="hostname"),
            content="config:secrets/*::staging.example.com",
            severity=Severity.NOTICE,
            confidence=Confidence.MEDIUM,
            properties={"ignored_rule": "secrets/*"},
        ),
    )


def make_report(
    findings: tuple[Finding, ...] | None = None,
    *,
    config_path: str | None = ".github/launchready.yml",
    fail_on: Severity | None = Severity.ERROR,
    extra_results: tuple[CheckResult, ...] | None = None,
) -> Report:
    found = make_findings() if findings is None else findings
    results = (
        CheckResult(
            check_id="secrets",
            title="Secrets",
            status=CheckStatus.FAILED if found else CheckStatus.PASSED,
            findings=found,
            suppressed=2,
            duration_s=0.4213,
        ),
        CheckResult(
            check_id="env",
            title="Environment inventory",
            status=CheckStatus.SKIPPED,
            reason="not configured: add a `env:` section to .github/launchready.yml",
            enable_snippet=EnvInventoryCheck.enable_snippet,
        ),
        CheckResult(
            check_id="migrations",
            title="Database migrations",
            status=CheckStatus.ERRORED,
            reason="cannot connect to postgres at localhost:5432: connection refused",
            duration_s=3.05,
        ),
        CheckResult(
            check_id="smoke",
            title="Smoke tests",
            status=CheckStatus.PASSED,
            duration_s=12.5,
            measurements=(
                ("Journey", "Step", "Result", "Status", "p50", "p95", "max", "Budget"),
                ("sign-in", "log in", "passed", "200", "41 ms", "88 ms", "93 ms", "700 ms"),
                ("feed", "GET /feed|<b>", "passed", "200", "12 ms", "19 ms", "20 ms", "300 ms"),
            ),
        ),
    )
    return Report(
        tool_version="1.2.3",
        results=results if extra_results is None else extra_results,
        fail_on=fail_on,
        root="/home/runner/work/app/app",
        config_path=config_path,
    )


@pytest.fixture
def report() -> Report:
    return make_report()


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """``golden(name, text)``: compare with tests/golden/<name>, or rewrite it when
    UPDATE_GOLDEN=1. ``/blob/v{VERSION}/`` in the files stands for this version's tag."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        # The docs links name the release that runs: the files hold a placeholder for it.
        text = text.replace(f"/blob/v{__version__}/", "/blob/v{VERSION}/")
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest tests/reporters"
        expected = path.read_bytes().decode("utf-8")
        assert text == expected, (
            f"output differs from {path}; if the change is intended, regenerate with "
            "UPDATE_GOLDEN=1 pytest tests/reporters and review the diff"
        )

    return check
