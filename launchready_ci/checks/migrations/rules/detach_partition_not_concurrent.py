from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class DetachPartitionNotConcurrent(MigrationRule):
    """A partition is detached from an existing table without `CONCURRENTLY`.

    Why
    ---
    `ALTER TABLE ... DETACH PARTITION` takes an ACCESS EXCLUSIVE lock on the partitioned
    table: every read and write of every partition waits until it ends, and queues behind
    any long query on it. `DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14+) takes only
    SHARE UPDATE EXCLUSIVE, and `FINALIZE` completes a concurrent detach that was
    interrupted.

    Remediation
    -----------
    `ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;` in a migration that
    does not run in a transaction (it cannot), and `... FINALIZE` if it was interrupted.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION
    """

    id = "migrations/detach-partition-not-concurrent"
    kinds = frozenset({"AlterTableStmt"})
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE events DETACH PARTITION events_2023;",),
        "good": ("ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != "AT_DetachPartition" or stmt.is_new(relation):
                continue
            if cmd.def_ is not None and cmd.def_.concurrent:
                continue
            part = relname(cmd.def_.name) if cmd.def_ is not None else "?"
            yield (
                f"DETACH PARTITION {part} without CONCURRENTLY locks {relname(relation)} "
                "(ACCESS EXCLUSIVE): every query on every partition waits"
            )
