"""The JSON report: versioned, complete, stable."""

from __future__ import annotations

import json

from launchready_ci.findings import Report
from launchready_ci.reporters import json as json_reporter
from tests.reporters.conftest import NASTY, make_report


def test_document_shape(report: Report) -> None:
    text = json_reporter.render(report)
    assert text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc) == [
        "schema_version",
        "tool",
        "result",
        "exit_code",
        "fail_on",
        "config_path",
        "counts",
        "suppressed",
        "checks",
        "findings",
    ]
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "launchready" and doc["tool"]["version"] == "1.2.3"
    assert (doc["result"], doc["exit_code"], doc["fail_on"]) == ("failed", 1, "error")
    assert doc["counts"] == {"error": 2, "warning": 2, "notice": 1, "total": 5}
    assert doc["suppressed"] == 2


def test_checks_carry_status_reason_and_snippet(report: Report) -> None:
    checks = {c["id"]: c for c in json.loads(json_reporter.render(report))["checks"]}
    assert checks["secrets"]["counts"] == {"error": 2, "warning": 2, "notice": 1}
    assert checks["secrets"]["duration_s"] == 0.421
    assert checks["env"]["status"] == "skipped"
    assert checks["env"]["counts"] is None
    assert checks["env"]["enable_snippet"] == "env:\n  inventory: env-inventory.yml\n"
    assert checks["migrations"]["status"] == "errored"
    assert "connection refused" in checks["migrations"]["reason"]


def test_findings_have_every_field(report: Report) -> None:
    findings = json.loads(json_reporter.render(report))["findings"]
    assert [f["fingerprint"] for f in findings] == [f.fingerprint for f in report.findings]
    first = findings[0]
    assert first["check_id"] == "secrets"
    assert first["location"] == {
        "path": "config/settings.py",
        "start_line": 12,
        "end_line": 12,
        "start_column": 15,
        "end_column": 46,
        "target": None,
        "target_kind": None,
    }
    assert first["properties"]["kind"] == "Stripe Access Key"
    assert first["help_uri"].endswith("secrets/provider-credential.md")
    assert first["remediation"].startswith("Revoke or roll the key")
    nasty = next(f for f in findings if f["rule_id"] == "secrets/secret-assignment")
    assert nasty["message"] == NASTY  # JSON escapes; nothing is lost
    target = findings[-1]["location"]
    assert (target["path"], target["target"], target["target_kind"]) == (
        None,
        "staging.example.com",
        "hostname",
    )


def test_fail_on_never_and_passing_result() -> None:
    doc = json.loads(json_reporter.render(make_report((), fail_on=None)))
    assert doc["fail_on"] == "never"
    assert doc["result"] == "passed" and doc["exit_code"] == 0


def test_deterministic(report: Report) -> None:
    assert json_reporter.render(report) == json_reporter.render(make_report())
