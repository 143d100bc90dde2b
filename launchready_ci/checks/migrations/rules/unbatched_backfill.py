from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from launchready_ci.checks.migrations.rules._ast import relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class UnbatchedBackfill(MigrationRule):
    """A schema migration updates or deletes every row of an existing table in one statement.

    Why
    ---
    `UPDATE t SET ...` or `DELETE FROM t` without `WHERE` locks every row it touches until
    the migration's transaction commits: every write to those rows (a member updating
    their profile, a payment webhook) waits. On a large table it also writes a burst of
    WAL and dead rows that replicas and autovacuum pay for afterwards. `WHERE col IS NULL`
    on a column the same file has just added matches every row as well, unless an
    earlier statement of the file filled it (an `UPDATE` that sets it, or a default).

    Remediation
    -----------
    Backfill outside the schema migration, in batches of a few thousand rows by primary
    key, each in its own transaction, and make the new code tolerate rows not yet
    backfilled.

    References
    ----------
    - https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS
    """

    id = "migrations/unbatched-backfill"
    kinds = frozenset({"UpdateStmt", "DeleteStmt"})
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("UPDATE users SET plan = 'free';",),
        "good": ("UPDATE users SET plan = 'free' WHERE id BETWEEN 1 AND 5000 AND plan IS NULL;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind in ("UpdateStmt", "DeleteStmt") and _every_row(stmt, node):
            if stmt.is_new(node.relation):
                return
            verb = "UPDATE" if node.kind == "UpdateStmt" else "DELETE"
            yield (
                f"{verb} of every row of {relname(node.relation)} in one statement locks them "
                "all until the migration commits; backfill in batches outside it"
            )


def _every_row(stmt: Stmt, node: Any) -> bool:
    """No WHERE, or only ``col IS NULL`` on a column the same file just added (every row
    is NULL there)."""

    where = node.whereClause
    if where is None:
        return True
    if not (
        where.kind == "NullTest"
        and where.nulltesttype == "IS_NULL"
        and where.arg.kind == "ColumnRef"
        and where.arg.fields
    ):
        return False
    last = where.arg.fields[-1]
    if last.kind != "String":
        return False
    key = stmt.column(node.relation, str(last.sval))
    return key in stmt.added_columns and key not in stmt.state.filled_columns
