"""The machine-readable report: one versioned JSON document.

``schema_version`` changes only when a field is removed or changes meaning; new fields
may appear at any time. Keys come in a fixed, readable order (not sorted), ``indent=2``
and a trailing newline, so the file diffs well and golden tests are stable.
"""

from __future__ import annotations

import json
from typing import Any

from launchready_ci.findings import CheckResult, CheckStatus, Finding, Report
from launchready_ci.reporters._common import (
    INFORMATION_URI,
    TOOL_NAME,
    check_counts,
    fail_on_label,
    findings_with_check,
)

__all__ = ["SCHEMA_VERSION", "render"]

SCHEMA_VERSION = 1


def render(report: Report) -> str:
    counts: dict[str, int] = report.counts()
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version, "uri": INFORMATION_URI},
        "result": report.result,
        "exit_code": report.exit_code,
        "fail_on": fail_on_label(report),
        "config_path": report.config_path,
        "counts": {**counts, "total": sum(counts.values())},
        "suppressed": report.suppressed,
        "checks": [_check(r) for r in report.results],
        "findings": [_finding(f, check_id) for check_id, f in findings_with_check(report)],
    }
    return dumps(doc)


def dumps(doc: Any) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False, default=str)`` plus a newline, the
    same text (but for exponents: 1e-05 is written 1e-5 or 0.00001), written by orjson:
    the standard library's encoder runs in pure Python as
    soon as it indents (40 ms for a report of 1,500 findings, orjson 3 ms). What orjson
    refuses (integers past 64 bits, keys that are not strings, lone surrogates) goes to
    the standard library; dates and dataclasses go through ``str`` as there."""
    import orjson

    options = (
        orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    )
    try:
        return orjson.dumps(doc, default=str, option=options).decode() + "\n"
    except TypeError:
        return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def _check(result: CheckResult) -> dict[str, Any]:
    ran = result.status in (CheckStatus.PASSED, CheckStatus.FAILED)
    return {
        "id": result.check_id,
        "title": result.title,
        "status": result.status.value,
        "counts": check_counts(result) if ran else None,
        "suppressed": result.suppressed,
        "duration_s": round(result.duration_s, 3),
        "reason": result.reason,
        "enable_snippet": result.enable_snippet,
        "scope": result.scope,
        "measurements": [
            dict(zip(result.measurements[0], row, strict=True)) for row in result.measurements[1:]
        ],
    }


def _finding(finding: Finding, check_id: str) -> dict[str, Any]:
    loc = finding.location
    return {
        "rule_id": finding.rule_id,
        "check_id": check_id,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "message": finding.message,
        "location": {
            "path": loc.path,
            "start_line": loc.start_line,
            "end_line": loc.end_line,
            "start_column": loc.start_column,
            "end_column": loc.end_column,
            "target": loc.target,
            "target_kind": loc.target_kind,
        },
        "fingerprint": finding.fingerprint,
        "remediation": finding.remediation,
        "help_uri": finding.help_uri,
        "properties": dict(finding.properties),
    }
