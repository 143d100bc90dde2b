from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, column_constraints, relname
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
    migration reaches, production included.

    Remediation
    -----------
    Use `REINDEX ... CONCURRENTLY` (Postgres 12+) and `pg_repack` instead of `VACUUM
    FULL`/`CLUSTER`, run outside the deploy; delete data with a reviewed, batched job and a
    backup rather than a migration. Refresh with `REFRESH MATERIALIZED VIEW CONCURRENTLY`
    (it needs a unique index on the view). For a computed column, add a plain nullable
    column, fill it in batches and keep it current from the application or a trigger.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY
    - https://www.postgresql.org/docs/current/sql-vacuum.html
    """

    id = "migrations/table-rewrite"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("VACUUM FULL users;",),
        "good": ("REINDEX TABLE CONCURRENTLY users;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        from pglast import ast

        node = stmt.node
        options = {str(o.defname).lower() for o in getattr(node, "options", None) or ()}
        params = {str(o.defname).lower() for o in getattr(node, "params", None) or ()}
        if isinstance(node, ast.TruncateStmt):
            yield "TRUNCATE deletes every row, in every environment this migration reaches"
        elif isinstance(node, ast.DropdbStmt):
            yield f"DROP DATABASE {node.dbname} deletes a whole database"
        elif isinstance(node, ast.VacuumStmt) and node.is_vacuumcmd and "full" in options:
            yield "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock"
        elif isinstance(node, ast.ClusterStmt):
            yield "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock"
        elif isinstance(node, ast.ReindexStmt) and "concurrently" not in params:
            yield "REINDEX without CONCURRENTLY blocks writes (and reads using the index)"
        elif (
            isinstance(node, ast.RefreshMatViewStmt)
            and not node.concurrent
            and not stmt.is_new(node.relation)
        ):
            yield (
                f"REFRESH MATERIALIZED VIEW {relname(node.relation)} without CONCURRENTLY "
                "blocks every read of it until the refresh ends"
            )
        yield from _alter_rewrites(stmt)


def _alter_rewrites(stmt: Stmt) -> Iterator[str]:
    from pglast.enums import AlterTableType, ConstrType

    for relation, cmd in alter_cmds(stmt.node):
        if stmt.is_new(relation):
            continue
        if cmd.subtype in (AlterTableType.AT_SetLogged, AlterTableType.AT_SetUnLogged):
            kind = "LOGGED" if cmd.subtype == AlterTableType.AT_SetLogged else "UNLOGGED"
            yield f"SET {kind} rewrites {relname(relation)} under an ACCESS EXCLUSIVE lock"
        elif cmd.subtype == AlterTableType.AT_AddColumn and any(
            c.contype == ConstrType.CONSTR_GENERATED for c in column_constraints(cmd)
        ):
            yield (
                f"stored generated column {cmd.def_.colname} is computed for every row of "
                f"{relname(relation)}: the table is rewritten under an ACCESS EXCLUSIVE lock"
            )
