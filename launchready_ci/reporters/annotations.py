"""GitHub workflow-command annotations (``::error file=...,line=...::message``).

GitHub keeps at most 10 error, 10 warning and 10 notice annotations per step (and 50
per job) and drops the rest without a word. So the most severe are written first
(``report.findings`` is sorted; on a pull request, the findings on the lines it changed
first), at most ``per_level_limit`` of each level, and then one
``::notice`` says how many were left out and where to read them. That notice counts
against the notice limit itself, so when it is needed one notice slot is kept for it.

Control characters other than line breaks are made visible (``\\x1b``) before the
toolkit escaping, which leaves them alone: an ANSI sequence in a message would otherwise
reach the log viewer.

A check that errored is reported as an error annotation before the findings: it is why
the run fails, and it is easy to miss in a log.
"""

from __future__ import annotations

from collections.abc import Mapping

from launchready_ci.findings import CheckStatus, Finding, Report, Severity
from launchready_ci.github.commands import annotation
from launchready_ci.reporters._common import first_sentence, plural, rule_summary, visible

__all__ = ["COMMANDS", "LEVELS", "render"]

#: Severity -> annotation level. Kept here: the model knows nothing about GitHub.
LEVELS: dict[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTICE: "notice",
}
_ORDER = ("error", "warning", "notice")
#: The workflow commands this reporter writes (the CLI lets these through as commands).
COMMANDS = frozenset(_ORDER)


def render(
    report: Report,
    *,
    per_level_limit: int = 10,
    more_at: str = "the job summary",
    changed: Mapping[str, frozenset[int]] | None = None,
) -> str:
    """Annotation lines, most severe first, capped per level; ``""`` when there are none.

    ``changed`` (a pull request's changed lines by path) puts, within each level, the
    findings on a changed line first, then those in a changed file: what the pull
    request did is what its author can fix, and the cap keeps only the first ten.
    """
    if per_level_limit < 1:
        raise ValueError("per_level_limit must be at least 1")
    findings = list(report.findings)
    if changed:
        findings.sort(key=lambda f: (-f.severity, _distance(f, changed)))
    items = _errored_checks(report) + [(LEVELS[f.severity], _finding(f, report)) for f in findings]
    totals = {level: 0 for level in _ORDER}
    for level, _line in items:
        totals[level] += 1
    overflow = any(n > per_level_limit for n in totals.values())
    budget = dict.fromkeys(_ORDER, per_level_limit)
    if overflow:
        budget["notice"] = per_level_limit - 1  # the last slot is for the "more" notice

    lines: list[str] = []
    left_out = dict.fromkeys(_ORDER, 0)
    for level, line in items:
        if budget[level] > 0:
            budget[level] -= 1
            lines.append(line)
        else:
            left_out[level] += 1
    if any(left_out.values()):
        lines.append(_more(left_out, per_level_limit, more_at))
    return "".join(line + "\n" for line in lines)


def _distance(finding: Finding, changed: Mapping[str, frozenset[int]]) -> int:
    """0: on a line the pull request changed, 1: in a file it changed, 2: elsewhere."""
    loc = finding.location
    if loc.path is None or loc.path not in changed:
        return 2
    if loc.start_line is None:
        return 1
    span = range(loc.start_line, (loc.end_line or loc.start_line) + 1)
    return 0 if any(n in changed[loc.path] for n in span) else 1


def _errored_checks(report: Report) -> list[tuple[str, str]]:
    out = []
    for result in report.results:
        if result.status is CheckStatus.ERRORED:
            reason = result.reason or "no reason given"
            out.append(
                (
                    "error",
                    annotation(
                        "error",
                        visible(
                            f"The {result.title} check ({result.check_id}) could not run: {reason}"
                        ),
                        title=f"launchready: {result.check_id} check errored",
                    ),
                )
            )
    return out


def _finding(finding: Finding, report: Report) -> str:
    loc = finding.location
    message = finding.message
    if loc.path is None:
        message = f"{loc.describe()}: {message}"
    extra = []
    fix = first_sentence(finding.remediation)
    if fix:
        extra.append(f"Fix: {fix}")
    if finding.help_uri:
        extra.append(f"Docs: {finding.help_uri}")
    if extra:
        message += "\n\n" + "\n".join(extra)
    summary = rule_summary(finding.rule_id, report)
    title = f"{finding.rule_id}: {summary}" if summary else finding.rule_id
    return annotation(
        LEVELS[finding.severity],
        visible(message),
        title=title,
        file=loc.path,
        line=loc.start_line,
        end_line=loc.end_line,
        col=loc.start_column,
        end_column=loc.end_column,
    )


def _more(left_out: dict[str, int], limit: int, more_at: str) -> str:
    total = sum(left_out.values())
    parts = ", ".join(plural(n, level) for level, n in left_out.items() if n)
    message = (
        f"{plural(total, 'more annotation')} ({parts}) not shown: GitHub shows at most "
        f"{limit} annotations of each level per step. Read every finding in {more_at}."
    )
    return annotation("notice", message, title="launchready: more findings")
