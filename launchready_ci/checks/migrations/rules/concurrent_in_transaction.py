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
    transaction block": the deploy fails half-way, with the migrations before it applied.
    This rule sees `BEGIN` written in the file and Django's `atomic`. Tools that wrap each
    file in a transaction of their own (node-pg-migrate does by default, for example)
    cannot be told from the file: set `migrations.wrapped_in_transaction: true`
    in launchready.yml and every `CONCURRENTLY` counts as inside a transaction.

    Remediation
    -----------
    Put the concurrent index in a migration of its own without `BEGIN`/`COMMIT`, and turn
    off the tool's transaction for that file (for example a separate file with no
    transaction wrapper, or the tool's per-migration setting).

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
    """

    id = "migrations/concurrent-in-transaction"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;",),
        "good": ("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        from pglast import ast

        node = stmt.node
        if isinstance(node, ast.IndexStmt) and node.concurrent and stmt.in_transaction:
            yield (
                f"CREATE INDEX CONCURRENTLY on {relname(node.relation)} inside BEGIN ... COMMIT "
                "fails: Postgres cannot build an index concurrently in a transaction block"
            )
