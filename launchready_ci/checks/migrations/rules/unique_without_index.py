from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, column_constraints, relname
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
    EXCLUSIVE lock for the whole build: the table answers nothing until it ends. A column
    added with an inline `UNIQUE` or `PRIMARY KEY` (`ADD COLUMN id bigserial PRIMARY
    KEY`) does the same, after filling the column for every row (a `serial` default is
    volatile, see `migrations/volatile-default`).

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
    kinds = frozenset({"AlterTableStmt"})
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

        kinds = {"CONSTR_UNIQUE": "UNIQUE", "CONSTR_PRIMARY": "PRIMARY KEY"}
        for relation, cmd in alter_cmds(stmt.node):
            if stmt.is_new(relation):
                continue
            if cmd.subtype == "AT_AddConstraint":
                constraint = cmd.def_
                if constraint.contype in kinds and not constraint.indexname:
                    yield (
                        f"{kinds[constraint.contype]} on {relname(relation)} builds its index "
                        "under an ACCESS EXCLUSIVE lock; build it CONCURRENTLY first and add "
                        "USING INDEX"
                    )
            elif cmd.subtype == "AT_AddColumn" and cmd.def_ is not None:
                inline = {c.contype for c in column_constraints(cmd)} & set(kinds)
                for contype in sorted(inline):
                    yield (
                        f"column {cmd.def_.colname} is added to {relname(relation)} as "
                        f"{kinds[contype]}: its unique index is built under an ACCESS EXCLUSIVE "
                        "lock (every row read while nothing else runs); add the column, build "
                        "the index CONCURRENTLY, then add the constraint USING INDEX"
                    )
