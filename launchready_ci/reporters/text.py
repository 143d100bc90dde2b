"""The terminal report: findings first (``path:line:col: severity rule-id message``,
then how to fix and where to read more), then one line per check, then the verdict.

At scale, findings are grouped by rule: a rule with more than :data:`SHOWN` findings
prints a header with its count, the first :data:`SHOWN` of them, and one line saying how
many more there are and where they are listed (``more_at``: the job summary, or
``--verbose``, which prints every finding). The fix and the docs link come once per
rule. When no rule has more than :data:`SHOWN`, findings print one by one as before.

Everything that came from the repository or a remote service (messages, paths, reasons)
goes through :func:`_clean` (or :func:`one_line` for a path or an id, which must not
break its line), so a control character cannot move the cursor, recolour the terminal
or forge a line. What the CLI prints passes :mod:`launchready_ci.github.console` too.
"""

from __future__ import annotations

from launchready_ci.findings import CheckResult, CheckStatus, Finding, Report, Severity
from launchready_ci.reporters._common import (
    check_counts,
    counts_phrase,
    fail_on_label,
    first_sentence,
    format_duration,
    one_line,
    plural,
    status_word,
    verdict,
    visible,
)

__all__ = ["render"]

_RESET = "\x1b[0m"
_STYLE = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[33m",
    "notice": "\x1b[36m",
    "passed": "\x1b[32m",
    "failed": "\x1b[1;31m",
    "findings": "\x1b[33m",
    "skipped": "\x1b[2m",
    "errored": "\x1b[1;35m",
    "passed-with-findings": "\x1b[33m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
}


def _clean(text: str) -> str:
    """Make text safe for a terminal: ``\\r\\n`` -> ``\\n``, a lone ``\\r`` (which would
    return the cursor and overwrite the line) and other controls -> visible escapes."""
    return visible(text.replace("\r\n", "\n")).replace("\r", "\\r")


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        if not self.color or not text:
            return text
        return f"{_STYLE[style]}{text}{_RESET}"


#: Findings of one rule printed before the rest are counted (without --verbose).
SHOWN = 3


def render(
    report: Report, *, color: bool = False, verbose: bool = False, more_at: str = "--verbose"
) -> str:
    """The human-readable report. ANSI colour only when ``color`` is true; every finding
    with ``verbose``, else at most :data:`SHOWN` per rule (``more_at`` says where the
    others are listed)."""
    paint = _Painter(color)
    out: list[str] = []
    findings = report.findings
    if verbose:
        for finding in findings:
            out.extend(_finding(finding, paint))
    else:
        out.extend(_grouped(findings, paint, more_at))
    if findings:
        out.append("")
    out.extend(_checks(report, paint))
    out.append("")
    out.append(_verdict(report, paint))
    return "\n".join(out) + "\n"


