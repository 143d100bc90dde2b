"""The base of every migration rule: metadata (from :class:`Rule`) plus ``problems``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule

__all__ = ["MigrationRule", "Notice"]


class Notice(str):
    """A problem message to report as a notice of low confidence rather than at the
    rule's severity: the migration alone cannot tell whether it is a problem."""


class MigrationRule(Rule):
    """Not registered itself; subclasses are. ``problems`` yields a message for each
    problem of this rule in one statement (a :class:`Notice` for an uncertain one).
    ``kinds``: the statement kinds it reads (empty: every statement); the check calls it
    for those only."""

    kinds: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        raise NotImplementedError

    @classmethod
    def check(cls, stmt: Stmt) -> Iterator[Finding]:
        where = None  # built for the first problem: most statements have none
        for message in cls.problems(stmt):
            if where is None:
                where = Location(path=stmt.path, start_line=stmt.line, end_line=stmt.line)
            yield cls.report(message, where)

    @classmethod
    def report(cls, message: str, where: Location) -> Finding:
        if isinstance(message, Notice):
            return cls.finding(
                str(message),
                where,
                content=str(message),
                severity=Severity.NOTICE,
                confidence=Confidence.LOW,
            )
        return cls.finding(message, where, content=message)
