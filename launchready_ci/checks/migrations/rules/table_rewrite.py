from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import (
    alter_cmds,
    column_constraints,
    flag,
    relname,
)
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class TableRewrite(MigrationRule):
    """A migration truncates, drops a database, or rewrites a table (`VACUUM FULL`...).

    Why
    ---
    `VACUUM FULL`, `CLUSTER` and `REINDEX` rewrite or rebuild under locks that stop
    reads and writes for as long as they take; they are maintenance, not migrations.
    `ALTER TABLE ... SET LOGGED`/`UNLOGGED` and a new `GENERATED ... STORED` column
    rewrite the table too, and `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` blocks
    every read of the view while it runs.
    `TRUNCATE` and `DROP DATABASE` delete data for good, and run on every environment the
    migration reaches, production included. Options are read by value: `VACUUM (FULL
    false)` and `REINDEX (CONCURRENTLY true)` are not reported, `REINDEX (CONCURRENTLY
    false)` is.

    Deliberate differences from squawk: every `TRUNCATE` is reported, not only `TRUNCATE
    ... CASCADE` (both delete every row); `VACUUM FULL` and `CLUSTER` are reported on
    every PostgreSQL version (squawk's `prefer-repack` starts at 19, where `REPACK`
    exists; the lock is the same before); and `REINDEX SYSTEM` is reported (it cannot run
    concurrently, and a migration has no reason to rebuild the catalogs).

    Remediation
    -----------
    Keep rewrites out of migrations: `REINDEX CONCURRENTLY` or `pg_repack` for upkeep, a
    batched job for deletes, a plain column filled in batches for a computed one.
    In detail: use `REINDEX ... CONCURRENTLY` (Postgres 12+) and `pg_repack` instead of
    `VACUUM FULL`/`CLUSTER`, run outside the deploy; delete data with a reviewed, batched job and a
    backup rather than a migration. Refresh with `REFRESH MATERIALIZED VIEW CONCURRENTLY`
    (it needs a unique index on the view). For a computed column, add a plain nullable
    column, fill it in batches and keep it current from the application or a trigger.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY
    - https://www.postgresql.org/docs/current/sql-vacuum.html
    """

    id = "migrations/table-rewrite"
    kinds = frozenset(
        {
            "TruncateStmt",
            "DropdbStmt",
            "VacuumStmt",
            "ClusterStmt",
            "ReindexStmt",
            "RefreshMatViewStmt",
            "AlterTableStmt",
        }
    )
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("VACUUM FULL users;",),
        "good": ("REINDEX TABLE CONCURRENTLY users;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind == "TruncateStmt":
            yield "TRUNCATE deletes every row, in every environment this migration reaches"
        elif node.kind == "DropdbStmt":
            yield f"DROP DATABASE {node.dbname} deletes a whole database"
        elif node.kind == "VacuumStmt" and node.is_vacuumcmd and flag(node.options, "full"):
            yield "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock"
        elif node.kind == "ClusterStmt":
            yield "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock"
        elif node.kind == "ReindexStmt" and not flag(node.params, "concurrently"):
            yield "REINDEX without CONCURRENTLY blocks writes (and reads using the index)"
        elif (
            node.kind == "RefreshMatViewStmt"
            and not node.concurrent
            and not stmt.is_new(node.relation)
        ):
            yield (
                f"REFRESH MATERIALIZED VIEW {relname(node.relation)} without CONCURRENTLY "
                "blocks every read of it until the refresh ends"
            )
        yield from _alter_rewrites(stmt)


def _alter_rewrites(stmt: Stmt) -> Iterator[str]:

    for relation, cmd in alter_cmds(stmt.node):
        if stmt.is_new(relation):
            continue
        if cmd.subtype in ("AT_SetLogged", "AT_SetUnLogged"):
            kind = "LOGGED" if cmd.subtype == "AT_SetLogged" else "UNLOGGED"
            yield f"SET {kind} rewrites {relname(relation)} under an ACCESS EXCLUSIVE lock"
        elif cmd.subtype == "AT_AddColumn" and any(
            c.contype == "CONSTR_GENERATED" and c.generated_kind != "v"
            for c in column_constraints(cmd)
        ):
            yield (
                f"stored generated column {cmd.def_.colname} is computed for every row of "
                f"{relname(relation)}: the table is rewritten under an ACCESS EXCLUSIVE lock"
            )
