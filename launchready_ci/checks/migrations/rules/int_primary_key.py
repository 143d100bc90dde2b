from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

_SMALL = frozenset(
    {"int4", "int", "integer", "serial", "serial4", "int2", "smallint", "smallserial"}
)


@register
class IntPrimaryKey(MigrationRule):
    """A new table's primary key is a 32-bit `integer`/`serial` that will overflow.

    Why
    ---
    An `integer` key stops at 2,147,483,647: events, messages or audit rows of a growing
    app get there, and then every insert fails. Moving to `bigint` later is a table
    rewrite under an ACCESS EXCLUSIVE lock (see `migrations/column-type-change`) on the
    largest table you have.

    Remediation
    -----------
    Use `bigint GENERATED ALWAYS AS IDENTITY` (or `bigserial`), or a `uuid`, from the start:
    it costs 4 bytes a row.

    References
    ----------
    - https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-INT
    """

    id = "migrations/int-primary-key"
    kinds = frozenset({"CreateStmt"})
    severity = Severity.NOTICE
    confidence = Confidence.HIGH
    examples = {
        "bad": ("CREATE TABLE events (id serial PRIMARY KEY, kind text);",),
        "good": ("CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind != "CreateStmt":
            return
        for column in node.tableElts or ():
            if column.kind != "ColumnDef" or column.typeName is None:
                continue
            kinds = {c.contype for c in column.constraints or ()}
            names = column.typeName.names or ()
            kind = str(names[-1].sval).lower() if names else ""
            if "CONSTR_PRIMARY" in kinds and kind in _SMALL:
                yield (
                    f"{relname(node.relation)}.{column.colname} is a {kind} primary key: it "
                    "overflows at 2,147,483,647 rows; use bigint or uuid"
                )
