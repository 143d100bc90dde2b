from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class SetNotNull(MigrationRule):
    """`SET NOT NULL` on an existing column scans the whole table under an ACCESS EXCLUSIVE lock.

    Why
    ---
    Postgres checks every row for nulls while it holds the strongest lock: no reads, no
    writes on the table until the scan ends. It skips the scan only when a validated
    `CHECK (col IS NOT NULL)` constraint already proves it (Postgres 12+).

    Remediation
    -----------
    Add `CHECK (col IS NOT NULL) NOT VALID`, then `VALIDATE CONSTRAINT` (scans with
    writes allowed), then `SET NOT NULL` (instant, thanks to the check), then drop the
    check. A check validated earlier in the same file or in an earlier migration of the
    folder is seen, and then nothing is reported; so is a `VALIDATE CONSTRAINT` on the
    table of a constraint that no migration in the repository defines (the add is in a
    history we cannot see). A column already NOT NULL is not reported. Before Postgres 12
    (`migrations.postgres_version: 11`) the check does not help: keep the CHECK
    constraint itself instead of `SET NOT NULL`.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL
    """

    id = "migrations/set-not-null"
    kinds = frozenset({"AlterTableStmt"})
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("ALTER TABLE users ALTER COLUMN plan SET NOT NULL;",),
        "good": ("ALTER TABLE users ADD CONSTRAINT plan_nn CHECK (plan IS NOT NULL) NOT VALID;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype == "AT_SetNotNull" and not stmt.is_new(relation):
                if stmt.version < 12:
                    yield (
                        f"SET NOT NULL on {relname(relation)}.{cmd.name} scans every row under "
                        f"an ACCESS EXCLUSIVE lock, and before PostgreSQL 12 (postgres_version "
                        f"{stmt.version}) no CHECK spares it: keep a validated CHECK instead"
                    )
                    continue
                if _proven(stmt, relation, cmd.name):
                    continue
                yield (
                    f"SET NOT NULL on {relname(relation)}.{cmd.name} scans every row under an "
                    "ACCESS EXCLUSIVE lock unless a validated CHECK proves it"
                )


def _proven(stmt: Stmt, relation: Any, name: str) -> bool:
    """No scan: the column is NOT NULL already, or a validated CHECK (col IS NOT NULL)
    proves it (from this file or an earlier migration of the folder), or the table had a
    constraint validated whose definition is in no migration we can see (the documented
    add-NOT-VALID, validate, SET NOT NULL pattern spread over migrations)."""
    table, column = stmt.column(relation, name)
    if (table, column) in stmt.checked_not_null or table in stmt.state.validated_unknown:
        return True
    known = stmt.schema.columns.get((table, column))
    return known is not None and known.not_null
