"""The result model: findings, per-check results and the report of a run.

All of it is frozen. A finding never holds a secret value: checks store a hash and a
redacted preview (see :func:`redact`). How a severity maps to an annotation level or a
SARIF level is the reporters' business, not the model's.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CheckResult",
    "CheckStatus",
    "Confidence",
    "Finding",
    "Location",
    "Report",
    "Severity",
    "fingerprint",
    "redact",
]


class Severity(enum.IntEnum):
    """How bad a finding is for the launch. Ordered: ``ERROR > WARNING > NOTICE``."""

    NOTICE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


class Confidence(enum.IntEnum):
    """How sure the rule is that the finding is real."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Location:
    """Where a finding is: a file region, or a logical target (URL, hostname, env var).

    ``path`` is relative to the repository root with ``/`` separators. Lines and
    columns are 1-based; ``end_*`` are inclusive.
    """

    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    start_column: int | None = None
    end_column: int | None = None
    target: str | None = None
    target_kind: str | None = None  # "url", "hostname", "env-var", "commit", ...

    def __post_init__(self) -> None:
        if self.path is None and self.target is None:
            raise ValueError("a Location needs a path or a target")

    def describe(self) -> str:
        if self.path is not None:
            text = self.path
            if self.start_line is not None:
                text += f":{self.start_line}"
                if self.start_column is not None:
                    text += f":{self.start_column}"
            return text
        return f"{self.target_kind or 'target'} {self.target}"


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule."""

    rule_id: str
    message: str
    severity: Severity
    confidence: Confidence
    location: Location
    fingerprint: str
    remediation: str = ""
    help_uri: str = ""
    properties: tuple[tuple[str, Any], ...] = ()

    @property
    def domain(self) -> str:
        return self.rule_id.split("/", 1)[0]

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (
            -self.severity,
            -self.confidence,
            loc.path or "",
            loc.start_line or 0,
            loc.target or "",
            self.rule_id,
            self.message,
        )


def fingerprint(rule_id: str, *parts: str | None) -> str:
    """A stable identity for a finding: rule, path and normalised content, no line number.

    Lines move when code is edited above a finding; a fingerprint that includes them
    would turn every edit into a "new" finding in baselines and in code scanning.
    """
    h = hashlib.sha256(rule_id.encode())
    for part in parts:
        h.update(b"\x00")
        h.update(" ".join((part or "").split()).encode())
    return h.hexdigest()[:32]


def redact(value: str) -> str:
    """A preview of a secret that is safe to print: a short prefix and the last 4 chars.

    >>> redact("sk_live_51Habcdefghijklmnopqrstuvwxyz9f2c")
    'sk_live_…9f2c'
    """
    n = len(value)
    if n < 12:
        return "…" * 3
    # Keep a provider prefix such as "sk_live_", "ghp_" or "xoxb-": it is not secret and
    # tells a reviewer what leaked. Otherwise at most 4 characters.
    cut = max(value.rfind("_", 0, 12), value.rfind("-", 0, 12))
    prefix = value[: cut + 1] if 2 <= cut < n // 2 else value[: min(4, n // 5)]
    suffix = value[-4:] if n >= 20 else ""
    return f"{prefix}…{suffix}"


class CheckStatus(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERRORED = "errored"


@dataclass(frozen=True)
class CheckResult:
    """What one check did: its findings, or why it did not run."""

    check_id: str
    title: str
    status: CheckStatus
    findings: tuple[Finding, ...] = ()
    suppressed: int = 0
    duration_s: float = 0.0
    reason: str | None = None
    enable_snippet: str | None = None
    scope: str | None = None  # what the check looked at and what it skipped, for people
    measurements: tuple[tuple[str, ...], ...] = ()  # a table, header row first
    baselined: int = 0  # of ``suppressed``: the findings the baseline held back
    bad_input: bool = False  # errored on a file the user gave (exit 2, not 1)


@dataclass(frozen=True)
class Report:
    """Everything a reporter needs to render one run. Reporters never do IO."""

    tool_version: str
    results: tuple[CheckResult, ...]
    fail_on: Severity | None  # None means "never fail"
    root: str = "."
    config_path: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        out = [f for r in self.results for f in r.findings]
        out.sort(key=Finding.sort_key)
        return tuple(out)

    def counts(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            counts[f.severity.label] += 1
        return counts

    @property
    def suppressed(self) -> int:
        return sum(r.suppressed for r in self.results)

    @property
    def baselined(self) -> int:
        return sum(r.baselined for r in self.results)

    @property
    def failed(self) -> bool:
        if any(r.status is CheckStatus.ERRORED for r in self.results):
            return self.fail_on is not None
        if self.fail_on is None:
            return False
        return any(f.severity >= self.fail_on for f in self.findings)

    @property
    def exit_code(self) -> int:
        """2 when a check could not read a file it was given (a config error), else 1 when
        the run failed, else 0."""
        if any(r.bad_input for r in self.results):
            return 2
        return 1 if self.failed else 0

    @property
    def result(self) -> str:
        """One word for outputs and summaries: ``passed``, ``failed`` or ``warnings``."""
        if self.failed:
            return "failed"
        return "passed" if not self.findings else "passed-with-findings"
