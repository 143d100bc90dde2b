"""SARIF 2.1.0 for GitHub code scanning (``github/codeql-action/upload-sarif``) and for
any other SARIF viewer.

Decisions worth knowing:

* **Rule descriptors**: every rule of every check that ran (passed or failed), plus any
  other rule that has findings (``launchready/unused-ignore``), sorted by id. A stable
  list keeps ``ruleIndex`` stable between runs and lets code scanning show a rule's
  help even when it found nothing in this run. Rules of skipped or errored checks are
  left out: they were not evaluated.
* **Findings without a file** (a hostname, a URL, an env var) get ``logicalLocations``.
  The schema allows a location with only a logical location, but GitHub code scanning
  rejects the *whole upload* when any result lacks ``physicalLocation.artifactLocation``
  ("locationFromSarifResult: expected artifact location", or "expected at least one
  location" when ``locations`` is empty). So such a result is also anchored at the
  configuration file that declared the target (``Report.config_path``), line 1; the
  logical location travels with it. Without a config file inside the repository there
  is no honest anchor: the result is left out of SARIF and a tool notification says how
  many were (they are in the JSON report and the job summary). A check that knows the
  config line can set ``Location.path``/``start_line`` *and* ``target`` and gets both.
* GitHub requires ``region.startLine``; a finding on a whole file is put on line 1.
* ``Location.end_column`` is inclusive, SARIF's ``endColumn`` is exclusive: + 1.
* Skipped and errored checks go to ``invocations[0].toolExecutionNotifications``.
* Output is deterministic: no timestamps, no GUIDs; dicts are built in a fixed, readable
  order (spec order), not ``sort_keys`` (which would put ``runs`` before ``version``).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from launchready_ci.findings import CheckStatus, Confidence, Finding, Report, Severity
from launchready_ci.reporters._common import (
    INFORMATION_URI,
    TOOL_NAME,
    findings_with_check,
    first_sentence,
    rule_class,
    rule_summary,
)
from launchready_ci.rules import Rule

__all__ = ["LEVELS", "SCHEMA_URI", "render"]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

#: Severity -> SARIF level (reporter business, not the model's).
LEVELS: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTICE: "note",
}
_PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}

#: Rule domains that are security problems: tagged "security" and given a
#: security-severity, which code scanning shows as critical/high/medium/low
#: (9.0-10.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low).
_SECURITY_DOMAINS = frozenset({"secrets"})
_SECURITY_SEVERITY = {Severity.ERROR: "9.0", Severity.WARNING: "6.0", Severity.NOTICE: "3.0"}

#: Location.target_kind -> logicalLocation.kind. SARIF lists well-known kinds and allows
#: others; a kind not listed here is passed through as it is.
_LOGICAL_KINDS = {
    "url": "resource",
    "hostname": "resource",
    "domain": "resource",
    "endpoint": "resource",
    "env-var": "variable",
    "secret": "variable",
    "commit": "object",
}

_NOTIFICATIONS = (
    (
        "launchready/check-skipped",
        "A check did not run (not configured, disabled, or not applicable).",
    ),
    ("launchready/check-errored", "A check could not complete; its rules were not evaluated."),
    ("launchready/no-file-location", "Findings without a file location were left out of SARIF."),
)


def render(report: Report) -> str:
    rule_ids = _rule_ids(report)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    anchor = _anchor(report.config_path)
    results = []
    unanchored = 0
    for check_id, finding in findings_with_check(report):
        result = _result(finding, check_id, index[finding.rule_id], anchor)
        if result is None:
            unanchored += 1
        else:
            results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "fullName": "launchready-ci",
                "version": report.tool_version,
                **(
                    {"semanticVersion": report.tool_version}
                    if re.match(r"^\d+\.\d+\.\d+", report.tool_version)
                    else {}
                ),
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rid, report) for rid in rule_ids],
                "notifications": [
                    {"id": nid, "shortDescription": {"text": text}} for nid, text in _NOTIFICATIONS
                ],
            }
        },
        "invocations": [_invocation(report, unanchored)],
        "originalUriBaseIds": {SRCROOT: _srcroot(report.root)},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def _rule_ids(report: Report) -> list[str]:
    from launchready_ci.checks import check_class

    ran = {
        r.check_id for r in report.results if r.status in (CheckStatus.PASSED, CheckStatus.FAILED)
    }
    ids = {f.rule_id for f in report.findings}
    for check_id in ran:
        check = check_class(check_id)
        if check is not None:
            ids.update(rule.id for rule in check.rules)
    return sorted(ids)


def _camel(rule_id: str) -> str:
    name = rule_id.split("/", 1)[-1]
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name))


def _descriptor(rule_id: str, report: Report) -> dict[str, Any]:
    rule = rule_class(rule_id)
    if rule is None:
        return _unknown_descriptor(rule_id, report)
    from launchready_ci.rules.docs import rule_markdown

    doc = rule.doc()
    domain = rule.id.split("/", 1)[0]
    tags = sorted({TOOL_NAME, domain})
    properties: dict[str, Any] = {"tags": tags, "precision": _PRECISION[rule.confidence]}
    if domain in _SECURITY_DOMAINS:
        tags.append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    out: dict[str, Any] = {"id": rule.id}
    if rule.aliases:
        out["deprecatedIds"] = list(rule.aliases)
    out.update(
        {
            "name": _camel(rule.id),
            "shortDescription": {"text": doc.summary},
            "fullDescription": {"text": _flat(doc.why) or doc.summary},
            "help": {"text": _help_text(rule), "markdown": rule_markdown(rule)},
            "helpUri": rule.help_uri(),
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": properties,
        }
    )
    return out


def _unknown_descriptor(rule_id: str, report: Report) -> dict[str, Any]:
    """A rule that is not registered (a plugin or a test): what the findings tell."""
    first = next(f for f in report.findings if f.rule_id == rule_id)
    summary = rule_summary(rule_id, report) or rule_id
    out: dict[str, Any] = {
        "id": rule_id,
        "name": _camel(rule_id),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": summary},
    }
    if first.remediation:
        out["help"] = {"text": first.remediation, "markdown": first.remediation}
    if first.help_uri:
        out["helpUri"] = first.help_uri
    out["defaultConfiguration"] = {"level": LEVELS[first.severity]}
    out["properties"] = {
        "tags": sorted({TOOL_NAME, first.domain}),
        "precision": _PRECISION[first.confidence],
    }
    return out


def _flat(text: str) -> str:
    """Paragraphs kept, hard line wraps removed."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip())


