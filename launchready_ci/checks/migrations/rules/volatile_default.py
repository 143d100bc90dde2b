from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, column_constraints, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

#: Volatile functions commonly used as defaults; stable ones (now(), current_timestamp)
#: are evaluated once and do not rewrite the table.
VOLATILE = frozenset(
    {
        "random",
        "gen_random_uuid",
        "uuid_generate_v4",
        "uuid_generate_v1",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "uuidv7",
        "uuid_generate_v1mc",
    }
)


@register
class VolatileDefault(MigrationRule):
    """A column with a volatile default (`gen_random_uuid()`...) is added to an existing table.

    Why
    ---
    A constant or stable default is stored once in the catalog (Postgres 11+), so adding
    the column is instant. A volatile default must be computed for every row: the whole
    table is rewritten under an ACCESS EXCLUSIVE lock, which blocks reads and writes for
    as long as the rewrite takes. Before 11 (`migrations.postgres_version: 10`) every
    default, even a constant, rewrites the table, and this rule reports them all.

    Remediation
    -----------
    Add the column without a default (or nullable), set the default in a second statement
    (`ALTER COLUMN x SET DEFAULT gen_random_uuid()`: new rows only), and backfill existing
    rows in batches.

    References
    ----------
    - https://www.postgresql.org/docs/current/ddl-alter.html#DDL-ALTER-ADDING-A-COLUMN
    """

    id = "migrations/volatile-default"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",),
        "good": ("ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        from pglast import ast
        from pglast.enums import AlterTableType, ConstrType

        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != AlterTableType.AT_AddColumn or stmt.is_new(relation):
                continue
            for constraint in column_constraints(cmd):
                expr = constraint.raw_expr
                if stmt.version < 11 and constraint.contype == ConstrType.CONSTR_DEFAULT:
                    if not (isinstance(expr, ast.A_Const) and expr.isnull):
                        yield (
                            f"column {cmd.def_.colname} is added to {relname(relation)} with a "
                            f"default: before PostgreSQL 11 (postgres_version {stmt.version}) "
                            "any default rewrites the whole table under an ACCESS EXCLUSIVE lock"
                        )
                    continue
                if constraint.contype != ConstrType.CONSTR_DEFAULT or not isinstance(
                    expr, ast.FuncCall
                ):
                    continue
                if not expr.funcname:
                    continue
                name = str(expr.funcname[-1].sval).lower()
                if name in VOLATILE:
                    yield (
                        f"column {cmd.def_.colname} is added to {relname(relation)} with the "
                        f"volatile default {name}(): Postgres rewrites the whole table under "
                        "an ACCESS EXCLUSIVE lock"
                    )
