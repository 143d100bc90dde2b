"""The Markdown job summary (``$GITHUB_STEP_SUMMARY``): the verdict, one table of
checks, then the findings grouped by rule with the remediation and a link to the docs.

GitHub rejects a step summary over 1 MiB, so findings stop being added before the text
would pass ``max_bytes`` (UTF-8) and a closing note says how many were left out.

Text that came from the repository or a remote service (messages, paths, reasons) is
escaped by :func:`escape`, so it cannot break a table or inject HTML. Rule docs are
our own Markdown and are rendered as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from launchready_ci.findings import CheckResult, CheckStatus, Finding, Report
from launchready_ci.reporters._common import (
    check_counts,
    counts_phrase,
    fail_on_label,
    format_duration,
    plural,
    rule_class,
    rule_summary,
    severities,
    status_word,
    verdict,
    visible,
)

__all__ = ["DEFAULT_MAX_BYTES", "enable_block", "escape", "render"]

#: Half of GitHub's 1 MiB limit: other steps of the job write to the summary too.
DEFAULT_MAX_BYTES = 512 * 1024

_RESULT = {
    "passed": "✅ launchready: passed",
    "passed-with-findings": "⚠️ launchready: passed with findings",
    "failed": "❌ launchready: failed",
}
_STATUS = {
    "passed": "✅ passed",
    "failed": "❌ failed",
    "findings": "⚠️ findings",
    "skipped": "⏭️ skipped",
    "errored": "💥 errored",
}
_SEVERITY = {"error": "🔴 error", "warning": "🟠 warning", "notice": "🔵 notice"}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape(text: str) -> str:
    """Inline text safe for a Markdown table cell: no HTML, no formatting, one line."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render(report: Report, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The job summary, at most ``max_bytes`` UTF-8 bytes.

    The verdict and the check table always come first; findings are added while they
    fit, keeping room for the closing note. (Only a ``max_bytes`` too small for the
    verdict and the note themselves can be exceeded.)
    """
    findings = report.findings
    budget = max_bytes - _size(_note(len(findings), len(findings), table=True))
    head = _head(report)
    if _size(head) > budget:
        return _verdict(report) + _note(len(findings), len(findings), table=True)

    parts = [head]
    size = _size(head)
    shown = 0
    if findings:
        parts.append("### Findings\n\n")
        size += _size(parts[-1])
    for group in _groups(findings):
        pending = _group_header(group, report)
        stopped = False
        for row in _rows(group):
            chunk = pending + row
            if size + _size(chunk) + 1 > budget:  # + 1: the newline that ends the table
                stopped = True
                break
            parts.append(chunk)
            size += _size(chunk)
            pending = ""
            shown += 1
        if not pending:  # at least one row went out: end the table
            parts.append("\n")
            size += 1
        if stopped:
            break
    if shown < len(findings):
        parts.append(_note(len(findings) - shown, len(findings)))
    return "".join(parts)


def _verdict(report: Report) -> str:
    counts = report.counts()
    total = sum(counts.values())
    text = f"<!-- launchready report -->\n## {_RESULT[report.result]}\n\n"
    line = plural(total, "finding")
    if total:
        line += f" ({counts_phrase(counts)})"
    line += f", {report.suppressed} suppressed. "
    line += f"**Result: {verdict(report)}** (fail-on: {fail_on_label(report)}, "
    line += f"exit code {report.exit_code})."
    return text + line + "\n\n"


def _head(report: Report) -> str:
    out = [_verdict(report)]
    if report.results:
        out.append(_check_table(report))
    for result in report.results:
        out.append(_enable(result, report))
    for result in report.results:
        out.append(_measurements(result))
    return "".join(out)


def _measurements(result: CheckResult) -> str:
    if len(result.measurements) < 2:
        return ""
    head, *rows = result.measurements
    lines = [
        f"### {escape(result.title)}",
        "",
        "| " + " | ".join(escape(c) for c in head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n\n"


def _check_table(report: Report) -> str:
    labels = [s.label for s in severities()]
    lines = [
        "| Check | Result | "
        + " | ".join(f"{label.title()}s" for label in labels)
        + " | Suppressed | Time |",
        "|---|---|" + "---:|" * (len(labels) + 2),
    ]
    for result in report.results:
        ran = result.status in (CheckStatus.PASSED, CheckStatus.FAILED)
        status = _STATUS[status_word(result, report)]
        if not ran:
            status += f": {escape(result.reason or 'no reason given')}"
        counts = check_counts(result)
        cells = [str(counts[label]) if ran else "–" for label in labels]
        cells.append(str(result.suppressed) if ran else "–")
        cells.append(format_duration(result.duration_s) if ran or result.duration_s else "–")
        name = f"{escape(result.title)} (`{_code(result.check_id)}`)"
        lines.append(f"| {name} | {status} | " + " | ".join(cells) + " |")
    scopes = [
        f"- {escape(r.title)}: {escape(r.scope)}"
        for r in report.results
        if r.scope and r.status in (CheckStatus.PASSED, CheckStatus.FAILED)
    ]
    if scopes:
        lines += ["", "Scanned:", "", *scopes]
    return "\n".join(lines) + "\n\n"


def _enable(result: CheckResult, report: Report) -> str:
    if result.status is not CheckStatus.SKIPPED or not result.enable_snippet:
        return ""
    return enable_block(
        result.title, report.config_path or "launchready.yml", result.enable_snippet
    )


def enable_block(title: str, where: str, snippet: str) -> str:
    """The folded "How to enable" block of a skipped check (or command)."""
    fence = _fence(snippet)
    return (
        f"<details><summary>How to enable {escape(title)}</summary>\n\n"
        f"Add this to {escape(where)}:\n\n"
        f"{fence}yaml\n{snippet.rstrip()}\n{fence}\n\n"
        "</details>\n\n"
    )


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _code(text: str) -> str:
    """Text for inside a code span in a table: no backticks, pipes escaped."""
    return text.replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _groups(findings: tuple[Finding, ...]) -> list[list[Finding]]:
    """Findings grouped by rule, groups in the order of their most severe finding."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule_id, []).append(finding)
    return list(groups.values())


