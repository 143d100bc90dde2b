from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

BEGINS = frozenset({"TRANS_STMT_BEGIN", "TRANS_STMT_START"})
ENDS = frozenset({"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"})


@register
class NestedTransaction(MigrationRule):
    """`BEGIN` inside a transaction, or `COMMIT` with none open (or the tool's own).

    Why
    ---
    PostgreSQL has no nested transactions. A second `BEGIN` only warns ("there is
    already a transaction in progress"), and the first `COMMIT` then commits everything
    so far: the statements after it run outside any transaction, so a failure leaves the
    migration half applied. The same happens to a file that the migration tool already
    runs in a transaction (Supabase, drizzle, dbmate, goose, diesel, Django, a
    multi-statement Prisma file; see `migrations/concurrent-in-transaction`): its
    `BEGIN` nests in the tool's, and its `COMMIT` or `ROLLBACK` ends the tool's
    transaction early. A `COMMIT` with no transaction open at all shows that the file
    does not do what its author thinks. A file that the tool sends as one query (Prisma,
    golang-migrate) runs in PostgreSQL's implicit transaction, which a `BEGIN` takes over
    and a `COMMIT` ends: only a second `BEGIN` nests there. squawk's
    `-- squawk-disable-assume-in-transaction` comment is not read (see
    `migrations/concurrent-in-transaction`).

    Remediation
    -----------
    Write one `BEGIN ... COMMIT` per file, or none where the tool opens the transaction.
    For a statement that cannot run in a transaction, turn the tool's transaction off for
    that file (dbmate `transaction:false`, goose `NO TRANSACTION`, Django `atomic = False`)
    rather than committing it from inside. Use `SAVEPOINT` for a partial rollback.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-begin.html
    - https://www.postgresql.org/docs/current/sql-savepoint.html
    """

    id = "migrations/nested-transaction"
    kinds = frozenset({"TransactionStmt"})
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("BEGIN;\nBEGIN;\nSELECT 1;\nCOMMIT;",),
        "good": ("BEGIN;\nSELECT 1;\nCOMMIT;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        node = stmt.node
        if node.kind != "TransactionStmt":
            return
        state = stmt.state
        if state.implicit and not state.depth:
            return  # Prisma, golang-migrate: BEGIN takes over the implicit transaction
        if node.kind_ in BEGINS and state.depth:
            yield (
                f"BEGIN inside the transaction opened on line {state.begin_line}: PostgreSQL "
                "does not nest transactions, so the first COMMIT ends both and what follows "
                "runs outside any transaction"
            )
        elif node.kind_ in BEGINS and state.wrapped:
            yield (
                "BEGIN inside the transaction the migration tool runs this file in: the "
                "file's COMMIT ends the tool's transaction, and what follows runs outside one"
            )
        elif node.kind_ in ENDS and not state.depth:
            verb = "COMMIT" if node.kind_ == "TRANS_STMT_COMMIT" else "ROLLBACK"
            if state.wrapped and stmt.in_transaction:
                yield (
                    f"{verb} ends the transaction the migration tool runs this file in: what "
                    "follows runs outside it, and a failure leaves the migration half applied"
                )
            else:
                yield f"{verb} with no transaction open: nothing to end (PostgreSQL only warns)"
