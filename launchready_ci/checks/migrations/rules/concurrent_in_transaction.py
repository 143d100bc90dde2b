from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class ConcurrentInTransaction(MigrationRule):
    """`CREATE INDEX CONCURRENTLY` runs inside a transaction block, where Postgres refuses it.

    Why
    ---
    A concurrent build commits in several steps, so Postgres raises "cannot run inside a
    transaction block" (SQLSTATE 25001): the deploy fails half-way, with the migrations
    before it applied. The transaction may be one the file opens with `BEGIN`, or one the
    migration tool puts around the file, which the file does not show:

    - Supabase CLI, drizzle-kit, dbmate and goose run each file in a transaction
      (dbmate's `-- migrate:up transaction:false` and goose's `-- +goose NO TRANSACTION`
      turn it off);
    - Prisma Migrate and golang-migrate send the file as one query, which PostgreSQL runs
      as one transaction when it holds more than one statement: a concurrent index
      works there only alone in its file;
    - Django runs a migration in a transaction unless `atomic = False`; Alembic runs
      `upgrade()` in one except inside `with op.get_context().autocommit_block():`;
    - diesel runs each `up.sql` in a transaction unless its `metadata.toml` says
      `run_in_transaction = false`;
    - gobuffalo/pop (told by Go template actions in the file, or a `go.mod` that requires
      it) runs each migration in a transaction, with no way to turn it off.

    For another tool that wraps files (sqlx, knex, node-pg-migrate), set
    `migrations.wrapped_in_transaction: true` in launchready.yml; `false` turns the
    table above off.

    Deliberate differences from squawk (with `--assume-in-transaction`): a file of one
    statement is reported too, since a tool that wraps each file fails on it all the
    same (the one-statement exception holds for the tools that send the file as one
    query, which this rule tells apart); and squawk's own
    `-- squawk-disable-assume-in-transaction` comment is not read: the tools' markers
    and launchready.yml are.

    Remediation
    -----------
    Put the concurrent index in a migration of its own without `BEGIN`/`COMMIT`, and turn
    off the tool's transaction for that file. With dbmate:

        -- migrate:up transaction:false
        CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);

    `IF NOT EXISTS` lets a rerun pass after a build that failed part-way (drop the
    invalid index it leaves first).

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
    """

    id = "migrations/concurrent-in-transaction"
    kinds = frozenset({"IndexStmt"})
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;",),
        "good": ("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind == "IndexStmt" and node.concurrent and stmt.in_transaction:
            yield (
                f"CREATE INDEX CONCURRENTLY on {relname(node.relation)} inside a transaction "
                "(BEGIN in the file, or the migration tool's own) fails: Postgres cannot build "
                "an index concurrently in a transaction block"
            )
