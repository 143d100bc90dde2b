from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from launchready_ci.checks.migrations.rules._ast import alter_cmds, column_constraints, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt, names
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

#: Volatile functions commonly used as defaults, named in Python migrations' messages.
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
#: Types whose column gets ``nextval()`` of a new sequence as its default.
SERIAL = frozenset({"serial", "serial4", "serial8", "bigserial", "smallserial", "serial2"})


@functools.cache
def stable_functions() -> frozenset[str]:
    """PostgreSQL's built-in functions that are IMMUTABLE or STABLE in every overload."""
    text = Path(__file__).parent.parent / "stable_functions.txt"
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@register
class VolatileDefault(MigrationRule):
    """A column with a volatile default (`gen_random_uuid()`...) is added to an existing table.

    Why
    ---
    A constant or stable default is stored once in the catalog (Postgres 11+), so adding
    the column is instant. A volatile default must be computed for every row: the whole
    table is rewritten under an ACCESS EXCLUSIVE lock, which blocks reads and writes for
    as long as the rewrite takes. A function counts as stable only when PostgreSQL ships
    it as IMMUTABLE or STABLE (`now()`, `lower()`, `current_timestamp`...), or an earlier
    migration of the same folder created it so; any other call (`uuid()`, your own
    function) is taken to be volatile, which is PostgreSQL's own default for a new
    function. `serial`/`bigserial` columns get `nextval()` as their default, volatile
    too. Before 11 (`migrations.postgres_version: 10`) every default, even a constant,
    rewrites the table, and this rule reports them all.

    Deliberate differences from squawk's `adding-field-with-default`: a call is judged by
    the function's name, so `now(123)` is not reported (no such function exists: the
    dry run reports the error); and on PostgreSQL 11 itself a constant default is not
    reported, since 11 is the release that stores it without a rewrite.

    Remediation
    -----------
    Add the column without a default (or nullable), set the default in a second statement
    (`ALTER COLUMN x SET DEFAULT gen_random_uuid()`: new rows only), and backfill existing
    rows in batches. For a new key column, use an identity column on a new table, or
    add the column, a sequence default and the index in separate steps.

    References
    ----------
    - https://www.postgresql.org/docs/current/ddl-alter.html#DDL-ALTER-ADDING-A-COLUMN
    - https://www.postgresql.org/docs/current/xfunc-volatility.html
    """

    id = "migrations/volatile-default"
    kinds = frozenset({"AlterTableStmt"})
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",),
        "good": ("ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != "AT_AddColumn" or stmt.is_new(relation) or cmd.def_ is None:
                continue
            column, table = cmd.def_.colname, relname(relation)
            kind = names(cmd.def_.typeName.names)[-1:] if cmd.def_.typeName else []
            if kind and kind[0].lower() in SERIAL:
                yield (
                    f"column {column} is added to {table} as {kind[0]}: its default nextval() is "
                    "volatile, so Postgres rewrites the whole table under an ACCESS EXCLUSIVE lock"
                )
                continue
            for constraint in column_constraints(cmd):
                if constraint.contype != "CONSTR_DEFAULT" or constraint.raw_expr is None:
                    continue
                expr = constraint.raw_expr
                if stmt.version < 11:
                    if not (expr.kind == "A_Const" and expr.isnull):
                        yield (
                            f"column {column} is added to {table} with a default: before "
                            f"PostgreSQL 11 (postgres_version {stmt.version}) any default "
                            "rewrites the whole table under an ACCESS EXCLUSIVE lock"
                        )
                    continue
                call = volatile_call(expr, stmt.schema.stable_functions)
                if call:
                    yield (
                        f"column {column} is added to {table} with the default {call}(), which "
                        "is volatile (or not known to be stable): Postgres computes it for every "
                        "row, rewriting the table under an ACCESS EXCLUSIVE lock"
                    )


#: Expression nodes that are constant as long as their operands are.
_PASS_THROUGH = frozenset(
    {
        "TypeCast",
        "A_ArrayExpr",
        "A_Expr",
        "BoolExpr",
        "CollateClause",
        "NullTest",
        "RowExpr",
        "CoalesceExpr",
        "MinMaxExpr",
        "CaseExpr",
        "CaseWhen",
        "A_Indirection",
        "BooleanTest",
    }
)
_CONSTANT = frozenset(
    {"A_Const", "SQLValueFunction", "ParamRef", "String", "Integer", "Float", "Boolean"}
)


def volatile_call(expr: Any, own_stable: set[str] | frozenset[str] = frozenset()) -> str:
    """The name of the first function in ``expr`` not known to be stable ("" if none),
    walked without recursion; a node of an unknown kind counts as volatile."""
    stack = [expr]
    builtin = stable_functions()
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > 10_000:
            return "(expression too large)"
        if isinstance(node, list):
            stack.extend(node)
            continue
        kind = getattr(node, "kind", None)
        if node is None or kind in _CONSTANT:
            continue
        if kind == "FuncCall":
            name = (names(node.funcname)[-1:] or ["?"])[0].lower()
            if name not in builtin and name not in own_stable:
                return name
            stack.extend(node.args or ())
        elif kind in _PASS_THROUGH or kind == "":  # "": a struct field (a TypeName...)
            for value in node.raw().values():
                if isinstance(value, dict | list):
                    stack.append(_wrapped(value))
        else:
            return (kind or "expression").lower()
    return ""


def _wrapped(value: Any) -> Any:
    from launchready_ci.checks.migrations.sql import wrap

    return wrap(value)
