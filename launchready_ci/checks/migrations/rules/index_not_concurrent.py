from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from launchready_ci.checks.migrations.rules._ast import relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt, names
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class IndexNotConcurrent(MigrationRule):
    """An index is built on an existing table without `CONCURRENTLY`.

    Why
    ---
    `CREATE INDEX` takes a SHARE lock on the table for the whole build: reads go on, but
    every INSERT, UPDATE and DELETE waits, for seconds to minutes on a large table. On
    `users` or `payments` that is sign-up and checkout down while it runs. Tables created
    by the same or an earlier migration are empty and exempt. `DROP INDEX` without
    `CONCURRENTLY` is reported too: it needs an ACCESS EXCLUSIVE lock on the table, and
    waiting for it behind a long query stops every other query on the table.

    Remediation
    -----------
    Build it with `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE: writes go on), in a
    migration that does not run inside a transaction (Postgres refuses it there), and
    check afterwards that the index is valid (`pg_index.indisvalid`): a failed
    concurrent build leaves an invalid index to drop and retry. Drop one with
    `DROP INDEX CONCURRENTLY IF EXISTS`, also outside a transaction.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
    """

    id = "migrations/index-not-concurrent"
    kinds = frozenset({"IndexStmt", "DropStmt"})
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("CREATE INDEX users_email_idx ON users (email);",),
        "good": ("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind == "IndexStmt" and not node.concurrent and not stmt.is_new(node.relation):
            yield (
                f"CREATE INDEX on existing table {relname(node.relation)} without CONCURRENTLY "
                "blocks every write to it until the build ends"
            )
        elif _drops_index(node) and not node.concurrent:
            dropped = ", ".join(".".join(names(obj)) for obj in node.objects or ())
            yield (
                f"DROP INDEX {dropped} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on "
                "its table: every read and write waits, and queues behind any long query"
            )


def _drops_index(node: Any) -> bool:

    return bool(node.kind == "DropStmt" and node.removeType == "OBJECT_INDEX")
