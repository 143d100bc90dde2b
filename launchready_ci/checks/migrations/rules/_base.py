"""The base of every migration rule: metadata (from :class:`Rule`) plus ``visit``."""

from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Finding, Location
from launchready_ci.rules import Rule

__all__ = ["MigrationRule"]


class MigrationRule(Rule):
    """Not registered itself; subclasses are. ``problems`` yields a message for each
    problem of this rule in one statement."""

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        raise NotImplementedError

    @classmethod
    def check(cls, stmt: Stmt) -> Iterator[Finding]:
        for message in cls.problems(stmt):
            yield cls.finding(
                message,
                Location(path=stmt.path, start_line=stmt.line, end_line=stmt.line),
                content=message,
            )
