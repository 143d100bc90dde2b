from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.rules.index_not_concurrent import _drops_index
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class MissingLockTimeout(MigrationRule):
    """`ALTER TABLE` locks an existing table (ACCESS EXCLUSIVE) with no `lock_timeout` set first.

    Why
    ---
    Even an instant `ALTER TABLE` must wait for every running query on the table to end,
    and while it waits, every new query on the table queues behind it. One long report
    query turns a millisecond migration into minutes of the `users` table answering
    nothing. `SET lock_timeout` makes the migration give up (and be retried) instead.
    `DROP INDEX` without `CONCURRENTLY` waits for the same lock on its table.
    `SELECT set_config('lock_timeout', ...)` counts as setting it.

    Remediation
    -----------
    Start the migration with `SET lock_timeout = '2s';` (and retry on failure), or set it
    for the migration role. Only statements that lock an existing table need it, so
    creating tables or concurrent index builds do not report. It is reported once per
    file, on the first statement that needs it.

    References
    ----------
    - https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT
    - https://www.postgresql.org/docs/current/explicit-locking.html
    """

    id = "migrations/missing-lock-timeout"
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
        tables = {relname(r) for r, _ in alter_cmds(stmt.node) if not stmt.is_new(r)}
        for table in sorted(tables):
            yield (
                f"ALTER TABLE {table} waits for an ACCESS EXCLUSIVE lock with no lock_timeout: "
                "queries on the table queue behind it"
            )
        node = stmt.node
        if _drops_index(node) and not node.concurrent:
            yield (
                "DROP INDEX waits for an ACCESS EXCLUSIVE lock on its table with no "
                "lock_timeout: queries on the table queue behind it"
            )
