from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.rules.nested_transaction import BEGINS, ENDS
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import register


@register
class UncommittedTransaction(MigrationRule):
    """A migration opens a transaction with `BEGIN` and never commits it.

    Why
    ---
    When the file ends inside its own transaction, what happens depends on the tool:
    `psql -f` ends the session and PostgreSQL rolls the work back, so the migration is
    recorded as applied (or retried for ever) while none of it is there; a tool that keeps
    the connection runs the next migration inside the open transaction, where a
    `CREATE INDEX CONCURRENTLY` fails and everything waits on the first one's locks. The
    finding is on the `BEGIN` that stays open.

    Remediation
    -----------
    End the transaction with `COMMIT;` at the end of the file (or remove the `BEGIN` where
    the tool already runs the file in a transaction).

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-commit.html
    """

    id = "migrations/uncommitted-transaction"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("BEGIN;\nCREATE TABLE invites (id bigint);",),
        "good": ("BEGIN;\nCREATE TABLE invites (id bigint);\nCOMMIT;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        if not stmt.last:
            return
        node = stmt.node
        kind = node.kind_ if node.kind == "TransactionStmt" else None
        if kind in ENDS:
            return
        if stmt.state.depth or kind in BEGINS:
            yield "the transaction opened here is never committed: the file ends inside it"

    @classmethod
    def check(cls, stmt: Stmt) -> Iterator[Finding]:
        for message in cls.problems(stmt):
            line = stmt.state.begin_line if stmt.state.depth else stmt.line
            yield cls.report(message, Location(path=stmt.path, start_line=line, end_line=line))
