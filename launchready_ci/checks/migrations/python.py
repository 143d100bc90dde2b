"""Django and Alembic migrations, read with Python's ``ast`` (never imported or run).

Each operation becomes an :class:`Op`: what it does to which table, on which line. SQL
that a migration runs as a string (Django's ``RunSQL``, Alembic's ``op.execute``) is
parsed like a ``.sql`` migration and linted with the same rules, at the call's line.
For Alembic only ``upgrade()`` is read: ``downgrade()`` drops things by design.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from launchready_ci.checks.migrations.rules.volatile_default import VOLATILE

__all__ = ["Op", "is_python_migration", "operations"]


@dataclass(frozen=True)
class Op:
    #: add-not-null | add-index | add-index-concurrently | add-fk | add-unique | add-check |
    #: alter-type | set-not-null | volatile-default | rename | drop | sql
    kind: str
    line: int
    table: str
    detail: str = ""  # column, index or new name; the SQL text for kind "sql"
    new_table: bool = False  # the same migration creates the table
    atomic: bool = True  # the tool runs the operation inside a transaction
    framework: str = "django"  # or "alembic"


def is_python_migration(path: str, text: str) -> bool:
    return path.endswith(".py") and (
        ("migrations.Migration" in text and "operations" in text)
        or ("from alembic import op" in text and "def upgrade" in text)
    )


#: A column's type as far as a rewrite goes: (kind, length); kind "varchar", "text" or the
#: field class / SQLAlchemy type name, length None when unlimited or unknown.
ColumnType = tuple[str, int | None]
#: Django's model state, built from the migrations read so far: (model, field) -> (type,
#: null). Lets AlterField tell a widening (no rewrite) from a shrink or a new type.
FieldState = dict[tuple[str, str], tuple[ColumnType, bool]]

_VARCHAR_FIELDS = frozenset({"CharField", "EmailField", "SlugField", "URLField"})


def operations(text: str, state: FieldState | None = None) -> Iterator[Op]:
    """The operations of a Django or Alembic migration; nothing for a file that does not
    parse (Python's own error would be the better report, at import time). ``state``:
    Django's fields as the earlier migrations left them; updated with this one's."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    if "from alembic import op" in text:
        yield from _alembic(tree)
    else:
        yield from _django(tree, {} if state is None else state)


# --- Django ------------------------------------------------------------------------------


def _django(tree: ast.Module, state: FieldState) -> Iterator[Op]:
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        atomic = True
        calls: list[ast.Call] = []
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and _targets(stmt) == {"atomic"}:
                atomic = not (isinstance(stmt.value, ast.Constant) and stmt.value.value is False)
            if (
                isinstance(stmt, ast.Assign)
                and _targets(stmt) == {"operations"}
                and isinstance(stmt.value, ast.List | ast.Tuple)
            ):
                calls = [c for c in stmt.value.elts if isinstance(c, ast.Call)]
        created = {_lower(_arg(c, 0, "name")) for c in calls if _callee(c) == "CreateModel"}
        added: set[tuple[str, str]] = set()  # fields this migration adds
        for call in _flatten(calls, state, created, added):
            yield from _django_op(call, created, atomic, state, added)


def _flatten(
    calls: list[ast.Call], state: FieldState, created: set[str], added: set[tuple[str, str]]
) -> Iterator[ast.Call]:
    """The operations that run on the database, in order. ``SeparateDatabaseAndState``
    runs its ``database_operations``; its ``state_operations`` only change Django's model
    state, so they update ``state`` here and report nothing."""
    for call in calls:
        if _callee(call) != "SeparateDatabaseAndState":
            yield call
            continue
        database = _arg_node(call, 0, "database_operations")
        for inner in database.elts if isinstance(database, ast.List | ast.Tuple) else ():
            if isinstance(inner, ast.Call):
                yield inner
        states = _arg_node(call, 1, "state_operations")
        for inner in states.elts if isinstance(states, ast.List | ast.Tuple) else ():
            if isinstance(inner, ast.Call):
                for _ in _django_op(inner, created, True, state, added):
                    pass


def _django_op(
    call: ast.Call,
    created: set[str],
    atomic: bool,
    state: FieldState,
    added: set[tuple[str, str]],
) -> Iterator[Op]:
    name = _callee(call)
    model = _lower(_arg(call, 0, "model_name"))
    new = model in created
    line = call.lineno
    if name == "CreateModel":
        fields = _arg_node(call, 1, "fields")
        for item in fields.elts if isinstance(fields, ast.List | ast.Tuple) else ():
            if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                fname, spec = item.elts
                if isinstance(fname, ast.Constant) and isinstance(spec, ast.Call):
                    key = (_lower(_arg(call, 0, "name")), str(fname.value).lower())
                    state[key] = (_django_type(spec), _kw_true(spec, "null"))
    if name in ("AddField", "AlterField"):
        changed = _arg_node(call, 2, "field")
        key = (model, _lower(_arg(call, 1, "name")))
        before = state.get(key)
        if isinstance(changed, ast.Call):
            state[key] = (_django_type(changed), _kw_true(changed, "null"))
        if name == "AlterField" and isinstance(changed, ast.Call):
            yield from _alter_field(line, key, before, state[key], new)
            return
    if name == "AddField":
        field = _arg_node(call, 2, "field")
        column = _lower(_arg(call, 1, "name"))
        added.add((model, column))
        if (
            isinstance(field, ast.Call)
            and not _kw_true(field, "null")
            and not _has_kw(field, "default", "db_default")
        ):
            yield Op("add-not-null", line, model, column, new)
        if isinstance(field, ast.Call) and _callee(field) in ("ForeignKey", "OneToOneField"):
            yield Op("add-fk", line, model, column, new)
    elif name == "AddConstraint":
        constraint = _arg_node(call, 1, "constraint")
        kind = {"UniqueConstraint": "add-unique", "CheckConstraint": "add-check"}.get(
            _callee(constraint) if isinstance(constraint, ast.Call) else ""
        )
        if kind is not None:
            yield Op(kind, line, model, "", new)
    elif name in ("AddIndex", "AddIndexConcurrently"):
        kind = "add-index" if name == "AddIndex" else "add-index-concurrently"
        yield Op(kind, line, model, "", new, atomic)
    elif name in ("RemoveField", "RenameField"):
        field_name = _arg(call, 1, "name" if name == "RemoveField" else "old_name")
        if (model, field_name.lower()) not in added:  # a field this migration added: unread
            yield Op("rename" if name == "RenameField" else "drop", line, model, field_name)
    elif name in ("DeleteModel", "RenameModel"):
        table = _lower(_arg(call, 0, "name" if name == "DeleteModel" else "old_name"))
        yield Op("drop" if name == "DeleteModel" else "rename", line, table)
    elif name == "RunSQL":
        yield from _sql_ops(_arg_node(call, 0, "sql"), line, atomic=atomic)


# --- Alembic -----------------------------------------------------------------------------


def _alembic(tree: ast.Module) -> Iterator[Op]:
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return
    calls = [
        n
        for n in ast.walk(upgrade)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "op"
    ]
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    created = {_lower(_arg(c, 0, "table_name")) for c in calls if c.func.attr == "create_table"}  # type: ignore[attr-defined]
    # Alembic runs upgrade() in a transaction on PostgreSQL, except the body of
    # ``with op.get_context().autocommit_block():``.
    outside = {
        id(n)
        for block in ast.walk(upgrade)
        if isinstance(block, ast.With)
        and any(
            isinstance(item.context_expr, ast.Call)
            and _callee(item.context_expr) == "autocommit_block"
            for item in block.items
        )
        for n in ast.walk(block)
    }
    for call in calls:
        yield from _alembic_op(call, created, atomic=id(call) not in outside)


def _alembic_op(call: ast.Call, created: set[str], *, atomic: bool) -> Iterator[Op]:
    name = call.func.attr  # type: ignore[attr-defined]
    line = call.lineno
    if name == "add_column":
        table = _lower(_arg(call, 0, "table_name"))
        column = _arg_node(call, 1, "column")
        if (
            isinstance(column, ast.Call)
            and _kw_false(column, "nullable")
            and not _has_kw(column, "server_default")
        ):
            yield Op("add-not-null", line, table, _lower(_arg(column, 0, "name")), table in created)
        default = _arg_node(column, 99, "server_default") if isinstance(column, ast.Call) else None
        function = _sql_text_function(default)
        if function in VOLATILE:  # now() or a constant is stored once: no rewrite
            yield Op("volatile-default", line, table, function, table in created)
    elif name == "alter_column":
        table = _lower(_arg(call, 0, "table_name"))
        name_ = _lower(_arg(call, 1, "column_name"))
        old, new = (
            _sa_type(_arg_node(call, 99, "existing_type")),
            _sa_type(_arg_node(call, 99, "type_")),
        )
        if _has_kw(call, "type_") and not (old and new and _widens(old, new)):
            yield Op("alter-type", line, table, name_, table in created)
        if _kw_false(call, "nullable") and not _kw_false(call, "existing_nullable"):
            yield Op("set-not-null", line, table, name_, table in created)
        if _has_kw(call, "new_column_name"):
            yield Op("rename", line, table, _arg(call, 1, "column_name"))
    elif name in ("create_foreign_key", "create_unique_constraint", "create_check_constraint"):
        table = _lower(_arg(call, 1, "source_table" if "foreign" in name else "table_name"))
        kind = {"create_foreign_key": "add-fk", "create_unique_constraint": "add-unique"}.get(
            name, "add-check"
        )
        yield Op(kind, line, table, "", table in created)
    elif name == "create_index":
        table = _lower(_arg(call, 1, "table_name"))
        index = _arg(call, 0, "index_name")
        if not _kw_true(call, "postgresql_concurrently"):
            yield Op("add-index", line, table, index, table in created)
        else:
            kind = "add-index-concurrently"
            yield Op(kind, line, table, index, table in created, atomic, "alembic")
    elif name in ("drop_column", "drop_table"):
        yield Op("drop", line, _lower(_arg(call, 0, "table_name")), _arg(call, 1, "column_name"))
    elif name == "rename_table":
        yield Op("rename", line, _lower(_arg(call, 0, "old_table_name")))
    elif name == "execute":
        yield from _sql_ops(_arg_node(call, 0, "sqltext"), line, atomic=atomic)


# --- helpers -----------------------------------------------------------------------------


def _sql_ops(node: ast.expr | None, line: int, *, atomic: bool) -> Iterator[Op]:
    parts = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    for part in parts:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            yield Op("sql", line, "", part.value, atomic=atomic)


def _alter_field(
    line: int,
    key: tuple[str, str],
    before: tuple[ColumnType, bool] | None,
    after: tuple[ColumnType, bool],
    new: bool,
) -> Iterator[Op]:
    """AlterField judged against the field's previous state; unknown (no earlier
    migration defines it): anything but null=True may rewrite or scan."""
    model, column = key
    if before is None:
        if not after[1]:
            yield Op("alter-type", line, model, column, new)
        return
    if not _widens(before[0], after[0]):
        yield Op("alter-type", line, model, column, new)
    if before[1] and not after[1]:
        yield Op("set-not-null", line, model, column, new)


def _django_type(field: ast.Call) -> ColumnType:
    kind = _callee(field)
    if kind in _VARCHAR_FIELDS:
        length = _arg_node(field, 99, "max_length")
        default = 254 if kind == "EmailField" else 50 if kind == "SlugField" else 200
        size = length.value if isinstance(length, ast.Constant) else default
        return "varchar", size if isinstance(size, int) else None
    return ("text", None) if kind == "TextField" else (kind, None)


def _sa_type(node: ast.expr | None) -> ColumnType | None:
    """``sa.String(length=100)`` -> ("varchar", 100); ``sa.Text()`` -> ("text", None)."""
    if not isinstance(node, ast.Call | ast.Attribute | ast.Name):
        return None
    call = node if isinstance(node, ast.Call) else None
    kind = _callee(call) if call else (node.attr if isinstance(node, ast.Attribute) else node.id)  # type: ignore[union-attr]
    if kind in ("String", "VARCHAR", "Unicode"):
        length = _arg_node(call, 0, "length") if call else None
        size = length.value if isinstance(length, ast.Constant) else None
        return "varchar", size if isinstance(size, int) else None
    return ("text", None) if kind in ("Text", "TEXT", "UnicodeText") else (kind, None)


def _widens(old: ColumnType, new: ColumnType) -> bool:
    """No rewrite: the same type, varchar to text, or a longer (or unlimited) varchar."""
    if old == new or (new[0] == "text" and old[0] in ("varchar", "text")):
        return True
    if old[0] == new[0] == "varchar":
        return new[1] is None or (old[1] is not None and new[1] >= old[1])
    return False


def _sql_text_function(node: ast.expr | None) -> str:
    """``sa.text("gen_random_uuid()")`` -> ``gen_random_uuid``; "" for anything else."""
    if not (isinstance(node, ast.Call) and _callee(node) == "text" and node.args):
        return ""
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "(" in arg.value:
        return arg.value.split("(", 1)[0].strip().lower()
    return ""


def _targets(stmt: ast.Assign) -> set[str]:
    return {t.id for t in stmt.targets if isinstance(t, ast.Name)}


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _arg_node(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[index] if len(call.args) > index else None


def _arg(call: ast.Call, index: int, keyword: str) -> str:
    node = _arg_node(call, index, keyword)
    return str(node.value) if isinstance(node, ast.Constant) else "?"


def _lower(text: str) -> str:
    return text.lower()


def _has_kw(call: ast.Call, *names: str) -> bool:
    return any(kw.arg in names for kw in call.keywords)


def _kw_true(call: ast.Call, name: str) -> bool:
    return any(
        kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is True
        for kw in call.keywords
    )


def _kw_false(call: ast.Call, name: str) -> bool:
    return any(
        kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is False
        for kw in call.keywords
    )