def _group_header(group: list[Finding], report: Report) -> str:
    rule_id = group[0].rule_id
    summary = rule_summary(rule_id, report)
    rule = rule_class(rule_id)
    remediation = rule.doc().remediation if rule is not None else group[0].remediation
    uri = group[0].help_uri or (rule.help_uri() if rule is not None else "")
    out = [f"#### `{_code(rule_id)}`"]
    if summary:
        out[0] += f": {summary}"
    out.append("")
    out.append(plural(len(group), "finding") + ".")
    if remediation:
        out += ["", f"**Remediation:** {remediation}"]
    if uri:
        out += ["", f"[Rule documentation]({uri})"]
    out += ["", "| Severity | Location | Message |", "|---|---|---|", ""]
    return "\n".join(out)


def _rows(group: list[Finding]) -> Iterator[str]:
    rule = rule_class(group[0].rule_id)
    default_fix = rule.doc().remediation if rule is not None else group[0].remediation
    for finding in group:
        message = escape(finding.message)
        if finding.remediation and finding.remediation != default_fix:
            message += "<br>Fix: " + escape(finding.remediation)
        where = escape(finding.location.describe())
        yield f"| {_SEVERITY[finding.severity.label]} | {where} | {message} |\n"


def _note(left_out: int, total: int, *, table: bool = False) -> str:
    what = f"{left_out} of {plural(total, 'finding')}"
    if table:
        what += " and the check table"
    return (
        f"> **Note:** {what} are not shown here: GitHub limits a job summary to 1 MiB. "
        "Every finding is in the SARIF and JSON reports (`--sarif FILE`, `--json FILE`).\n"
    )
