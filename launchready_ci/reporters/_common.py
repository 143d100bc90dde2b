"""Small helpers shared by the reporters (private)."""

from __future__ import annotations

import re

from launchready_ci.findings import CheckResult, CheckStatus, Finding, Report, Severity
from launchready_ci.rules import Rule, lookup

__all__ = [
    "INFORMATION_URI",
    "TOOL_NAME",
    "check_counts",
    "counts_phrase",
    "fail_on_label",
    "findings_with_check",
    "first_sentence",
    "format_duration",
    "one_line",
    "plural",
    "rule_class",
    "rule_summary",
    "severities",
    "status_word",
    "verdict",
    "visible",
]

TOOL_NAME = "launchready"
INFORMATION_URI = "https://github.com/launchready/launchready-ci"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")

# C0/C1 controls except tab, newline and carriage return; DEL; and the bidi overrides
# and isolates of "Trojan Source" (CVE-2021-42574).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Control characters (other than tab and line breaks) as visible escapes (``\\x1b``),
    so text from a repository cannot recolour a terminal or a log, or reorder a line."""
    return _INVISIBLE.sub(lambda m: repr(m.group())[1:-1], text)


def one_line(text: str) -> str:
    """:func:`visible`, line breaks too: for what must stay on its line (a path, an id)."""
    return visible(text).replace("\r", "\\r").replace("\n", "\\n")


def verdict(report: Report) -> str:
    """Why the run passed or failed, in words: ``failed: 2 findings at error or above``."""
    result = report.result
    if report.fail_on is None:
        return f"{result}: fail-on is never"
    reasons = []
    errored = sum(1 for r in report.results if r.status is CheckStatus.ERRORED)
    failing = sum(1 for f in report.findings if f.severity >= report.fail_on)
    level = report.fail_on.label
    if failing:
        reasons.append(f"{plural(failing, 'finding')} at {level} or above")
    if errored:
        reasons.append(f"{plural(errored, 'check')} errored")
    if not reasons:
        reasons.append(f"no finding at {level} or above")
    return f"{result}: " + " and ".join(reasons)


def status_word(result: CheckResult, report: Report) -> str:
    """A check's result in one word. A check whose findings are all below --fail-on
    reads ``findings``, not ``failed``: it did not fail the run."""
    if result.status is CheckStatus.FAILED and not (
        report.fail_on is not None and any(f.severity >= report.fail_on for f in result.findings)
    ):
        return "findings"
    return result.status.value


def severities() -> list[Severity]:
    """Most severe first."""
    return sorted(Severity, reverse=True)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def counts_phrase(counts: dict[str, int]) -> str:
    """``2 errors, 1 warning, 0 notices``."""
    return ", ".join(plural(counts.get(s.label, 0), s.label) for s in severities())


def fail_on_label(report: Report) -> str:
    return report.fail_on.label if report.fail_on is not None else "never"


def check_counts(result: CheckResult) -> dict[str, int]:
    counts = {s.label: 0 for s in severities()}
    for finding in result.findings:
        counts[finding.severity.label] += 1
    return counts


def format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 120:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of the first paragraph, unwrapped, at most ``limit`` chars."""
    paragraph = text.strip().split("\n\n", 1)[0]
    flat = " ".join(paragraph.split())
    sentence = flat
    for end in _SENTENCE_END.finditer(flat):
        head = flat[: end.start()]
        # not inside `code`, not after an ellipsis ("REINDEX ... CONCURRENTLY")
        if head.count("`") % 2 == 0 and not head.endswith(".."):
            sentence = head
            break
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence


def rule_class(rule_id: str) -> type[Rule] | None:
    return lookup(rule_id)


def rule_summary(rule_id: str, report: Report) -> str:
    """The rule's one-line summary from the registry ("" for an unknown id)."""
    rule = rule_class(rule_id)
    return rule.doc().summary if rule is not None else ""


def findings_with_check(report: Report) -> list[tuple[str, Finding]]:
    """Every finding with the id of the check that reported it, in report order."""
    pairs = [(r.check_id, f) for r in report.results for f in r.findings]
    pairs.sort(key=lambda pair: pair[1].sort_key())
    return pairs