def _help_text(rule: type[Rule]) -> str:
    doc = rule.doc()
    parts = [doc.summary]
    for title, text in (("Why", doc.why), ("Remediation", doc.remediation)):
        if text:
            parts.append(f"{title}: {_flat(text)}")
    parts.append(f"Documentation: {rule.help_uri()}")
    return "\n\n".join(parts)


def _anchor(config_path: str | None) -> str | None:
    """The repository-relative config file that target-only findings are shown at."""
    if not config_path:
        return None
    path = config_path.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in path.split("/"):
        return None
    return path.removeprefix("./")


def _uri(path: str) -> str:
    """A relative URI reference: percent-encoded, so ``:`` or ``#`` in a name stay a path."""
    return quote(path.replace("\\", "/"), safe="/")


def _region(finding: Finding) -> dict[str, int]:
    loc = finding.location
    start = loc.start_line or 1
    region = {"startLine": start}
    end = loc.end_line if loc.end_line is not None and loc.end_line >= start else None
    if end is not None:
        region["endLine"] = end
    if loc.start_line is not None and loc.start_column is not None:
        region["startColumn"] = loc.start_column
        if loc.end_column is not None:
            multi_line = end is not None and end > start
            if multi_line or loc.end_column >= loc.start_column:
                region["endColumn"] = loc.end_column + 1  # inclusive -> exclusive
    return region


def _result(
    finding: Finding, check_id: str, rule_index: int, anchor: str | None
) -> dict[str, Any] | None:
    loc = finding.location
    location: dict[str, Any] = {}
    text = finding.message
    if loc.path is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": _uri(loc.path), "uriBaseId": SRCROOT},
            "region": _region(finding),
        }
    else:
        if anchor is None:
            return None
        text = f"{loc.describe()}: {finding.message}"
        location["physicalLocation"] = {
            "artifactLocation": {"uri": _uri(anchor), "uriBaseId": SRCROOT},
            "region": {"startLine": 1},
        }
    if loc.target is not None:
        kind = loc.target_kind or "resource"
        location["logicalLocations"] = [
            {
                "name": loc.target,
                "kind": _LOGICAL_KINDS.get(kind, kind),
                "fullyQualifiedName": f"{kind}:{loc.target}",
            }
        ]
    rule = rule_class(finding.rule_id)
    if finding.remediation and (rule is None or finding.remediation != rule.doc().remediation):
        # The rule's own remediation is in its help; only a finding-specific one goes here.
        text += f"\nFix: {first_sentence(finding.remediation)}"
    properties: dict[str, Any] = {
        "check": check_id,
        "confidence": finding.confidence.label,
    }
    if finding.properties:
        properties["details"] = dict(finding.properties)
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"launchready/v1": finding.fingerprint},
        "properties": properties,
    }


def _invocation(report: Report, unanchored: int) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = []
    for result in report.results:
        if result.status is CheckStatus.SKIPPED:
            text = f"Check {result.check_id} ({result.title}) skipped: "
            text += result.reason or "no reason given"
            if result.enable_snippet:
                where = report.config_path or "launchready.yml"
                text += f"\nTo enable it, add to {where}:\n{result.enable_snippet.rstrip()}"
            notifications.append(_notification(0, "note", text, result.check_id))
        elif result.status is CheckStatus.ERRORED:
            text = f"Check {result.check_id} ({result.title}) errored: "
            text += result.reason or "no reason given"
            notifications.append(_notification(1, "error", text, result.check_id))
    if unanchored:
        text = (
            f"{unanchored} finding(s) without a file location are not in this SARIF file "
            "(GitHub code scanning needs a file); they are in the JSON report and the job "
            "summary."
        )
        notifications.append(_notification(2, "warning", text, None))
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(r.status is CheckStatus.ERRORED for r in report.results),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _notification(index: int, level: str, text: str, check_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "descriptor": {"id": _NOTIFICATIONS[index][0], "index": index},
        "level": level,
        "message": {"text": text},
    }
    if check_id is not None:
        out["properties"] = {"check": check_id}
    return out


def _srcroot(root: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(root)
        if path.is_absolute():
            out["uri"] = path.as_uri().rstrip("/") + "/"
            break
    out["description"] = {"text": "The repository root that file locations are relative to."}
    return out
