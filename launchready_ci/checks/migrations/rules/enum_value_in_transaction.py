from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class EnumValueInTransaction(MigrationRule):
    """A new enum value is used in the same transaction that adds it.

    Why
    ---
    `ALTER TYPE ... ADD VALUE 'gold'` cannot be followed by a use of `'gold'` before the
    transaction commits: Postgres raises "unsafe use of new value". Migration tools run a
    file in one transaction, so a file that adds a value and then backfills or defaults
    to it fails at deploy time, with the earlier migrations applied. Before Postgres 12
    (`migrations.postgres_version: 11`) `ADD VALUE` cannot run inside a transaction at
    all, and this rule reports it there too.

    Remediation
    -----------
    Add the value in one migration and use it in a later one (each migration commits on
    its own), or commit in between where the tool allows it.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertype.html#SQL-ALTERTYPE-NOTES
    """

    id = "migrations/enum-value-in-transaction"
    kinds = frozenset({"AlterEnumStmt"})
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("ALTER TYPE plan ADD VALUE 'gold';\nUPDATE users SET plan = 'gold' WHERE id = 1;",),
        "good": ("ALTER TYPE plan ADD VALUE 'gold';",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind != "AlterEnumStmt" or not node.newVal:
            return
        literal = "'" + str(node.newVal).replace("'", "''") + "'"
        if stmt.version < 12 and stmt.in_transaction:
            yield (
                f"enum value {literal} is added inside a transaction: before PostgreSQL 12 "
                f"(postgres_version {stmt.version}) ALTER TYPE ... ADD VALUE cannot run in one"
            )
        elif stmt.used_later(literal):
            yield (
                f"enum value {literal} is added and used later in the same migration: "
                "Postgres refuses a new enum value before the transaction commits"
            )
