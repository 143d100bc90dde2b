from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt, names
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class DuplicateAssignment(MigrationRule):
    """A column is named twice in one `SET`, column list or table definition.

    Why
    ---
    PostgreSQL rejects `UPDATE t SET a = 1, a = 2` ("multiple assignments to same column"),
    `INSERT INTO t (a, a)`, `ON CONFLICT DO UPDATE` and `MERGE` with the same, a
    `CREATE TABLE` that names a column twice, and a view whose columns come out with the
    same name twice (`SELECT 1, 2` names both `?column?`). The parser accepts them, so
    only running the migration shows it: the deploy fails at this statement, with the
    statements before it applied when the file is not one transaction. A whole
    assignment and one to a field of the same column (`a = row(1, 2), a.x = 1`) conflict
    too; assignments to different fields or array elements do not.

    Remediation
    -----------
    Keep one assignment per column (the last one is usually the intended one), and give
    a view's expressions distinct aliases.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-update.html
    - https://www.postgresql.org/docs/current/sql-createview.html
    """

    id = "migrations/duplicate-assignment"
    kinds = frozenset(
        {
            "UpdateStmt",
            "InsertStmt",
            "MergeStmt",
            "CreateStmt",
            "CreateForeignTableStmt",
            "ViewStmt",
            "SelectStmt",
            "CreateTableAsStmt",
        }
    )
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("UPDATE members SET plan = 'free', plan = 'pro' WHERE id = 1;",),
        "good": ("UPDATE members SET plan = 'pro' WHERE id = 1;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        for where, targets in _target_lists(stmt.node):
            for name in _duplicates(targets):
                yield f"column {name} is named more than once in {where}: PostgreSQL rejects it"


def _target_lists(node: Any) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(where, [(column, indirection)]) for every list of columns the statement names."""
    kind = node.kind
    if kind == "UpdateStmt":
        yield "the SET list", _res_targets(node.targetList)
    elif kind == "InsertStmt":
        yield "the INSERT column list", _res_targets(node.cols)
        conflict = node.onConflictClause
        if conflict is not None and conflict.targetList:
            yield "ON CONFLICT DO UPDATE SET", _res_targets(conflict.targetList)
    elif kind == "MergeStmt":
        for clause in node.mergeWhenClauses or ():
            if clause.commandType == "CMD_INSERT":
                yield "the MERGE INSERT column list", _res_targets(clause.targetList)
            elif clause.commandType == "CMD_UPDATE":
                yield "the MERGE UPDATE SET list", _res_targets(clause.targetList)
    elif kind in ("CreateStmt", "CreateForeignTableStmt"):
        base = node.base if kind == "CreateForeignTableStmt" else node
        columns = [(str(e.colname), "") for e in base.tableElts or () if e.kind == "ColumnDef"]
        yield "the table's columns", columns
    elif kind == "ViewStmt":
        if node.aliases:
            yield "the view's column list", [(a, "") for a in names(node.aliases)]
        elif node.query is not None and node.query.kind == "SelectStmt":
            yield "the view's columns", _output_names(node.query)
    elif kind == "SelectStmt" and node.intoClause is not None:
        yield "the columns of SELECT INTO", _output_names(node)
    elif (
        kind == "CreateTableAsStmt"
        and node.query is not None
        and node.query.kind == "SelectStmt"
        and (node.into is None or not node.into.colNames)
    ):
        yield "the table's columns", _output_names(node.query)


def _res_targets(items: Any) -> list[tuple[str, str]]:
    out = []
    for target in items or ():
        if target.kind == "ResTarget" and target.name:
            out.append((str(target.name), _indirection(target.indirection)))
    return out


def _indirection(items: Any) -> str:
    """``a.x`` -> ".x", ``a[1]`` -> "[1]" ("" for the whole column)."""
    out = []
    for item in items or ():
        if item.kind == "String":
            out.append(f".{item.sval}")
        elif item.kind == "A_Indices":
            index = item.uidx
            value = index.ival if index is not None and index.kind == "A_Const" else None
            out.append(f"[{value.raw().get('ival', 0) if value is not None else '?'}]")
        else:
            out.append(".?")
    return "".join(out)


def _output_names(select: Any) -> list[tuple[str, str]]:
    """The names PostgreSQL gives a SELECT's output columns (as its FigureColname does),
    for the expressions whose name is certain; the others are left out."""
    if select.targetList is None:  # a UNION: its first arm names the columns
        return _output_names(select.larg) if select.larg is not None else []
    out = []
    for target in select.targetList:
        name = str(target.name) if target.name else _figure_name(target.val)
        if name:
            out.append((name, ""))
    return out


#: Expressions PostgreSQL names by their kind.
_KIND_NAMES = {
    "CaseExpr": "case",
    "A_ArrayExpr": "array",
    "CoalesceExpr": "coalesce",
    "RowExpr": "row",
    "A_Const": "?column?",
    "A_Expr": "?column?",
    "BoolExpr": "?column?",
}


def _figure_name(value: Any) -> str:
    """The output name of one expression, "" when this rule cannot be sure of it."""
    kind = value.kind if value is not None else ""
    if kind == "ColumnRef":
        parts = names(value.fields)
        return parts[-1] if parts else ""  # "": t.*
    if kind == "FuncCall":
        return (names(value.funcname) or [""])[-1]
    if kind == "A_Indirection":  # (q.h).id is named id; a subscript keeps the base's name
        fields = [i for i in value.indirection or () if i.kind == "String"]
        return str(fields[-1].sval) if fields else _figure_name(value.arg)
    if kind == "TypeCast":
        inner = _figure_name(value.arg)
        if inner and inner != "?column?":
            return inner
        return (names(value.typeName.names) if value.typeName is not None else [""])[-1]
    return _KIND_NAMES.get(kind, "")


def _duplicates(targets: Iterable[tuple[str, str]]) -> list[str]:
    """Names assigned twice: the same indirection, or a whole assignment and a part."""
    whole = Counter(name for name, ind in targets if not ind)
    parts = Counter((name, ind) for name, ind in targets if ind)
    found = {name for name, n in whole.items() if n > 1}
    found |= {name for (name, _), n in parts.items() if n > 1}
    found |= {name for name, _ in parts if name in whole}
    return sorted(found)
