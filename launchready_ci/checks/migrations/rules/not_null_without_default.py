from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from launchready_ci.checks.migrations.rules._ast import (
    alter_cmds,
    column_constraints,
    relname,
    type_names,
)
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class NotNullWithoutDefault(MigrationRule):
    """A `NOT NULL` column without a default is added to an existing table.

    Why
    ---
    On a table with rows, `ALTER TABLE ... ADD COLUMN x int NOT NULL` fails ("column
    contains null values"): the deploy stops at this migration. It passes on an empty
    development database, which is why it reaches production. A generated, identity or
    serial column is filled for every row and is not reported here (a stored generated
    column rewrites the table: see `migrations/table-rewrite`).

    Remediation
    -----------
    Add the column with a constant default (`NOT NULL DEFAULT 0`: since Postgres 11 that
    is instant, no rewrite), or add it nullable, backfill in batches, then add a
    `CHECK (x IS NOT NULL) NOT VALID`, `VALIDATE` it, and `SET NOT NULL`.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
    """

    id = "migrations/not-null-without-default"
    kinds = frozenset({"AlterTableStmt"})
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD COLUMN plan text NOT NULL;",),
        "good": ("ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != "AT_AddColumn" or stmt.is_new(relation):
                continue
            kinds = {c.contype for c in column_constraints(cmd)}
            if kinds & _FILLED or _serial(cmd):
                continue  # a default, a generated value or an identity fills every row
            if "CONSTR_NOTNULL" in kinds:
                yield (
                    f"column {cmd.def_.colname} is added to {relname(relation)} as NOT NULL "
                    "without a default: this fails on a table that has rows"
                )


#: Constraints that give every existing row a value.
_FILLED = frozenset({"CONSTR_DEFAULT", "CONSTR_GENERATED", "CONSTR_IDENTITY"})


def _serial(cmd: Any) -> bool:
    from launchready_ci.checks.migrations.rules.volatile_default import SERIAL

    type_name = cmd.def_.typeName if cmd.def_ is not None else None
    return bool(set(type_names(type_name)[-1:]) & SERIAL)
