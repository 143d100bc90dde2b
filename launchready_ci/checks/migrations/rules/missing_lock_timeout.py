from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import flag, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.rules.index_not_concurrent import _drops_index
from launchready_ci.checks.migrations.sql import Stmt, names
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class MissingLockTimeout(MigrationRule):
    """A statement locks an existing table (`ALTER TABLE`...) with no `lock_timeout` set first.

    Why
    ---
    Even an instant `ALTER TABLE` must wait for every running query on the table to end,
    and while it waits, every new query on the table queues behind it. One long report
    query turns a millisecond migration into minutes of the `users` table answering
    nothing. `SET lock_timeout` makes the migration give up (and be retried) instead.
    The same goes for every statement whose lock blocks writes or reads of an existing
    table: `CREATE INDEX` and `REINDEX` without `CONCURRENTLY` (SHARE; ACCESS EXCLUSIVE on
    the index), `DROP INDEX` and `DROP TABLE`, renames, `TRUNCATE`, `CLUSTER`, `VACUUM
    FULL`, a blocking `REFRESH MATERIALIZED VIEW`, `CREATE TRIGGER` and `LOCK TABLE` in
    SHARE mode or stronger. Statements whose lock lets reads and writes go on are not
    reported: `VALIDATE CONSTRAINT`, `SET STATISTICS`, `COMMENT ON`, `CREATE INDEX
    CONCURRENTLY`, `LOCK TABLE ... IN ACCESS SHARE MODE`. `SELECT set_config('lock_timeout',
    ...)` counts as setting it; `SET lock_timeout = 0` and `RESET lock_timeout` unset it.

    Deliberate differences from squawk's `require-lock-timeout`: statements whose lock
    does not block reads or writes are not reported (`COMMENT ON`, plain `VACUUM`, `LOCK
    ... IN ACCESS SHARE MODE`, `CREATE TYPE`), since waiting for them queues nothing.

    Remediation
    -----------
    Start the migration with `SET lock_timeout = '2s';` (and retry on failure), or set it
    for the migration role. Only statements that lock an existing table need it, so
    creating tables does not report. It is reported once per file, on the first
    statement that needs it.

    References
    ----------
    - https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT
    - https://www.postgresql.org/docs/current/explicit-locking.html
    """

    id = "migrations/missing-lock-timeout"
    kinds = frozenset(
        {
            "AlterTableStmt",
            "IndexStmt",
            "DropStmt",
            "ReindexStmt",
            "RenameStmt",
            "TruncateStmt",
            "ClusterStmt",
            "VacuumStmt",
            "RefreshMatViewStmt",
            "LockStmt",
            "CreateTrigStmt",
        }
    )
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD COLUMN bio text;",),
        "good": ("SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        if stmt.lock_timeout:
            return
        for what, table, mode in blocking_locks(stmt):
            yield (
                f"{what} waits for {mode} lock on {table} with no lock_timeout: while it "
                "waits, every query on the table queues behind it"
            )
            return


#: ALTER TABLE subcommands that take only SHARE UPDATE EXCLUSIVE (reads and writes go on).
_LIGHT_ALTER = frozenset(
    {
        "AT_ValidateConstraint",
        "AT_SetStatistics",
        "AT_SetOptions",
        "AT_ResetOptions",
        "AT_SetRelOptions",
        "AT_ResetRelOptions",
        "AT_ClusterOn",
        "AT_DropCluster",
        "AT_AttachPartition",
        "AT_DetachPartitionFinalize",
    }
)
#: LOCK TABLE modes, by number; from 5 (SHARE) on they block writes.
_LOCK_MODES = {
    5: "a SHARE",
    6: "a SHARE ROW EXCLUSIVE",
    7: "an EXCLUSIVE",
    8: "an ACCESS EXCLUSIVE",
}
_AE = "an ACCESS EXCLUSIVE"


def blocking_locks(stmt: Stmt) -> Iterator[tuple[str, str, str]]:
    """(statement, table, lock) for each lock the statement takes on an existing table
    that blocks its writes or reads (PostgreSQL's table of lock conflicts)."""
    node = stmt.node
    kind = node.kind
    if kind == "AlterTableStmt" and not stmt.is_new(node.relation):
        heavy = [
            c
            for c in node.cmds or ()
            if c.subtype not in _LIGHT_ALTER
            and not (c.subtype == "AT_DetachPartition" and c.def_ is not None and c.def_.concurrent)
        ]
        if heavy:
            yield "ALTER TABLE", relname(node.relation), _AE
    elif kind == "IndexStmt" and not node.concurrent and not stmt.is_new(node.relation):
        yield "CREATE INDEX", relname(node.relation), "a SHARE"
    elif _drops_index(node) and not node.concurrent:
        names_ = ", ".join(".".join(names(o)) for o in node.objects or ())
        yield "DROP INDEX", f"the table of {names_}", _AE
    elif kind == "DropStmt" and node.removeType == "OBJECT_TABLE":
        for obj in node.objects or ():
            yield "DROP TABLE", ".".join(names(obj)), _AE
    elif kind == "ReindexStmt" and not flag(node.params, "concurrently"):
        if node.relation is not None and not stmt.is_new(node.relation):
            yield "REINDEX", relname(node.relation), _AE
    elif kind == "RenameStmt" and node.relation is not None and not stmt.is_new(node.relation):
        yield "RENAME", relname(node.relation), _AE
    elif kind == "TruncateStmt":
        for rel in node.relations or ():
            if not stmt.is_new(rel):
                yield "TRUNCATE", relname(rel), _AE
    elif kind == "ClusterStmt" and node.relation is not None:
        yield "CLUSTER", relname(node.relation), _AE
    elif kind == "VacuumStmt" and node.is_vacuumcmd and flag(node.options, "full"):
        for rel in node.rels or ():
            yield "VACUUM FULL", relname(rel.relation), _AE
    elif kind == "RefreshMatViewStmt" and not node.concurrent and not stmt.is_new(node.relation):
        yield "REFRESH MATERIALIZED VIEW", relname(node.relation), _AE
    elif kind == "LockStmt" and (node.mode or 8) >= 5:
        for rel in node.relations or ():
            if not stmt.is_new(rel):
                yield "LOCK TABLE", relname(rel), _LOCK_MODES[node.mode or 8]
    elif kind == "CreateTrigStmt" and not stmt.is_new(node.relation):
        yield "CREATE TRIGGER", relname(node.relation), "a SHARE ROW EXCLUSIVE"