def _grouped(findings: tuple[Finding, ...], paint: _Painter, more_at: str) -> list[str]:
    """Findings rule by rule (the most severe rule first, then the most frequent)."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    order = sorted(
        by_rule.values(),
        key=lambda group: (-max(f.severity for f in group), -len(group), group[0].rule_id),
    )
    if all(len(group) <= SHOWN for group in order):
        return [line for finding in findings for line in _finding(finding, paint)]
    lines: list[str] = []
    for group in order:
        if len(group) <= SHOWN:
            for finding in group:
                lines.extend(_finding(finding, paint))
            continue
        first = group[0]
        level = max(f.severity for f in group).label
        files = len({f.location.path or f.location.describe() for f in group})
        lines.append(
            f"{paint(level, level)} {paint('bold', _clean(first.rule_id))}: "
            f"{len(group)} findings in {plural(files, 'file')}"
        )
        for finding in group[:SHOWN]:
            where = _clean(finding.location.describe())
            message = _clean(finding.message).split("\n")[0]
            lines.append(f"  {paint('bold', where)}: {message}")
        lines.append(f"  ... and {len(group) - SHOWN} more ({_clean(more_at)})")
        fix = first_sentence(_clean(first.remediation))
        if fix:
            lines.append(f"    fix:  {fix}")
        if first.help_uri:
            lines.append(f"    docs: {_clean(first.help_uri)}")
    return lines


def _finding(finding: Finding, paint: _Painter) -> list[str]:
    where = one_line(finding.location.describe())
    level = finding.severity.label
    message_lines = _clean(finding.message).split("\n") or [""]
    head = (
        f"{paint('bold', where)}: {paint(level, level)} "
        f"{paint('dim', finding.rule_id)} {message_lines[0]}"
    )
    lines = [head]
    lines.extend(f"    {line}" for line in message_lines[1:])
    fix = first_sentence(_clean(finding.remediation))
    if fix:
        lines.append(f"    fix:  {fix}")
    if finding.help_uri:
        lines.append(f"    docs: {one_line(finding.help_uri)}")
    return lines


_HEADERS = ("check", "result", "errors", "warnings", "notices", "suppressed", "time")


def _checks(report: Report, paint: _Painter) -> list[str]:
    if not report.results:
        return ["No checks ran."]
    rows: list[tuple[str, ...]] = []
    for result in report.results:
        ran = result.status in (CheckStatus.PASSED, CheckStatus.FAILED)
        counts = check_counts(result)
        rows.append(
            (
                one_line(result.check_id),
                status_word(result, report),
                *(
                    (str(counts[s.label]) if ran else "-")
                    for s in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)
                ),
                str(result.suppressed) if ran else "-",
                format_duration(result.duration_s) if ran or result.duration_s else "-",
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(_HEADERS)]

    def line(cells: tuple[str, ...], result: CheckResult | None = None) -> str:
        parts = []
        for i, cell in enumerate(cells):
            padded = cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
            if i == 1 and result is not None:
                padded = paint(status_word(result, report), padded)
            parts.append(padded)
        return "  " + "  ".join(parts).rstrip()

    lines = ["Checks:", paint("dim", line(_HEADERS))]
    for result, row in zip(report.results, rows, strict=True):
        lines.append(line(row, result))
        lines.extend(_detail(result, report))
    return lines


def _detail(result: CheckResult, report: Report) -> list[str]:
    """What a check scanned; or why it did not run and, for a skipped one, how to turn it on."""
    pad = "      "
    if result.status not in (CheckStatus.SKIPPED, CheckStatus.ERRORED):
        lines = [f"{pad}scanned: {_clean(result.scope)}"] if result.scope else []
        return lines + _table(result.measurements, pad)
    label = "reason" if result.status is CheckStatus.SKIPPED else "error"
    lines = []
    reason = _clean(result.reason or "no reason given").split("\n")
    lines.append(f"{pad}{label}: {reason[0]}")
    lines.extend(f"{pad}  {more}" for more in reason[1:])
    if result.status is CheckStatus.SKIPPED and result.enable_snippet:
        where = one_line(report.config_path or "launchready.yml")
        lines.append(f"{pad}to enable it, add to {where}:")
        lines.append(_indent(_clean(result.enable_snippet.rstrip("\n")), pad + "    "))
    return lines


def _table(rows: tuple[tuple[str, ...], ...], pad: str) -> list[str]:
    """A check's measurements, in aligned columns (the first two left-aligned)."""
    if len(rows) < 2:
        return []
    cleaned = [tuple(one_line(c) for c in row) for row in rows]
    widths = [max(len(row[i]) for row in cleaned) for i in range(len(cleaned[0]))]
    out = []
    for row in cleaned:
        cells = [
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append((pad + "  ".join(cells)).rstrip())
    return out


def _verdict(report: Report, paint: _Painter) -> str:
    counts = report.counts()
    total = sum(counts.values())
    text = plural(total, "finding")
    if total:
        text += f" ({counts_phrase(counts)})"
    text += f", {report.suppressed} suppressed"
    if report.baselined:
        text += f" ({report.baselined} by the baseline)"
    for status in (CheckStatus.SKIPPED, CheckStatus.ERRORED):
        n = sum(1 for r in report.results if r.status is status)
        if n:
            text += f", {plural(n, 'check')} {status.value}"
    result = report.result
    why = verdict(report).removeprefix(result)
    return (
        f"{text}. fail-on {fail_on_label(report)} -> "
        f"{paint(result, result)}{why} (exit code {report.exit_code})"
    )
