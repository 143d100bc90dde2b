from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class UniqueWithoutIndex(MigrationRule):
    """A `UNIQUE` or `PRIMARY KEY` is added to an existing table without a prebuilt index.

    Why
    ---
    The constraint builds its unique index inside the `ALTER TABLE`, holding an ACCESS
    EXCLUSIVE lock for the whole build: the table answers nothing until it ends.

    Remediation
    -----------
    `CREATE UNIQUE INDEX CONCURRENTLY name ON t (col);` first, then
    `ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX name;` (or `PRIMARY KEY USING
    INDEX`), which only attaches the finished index.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX
    """

    id = "migrations/unique-without-index"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",),
        "good": (
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
        ),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        from pglast.enums import AlterTableType, ConstrType

        kinds = {ConstrType.CONSTR_UNIQUE: "UNIQUE", ConstrType.CONSTR_PRIMARY: "PRIMARY KEY"}
        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != AlterTableType.AT_AddConstraint or stmt.is_new(relation):
                continue
            constraint = cmd.def_
            if constraint.contype in kinds and not constraint.indexname:
                yield (
                    f"{kinds[constraint.contype]} on {relname(relation)} builds its index under "
                    "an ACCESS EXCLUSIVE lock; build it CONCURRENTLY first and add USING INDEX"
                )
