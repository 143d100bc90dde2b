"""SARIF: valid against the 2.1.0 schema, and shaped the way GitHub code scanning needs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from launchready_ci.findings import CheckStatus, Location, Report, Severity
from launchready_ci.reporters import sarif
from launchready_ci.rules import all_rules
from tests.reporters.conftest import make_findings, make_report

#: A copy of /work/shared/schemas/sarif-schema-2.1.0.json (OASIS), kept in the repository
#: so the test works in a fresh clone without the shared folder beside it.
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"
#: Where the shared original lives next to a checkout, when it does.
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / SCHEMA.name


def _doc(report: Report) -> dict[str, Any]:
    return json.loads(sarif.render(report))  # type: ignore[no-any-return]


def _validate(doc: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(doc)


def test_schema_copy_matches_the_shared_original() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not beside this checkout")
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == json.loads(
        SHARED.read_text(encoding="utf-8")
    )


def test_valid_against_the_sarif_schema(report: Report) -> None:
    _validate(_doc(report))


@pytest.mark.parametrize("config_path", [".github/launchready.yml", None, "/etc/launchready.yml"])
def test_valid_in_every_location_variant(config_path: str | None) -> None:
    _validate(_doc(make_report(config_path=config_path)))


def test_valid_when_nothing_was_found() -> None:
    doc = _doc(make_report(()))
    _validate(doc)
    assert doc["runs"][0]["results"] == []


def test_header_and_tool(report: Report) -> None:
    doc = _doc(report)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "launchready"
    assert driver["version"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/launchready/launchready-ci"
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (
        "file:///home/runner/work/app/app/"
    )


def test_descriptors_cover_the_rules_of_checks_that_ran(report: Report) -> None:
    from launchready_ci.checks.secrets.check import SecretsCheck

    rules = _doc(report)["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    expected = {r.id for r in SecretsCheck.rules} | {"launchready/unused-ignore"}
    assert ids == sorted(expected)
    by_id = {r["id"]: r for r in rules}
    key = by_id["secrets/provider-credential"]
    assert key["name"] == "ProviderCredential"
    assert key["shortDescription"]["text"] == all_rules()[key["id"]].doc().summary
    assert key["help"]["markdown"].startswith("# secrets/provider-credential")
    assert key["helpUri"].endswith("/docs/rules/secrets/provider-credential.md")
    assert key["defaultConfiguration"]["level"] == "error"
    assert key["properties"]["precision"] == "high"
    assert key["properties"]["security-severity"] == "9.0"
    assert "security" in key["properties"]["tags"]
    assert by_id["secrets/secret-assignment"]["properties"]["precision"] == "medium"
    assert "security-severity" not in by_id["launchready/unused-ignore"]["properties"]


def test_rules_of_skipped_checks_are_not_described(report: Report) -> None:
    skipped = replace(report.results[0], status=CheckStatus.SKIPPED, findings=(), reason="disabled")
    doc = _doc(replace(report, results=(skipped, *report.results[1:])))
    assert doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_results_levels_indexes_regions_and_fingerprints(report: Report) -> None:
    run = _doc(report)["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "warning", "note"]
    for result, finding in zip(results, report.findings, strict=True):
        assert ids[result["ruleIndex"]] == result["ruleId"] == finding.rule_id
        assert result["partialFingerprints"] == {"launchready/v1": finding.fingerprint}
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == (
            "%SRCROOT%"
        )
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "config/settings.py"
    # Location.end_column is inclusive; SARIF endColumn is exclusive.
    assert first["region"] == {"startLine": 12, "endLine": 12, "startColumn": 15, "endColumn": 47}
    odd = results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert odd == "config/prod%3Aeu%2C1%20%23x.env"
    assert results[3]["message"]["text"].startswith("Literal secret assigned")


def test_target_finding_gets_a_logical_location_anchored_at_the_config(report: Report) -> None:
    result = _doc(report)["runs"][0]["results"][-1]
    location = result["locations"][0]
    assert location["logicalLocations"] == [
        {
            "name": "staging.example.com",
            "kind": "resource",
            "fullyQualifiedName": "hostname:staging.example.com",
        }
    ]
    # GitHub rejects an upload when any result lacks physicalLocation.artifactLocation.
    assert location["physicalLocation"]["artifactLocation"]["uri"] == ".github/launchready.yml"
    assert location["physicalLocation"]["region"] == {"startLine": 1}
    assert result["message"]["text"].startswith("hostname staging.example.com: ")


@pytest.mark.parametrize("config_path", [None, "/etc/launchready.yml", "../elsewhere.yml"])
def test_target_finding_without_an_anchor_is_left_out_and_said_so(config_path: str | None) -> None:
    run = _doc(make_report(config_path=config_path))["runs"][0]
    assert len(run["results"]) == len(make_findings()) - 1
    assert all("physicalLocation" in r["locations"][0] for r in run["results"])
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["descriptor"]["id"] == "launchready/no-file-location"
    assert notes[-1]["message"]["text"].startswith("1 finding(s) without a file location")


def test_path_and_target_together_give_both_locations() -> None:
    rule = all_rules()["launchready/unused-ignore"]
    finding = rule.finding(
        "m",
        Location(
            path="launchready.yml", start_line=9, target="DATABASE_URL", target_kind="env-var"
        ),
    )
    doc = _doc(make_report((finding,)))
    _validate(doc)
    location = doc["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["region"] == {"startLine": 9}
    assert location["logicalLocations"][0]["kind"] == "variable"


def test_skipped_and_errored_checks_are_tool_notifications(report: Report) -> None:
    invocation = _doc(report)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"], n["properties"]["check"]) for n in notes] == [
        ("launchready/check-skipped", "note", "env"),
        ("launchready/check-errored", "error", "migrations"),
    ]
    assert "inventory: env-inventory.yml" in notes[0]["message"]["text"]


def test_execution_successful_without_errored_checks() -> None:
    report = make_report()
    report = replace(report, results=report.results[:2])
    assert _doc(report)["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_unregistered_rule_gets_a_minimal_descriptor() -> None:
    from launchready_ci.findings import Confidence, Finding

    finding = Finding(
        rule_id="plugin/thing",
        message="m",
        severity=Severity.NOTICE,
        confidence=Confidence.LOW,
        location=Location(path="a.py", start_line=2),
        fingerprint="f" * 32,
    )
    doc = _doc(make_report((finding,)))
    _validate(doc)
    rule = next(r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "plugin/thing")
    assert rule["defaultConfiguration"]["level"] == "note"
    assert rule["properties"]["precision"] == "low"


def test_deterministic(report: Report) -> None:
    assert sarif.render(report) == sarif.render(make_report())
