"""SQL migrations parsed by PostgreSQL's own parser (libpg_query, through pglast).

:func:`statements` turns a migration file into :class:`Stmt` values: the parse-tree node,
its line, and what came before it: an explicit transaction open, ``lock_timeout`` set,
tables created and columns added earlier in the file, and (:class:`Schema`) the column
types and constraints that earlier migration files of the same history defined. Rules
read only that.

The tree is libpg_query's JSON, read into plain dicts and wrapped in :class:`Node` for
attribute access: building pglast's node objects costs five times as much CPU, and most
of a migration's tree (view and function bodies) no rule reads. Enum fields hold their
names (``"AT_AddColumn"``), as in PostgreSQL's headers.

Every statement costs time proportional to its own size, whatever the file's length:
lines are counted incrementally, nothing copies the rest of the file, and the state that
rules see is shared rather than copied per statement. Hostile input is a
:class:`SqlError` (reported as ``migrations/parse-error``), never a crash: a NUL byte
(the C parser would stop reading there), and expressions nested too deeply for
PostgreSQL's own stack limit or for the JSON reader.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from launchready_ci.checks.migrations import libpg

__all__ = [
    "DEFAULT_POSTGRES_VERSION",
    "FileState",
    "Node",
    "Schema",
    "SqlError",
    "Stmt",
    "names",
    "parse",
    "relation_names",
    "statements",
]

#: The major version rules assume unless ``migrations.postgres_version`` says otherwise:
#: the oldest that PostgreSQL still supports. Rules differ below 11 and 12 only.
DEFAULT_POSTGRES_VERSION = 14


class Node:
    """One node of the parse tree: ``kind`` is its type (``"AlterTableStmt"``, ``""`` for
    a struct field such as a RangeVar); its fields are attributes, None when absent (the
    JSON leaves out false, zero and empty fields). A trailing ``_`` is dropped: ``def_``
    reads the field ``def``, ``kind_`` the field ``kind`` (of TransactionStmt, A_Expr...)."""

    # A field read once is stored in the instance's __dict__, so that reading it again
    # is an ordinary attribute lookup. The first read of a field name goes through
    # __getattr__, which also puts a _Field on the class for that name: from then on,
    # the first read of that field on any node calls the _Field, without the
    # AttributeError that Python 3.11 builds (and formats) before it calls __getattr__
    # (30,000 of them for 2,700 statements, 5 % of the check's CPU time).
    __slots__ = ("__dict__", "_fields", "kind")

    def __init__(self, kind: str, fields: dict[str, Any]) -> None:
        self.kind = kind
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or hasattr(type, name):  # no field's name: leave Python's
            # protocols (__iter__...) and the class's own attributes (mro...) alone
            value = wrap(self._fields.get(name.removesuffix("_")))
        else:
            field = _Field(name)
            setattr(Node, name, field)
            value = field.__get__(self)
        self.__dict__[name] = value
        return value

    def memo(self, key: str, compute: Callable[[Node], Any]) -> Any:
        """``compute(self)``, once per node (the rules ask the same things many times)."""
        key = "\0" + key
        cache = self.__dict__
        try:
            return cache[key]
        except KeyError:
            value = cache[key] = compute(self)
            return value

    def raw(self) -> dict[str, Any]:
        """The node's fields as parsed (plain dicts and lists)."""
        return self._fields

    def __repr__(self) -> str:
        return f"Node({self.kind!r}, {self._fields!r})"


class _Field:
    """Reads one field of a :class:`Node` (a descriptor without ``__set__``: the value
    it stores in the node's ``__dict__`` answers the next reads)."""

    __slots__ = ("key", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = name.removesuffix("_")

    def __get__(self, node: Node | None, owner: type | None = None) -> Any:
        if node is None:
            return self
        value = node.__dict__[self.name] = wrap(node._fields.get(self.key))
        return value


def wrap(value: Any) -> Any:
    if type(value) is dict:
        if len(value) == 1:
            for key, inner in value.items():
                if key[:1].isupper() and type(inner) is dict:
                    return Node(key, inner)
        return Node("", value)
    if type(value) is list:
        return [wrap(v) for v in value]
    return value


def names(items: Any) -> list[str]:
    """The strings of a list of ``String`` nodes (a qualified name), or of a ``List``."""
    if isinstance(items, Node) and items.kind == "List":
        items = items.items
    return [str(n.sval) for n in items or () if isinstance(n, Node) and n.kind == "String"]


@dataclass(frozen=True)
class Column:
    type: str  # the type's last name part, lowercased: "varchar", "int4", "uuid"
    length: int | None = None  # varchar(n) / char(n): n; None when unlimited or unknown
    not_null: bool = False


@dataclass
class Schema:
    """What the earlier migrations of one history defined, as far as the rules need it:
    each table's columns, and constraints by (table, name). A table missing here is
    unknown (defined outside the history, or by a tool), not absent."""

    columns: dict[tuple[str, str], Column] = field(default_factory=dict)
    #: (table, constraint) -> (kind, column it proves NOT NULL or "", validated)
    constraints: dict[tuple[str, str], tuple[str, str, bool]] = field(default_factory=dict)
    #: columns a validated CHECK (col IS NOT NULL) proves (SET NOT NULL needs no scan)
    proven_not_null: set[tuple[str, str]] = field(default_factory=set)
    #: functions created IMMUTABLE or STABLE by the history
    stable_functions: set[str] = field(default_factory=set)


@dataclass
class FileState:
    """What the statements of one file did so far; shared by its :class:`Stmt` values and
    updated after each one is consumed."""

    path: str
    new_tables: set[str]
    schema: Schema
    version: int
    wrapped: bool  # the tool runs the file in a transaction (explicit or implicit)
    #: the tool sends the file as one query: PostgreSQL's implicit transaction, which a
    #: BEGIN in the file turns into a regular one and a COMMIT ends without complaint
    implicit: bool = False
    in_transaction: bool = False
    depth: int = 0  # BEGINs written in the file that are open
    begin_line: int = 0  # where the open BEGIN is
    lock_timeout: bool = False
    added_columns: set[tuple[str, str]] = field(default_factory=set)
    filled_columns: set[tuple[str, str]] = field(default_factory=set)
    not_valid_in_tx: set[str] = field(default_factory=set)
    #: tables with a VALIDATE of a constraint this history does not define (the NOT VALID
    #: add is in a migration we cannot see): a later SET NOT NULL is the documented pattern
    validated_unknown: set[str] = field(default_factory=set)
    last_use: dict[str, int] = field(default_factory=dict)  # enum literal -> last offset
    reported: set[str] = field(default_factory=set)  # rules reported once per file


@dataclass(frozen=True)
class Stmt:
    node: Node  # the statement (kind "AlterTableStmt", ...)
    path: str
    line: int
    in_transaction: bool  # inside BEGIN ... COMMIT of the file, or the tool's transaction
    lock_timeout: bool  # SET lock_timeout ran earlier in the file
    state: FileState
    sql: str = ""  # the statement's own text
    end: int = 0  # byte offset in the file just after the statement
    last: bool = False  # the file's last statement

    @property
    def version(self) -> int:
        return self.state.version

    @property
    def new_tables(self) -> set[str]:
        return self.state.new_tables

    @property
    def added_columns(self) -> set[tuple[str, str]]:
        return self.state.added_columns

    @property
    def checked_not_null(self) -> set[tuple[str, str]]:
        return self.state.schema.proven_not_null

    @property
    def not_valid_in_tx(self) -> set[str]:
        return self.state.not_valid_in_tx

    @property
    def schema(self) -> Schema:
        return self.state.schema

    def is_new(self, relation: Any) -> bool:
        return relation is not None and table_name(relation) in self.state.new_tables

    def column(self, relation: Any, column: str) -> tuple[str, str]:
        return table_name(relation), str(column).lower()

    def used_later(self, literal: str) -> bool:
        """The text ``literal`` appears in the file after this statement."""
        return self.state.last_use.get(literal, -1) >= self.end


@dataclass(frozen=True)
class SqlError(Exception):
    path: str
    line: int
    message: str


def parse(path: str, text: str) -> tuple[list[dict[str, Any]], bytes]:
    """libpg_query's statements (dicts with ``stmt``, ``stmt_location``, ``stmt_len`` in
    bytes) and the UTF-8 text they index. Raises :class:`SqlError`."""
    nul = text.find("\0")
    if nul >= 0:
        raise SqlError(
            path,
            text.count("\n", 0, nul) + 1,
            "a NUL byte: PostgreSQL's parser stops reading there, so nothing after it "
            "would be checked (and psql refuses the file)",
        )
    data = text.encode("utf-8", "surrogatepass")
    raw: str | bytes | None = libpg.parse_json(data)
    if raw is None:  # pglast says why (or parses what the fast path cannot call)
        from pglast import parser

        try:
            raw = parser.parse_sql_json(text)
        except parser.ParseError as exc:
            where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
            message = str(exc.args[0])
            if "stack depth" in message:
                message = f"{message}: an expression is nested too deeply to check"
            line = data.count(b"\n", 0, max(0, where - 1)) + 1 if where else _deep_line(text)
            raise SqlError(path, line, message) from None
    enabled = gc.isenabled()
    gc.disable()  # a tree of plain dicts holds no cycles; collecting during loads is waste
    try:
        # orjson reads libpg_query's JSON in half the time of json; it refuses a tree
        # over 1,024 levels deep, which json then refuses too (RecursionError)
        try:
            tree = orjson.loads(raw)
        except orjson.JSONDecodeError:
            tree = json.loads(raw)
    except RecursionError:
        raise SqlError(
            path, _deep_line(text), "an expression is nested too deeply to check"
        ) from None
    finally:
        if enabled:
            gc.enable()
    return list(tree.get("stmts") or ()), data


def relation_names(parsed: list[dict[str, Any]]) -> set[str]:
    """The (unqualified) names of every relation the statements mention, CTE names
    included (harmless where they are used: no table of that name exists)."""
    out: set[str] = set()
    stack: list[Any] = list(parsed)
    while stack:
        value = stack.pop()
        if type(value) is dict:
            name = value.get("relname")
            if type(name) is str:
                out.add(name)
            stack.extend(v for v in value.values() if type(v) in (dict, list))
        elif type(value) is list:
            stack.extend(value)
    return out


def _deep_line(text: str) -> int:
    """The line of the first statement that fails alone (for errors without a position)."""
    from pglast import parser

    try:
        spans = parser.split(text, with_parser=False)
    except parser.ParseError:
        return 1
    offset = 0
    for span in spans:
        start = text.find(span, offset)
        offset = max(offset, start)
        try:
            json.loads(parser.parse_sql_json(span))
        except (parser.ParseError, RecursionError):
            return text.count("\n", 0, max(start, 0)) + 1
    return 1


def statements(
    path: str,
    text: str,
    new_tables: set[str],
    *,
    wrapped: bool | str = False,
    version: int = DEFAULT_POSTGRES_VERSION,
    schema: Schema | None = None,
) -> Iterator[Stmt]:
    """The statements of one migration, in order. Consume each before asking for the
    next: the state a statement shows is updated with its effects afterwards.

    ``new_tables`` (tables that do not exist in production yet) grows with the file's
    CREATE TABLEs; ``schema`` (the history so far) with its columns and constraints.
    Raises :class:`SqlError` (with the line) when the file does not parse. ``wrapped``:
    the migration tool runs the whole file in a transaction of its own; ``"implicit"``:
    it sends the file as one query, which PostgreSQL runs in a transaction when it holds
    more than one statement (see :mod:`.frameworks`)."""
    parsed, data = parse(path, text)
    implicit = wrapped == "implicit"
    if implicit:
        wrapped = len(parsed) > 1
    tx = wrapped in (True, "transaction")
    state = FileState(path, new_tables, schema or Schema(), version, tx, in_transaction=tx)
    state.implicit = implicit
    _enum_uses(parsed, data, state)
    line, counted = 1, 0  # newlines counted up to byte ``counted``
    final = len(parsed) - 1
    for index, raw in enumerate(parsed):
        start = raw.get("stmt_location", 0)
        length = raw.get("stmt_len", 0)
        end = start + length if length else len(data)
        chunk = data[start:end]
        skip = len(chunk) - len(chunk.lstrip())
        first = start + skip
        line += data.count(b"\n", counted, first)
        counted = first
        node = wrap(raw["stmt"])
        yield Stmt(
            node,
            path,
            line,
            state.in_transaction,
            state.lock_timeout,
            state,
            sql=chunk.decode("utf-8", "replace"),
            end=end,
            last=index == final,
        )
        _effects(node, state, line)


def _enum_uses(parsed: list[dict[str, Any]], data: bytes, state: FileState) -> None:
    """Where each enum value the file adds last appears in it: one pass over the text for
    all of them (Aho-Corasick), so that the enum rule's look-ahead costs nothing per
    statement."""
    literals = {
        "'" + str(s["stmt"]["AlterEnumStmt"]["newVal"]).replace("'", "''") + "'"
        for s in parsed
        if "AlterEnumStmt" in s["stmt"] and s["stmt"]["AlterEnumStmt"].get("newVal")
    }
    if not literals:
        return
    import ahocorasick

    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_SEQUENCE)
    encoded = {lit: lit.encode("utf-8") for lit in literals}
    for lit, raw in encoded.items():
        automaton.add_word(tuple(raw), lit)
    automaton.make_automaton()
    for end, lit in automaton.iter(tuple(data)):
        state.last_use[lit] = end + 1 - len(encoded[lit])


def _effects(node: Node, state: FileState, line: int) -> None:
    """What a statement tells the statements after it."""
    kind = node.kind
    if kind == "TransactionStmt":
        if node.kind_ in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
            if not state.depth:
                state.begin_line = line
            state.depth += 1
            state.in_transaction = True
        elif node.kind_ in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"):
            state.depth = 0
            state.in_transaction = False
            state.not_valid_in_tx.clear()
    elif kind == "VariableSetStmt" and str(node.name or "").lower() == "lock_timeout":
        state.lock_timeout = node.kind_ == "VAR_SET_VALUE" and not _zero(node.args)
    elif kind == "SelectStmt" and _set_config_lock_timeout(node):
        state.lock_timeout = True
    elif kind == "CreateStmt" and node.relation is not None:
        table = table_name(node.relation)
        state.new_tables.add(table)
        for element in node.tableElts or ():
            if element.kind == "ColumnDef":
                _define_column(state, table, element)
    elif kind == "CreateFunctionStmt":
        volatility = [
            str(o.arg.sval).lower()
            for o in node.options or ()
            if o.kind == "DefElem" and o.defname == "volatility" and o.arg is not None
        ]
        name = (names(node.funcname)[-1:] or [""])[0].lower()
        if volatility and volatility[-1] in ("immutable", "stable"):
            state.schema.stable_functions.add(name)
        else:
            state.schema.stable_functions.discard(name)
    elif kind == "CreateTableAsStmt" and node.into is not None and node.into.rel is not None:
        state.new_tables.add(table_name(node.into.rel))
    elif kind == "AlterTableStmt" and node.relation is not None:
        _alter_effects(node, state)
    elif kind == "UpdateStmt" and node.relation is not None:
        table = table_name(node.relation)
        for target in node.targetList or ():
            if target.name:
                state.filled_columns.add((table, str(target.name).lower()))
    elif kind == "RenameStmt" and node.renameType == "OBJECT_TABLE" and node.relation is not None:
        old, new = table_name(node.relation), _qualified(node.relation, node.newname)
        for (table, column), value in list(state.schema.columns.items()):
            if table == old:
                state.schema.columns[(new, column)] = value
    elif kind == "RenameStmt" and node.renameType == "OBJECT_COLUMN" and node.relation is not None:
        table = table_name(node.relation)
        old_col = (table, str(node.subname).lower())
        new_col = (table, str(node.newname).lower())
        for seen in (state.added_columns, state.filled_columns):
            if old_col in seen:
                seen.add(new_col)
        if old_col in state.schema.columns:
            state.schema.columns[(table, str(node.newname).lower())] = state.schema.columns.pop(
                old_col
            )


def _alter_effects(node: Node, state: FileState) -> None:
    table = table_name(node.relation)
    schema = state.schema
    for cmd in node.cmds or ():
        sub = cmd.subtype
        if sub == "AT_AddColumn" and cmd.def_ is not None:
            column = str(cmd.def_.colname).lower()
            state.added_columns.add((table, column))
            if any(c.contype == "CONSTR_DEFAULT" for c in cmd.def_.constraints or ()):
                state.filled_columns.add((table, column))
            _define_column(state, table, cmd.def_)
        elif sub == "AT_AlterColumnType" and cmd.name and cmd.def_ is not None:
            key = (table, str(cmd.name).lower())
            old = schema.columns.get(key)
            schema.columns[key] = Column(
                *column_type(cmd.def_.typeName), not_null=bool(old and old.not_null)
            )
        elif sub == "AT_DropColumn" and cmd.name:
            schema.columns.pop((table, str(cmd.name).lower()), None)
        elif sub in ("AT_SetNotNull", "AT_DropNotNull") and cmd.name:
            key = (table, str(cmd.name).lower())
            if key in schema.columns:
                old = schema.columns[key]
                schema.columns[key] = Column(old.type, old.length, sub == "AT_SetNotNull")
        elif sub == "AT_AddConstraint" and cmd.def_ is not None:
            _add_constraint(state, table, cmd.def_)
        elif sub == "AT_ValidateConstraint" and cmd.name:
            name = str(cmd.name).lower()
            known = schema.constraints.get((table, name))
            if known is None:
                state.validated_unknown.add(table)
                continue
            kind, column, _ = known
            schema.constraints[(table, name)] = (kind, column, True)
            if column:
                state.schema.proven_not_null.add((table, column))
        elif sub == "AT_DropConstraint" and cmd.name:
            schema.constraints.pop((table, str(cmd.name).lower()), None)


def _add_constraint(state: FileState, table: str, con: Node) -> None:
    name = str(con.conname or "").lower()
    if con.skip_validation and name and state.in_transaction:
        state.not_valid_in_tx.add(name)
    column = ""
    expr = con.raw_expr
    if (
        con.contype == "CONSTR_CHECK"
        and expr is not None
        and expr.kind == "NullTest"
        and expr.nulltesttype == "IS_NOT_NULL"
        and expr.arg is not None
        and expr.arg.kind == "ColumnRef"
    ):
        parts = names(expr.arg.fields)
        column = parts[-1].lower() if parts else ""
    validated = not con.skip_validation
    if name:
        state.schema.constraints[(table, name)] = (str(con.contype), column, validated)
    if column and validated:
        state.schema.proven_not_null.add((table, column))


def _define_column(state: FileState, table: str, definition: Node) -> None:
    if definition.typeName is None:
        return
    kinds = {c.contype for c in definition.constraints or ()}
    state.schema.columns[(table, str(definition.colname).lower())] = Column(
        *column_type(definition.typeName),
        not_null=bool(kinds & {"CONSTR_NOTNULL", "CONSTR_PRIMARY"}),
    )


def column_type(type_name: Node | None) -> tuple[str, int | None]:
    """(type, length) of a TypeName: ``varchar(32)`` -> ("varchar", 32)."""
    if type_name is None:
        return "?", None
    parts = names(type_name.names)
    kind = parts[-1].lower() if parts else "?"
    if type_name.arrayBounds:
        kind += "[]"
    length = None
    mods = type_name.typmods or ()
    if kind in ("varchar", "bpchar", "char", "character varying") and mods:
        value = mods[0].ival if mods[0].kind == "A_Const" else None
        length = value.ival if isinstance(value, Node) else None
    return kind, length


def _zero(args: Any) -> bool:
    """``SET lock_timeout = 0`` (or '0'): no timeout at all."""
    for arg in args or ():
        if arg.kind == "A_Const":
            value = arg.ival or arg.sval
            raw = value.raw().get("ival", value.raw().get("sval")) if value else 0
            return str(raw or 0).strip() in ("0", "0ms", "0s")
    return False


def _set_config_lock_timeout(node: Node) -> bool:
    """``SELECT set_config('lock_timeout', ...)``."""
    for target in node.targetList or ():
        call = target.val
        if (
            call is not None
            and call.kind == "FuncCall"
            and names(call.funcname)[-1:] == ["set_config"]
            and call.args
            and call.args[0].kind == "A_Const"
            and call.args[0].sval is not None
            and str(call.args[0].sval.sval).lower() == "lock_timeout"
        ):
            return True
    return False


def table_name(relation: Any) -> str:
    """``schema.table`` lowercased, ``public.`` implied."""
    return str(relation.memo("table", _table_name))


def _table_name(relation: Node) -> str:
    schema = str(relation.schemaname or "public").lower()
    return f"{schema}.{str(relation.relname).lower()}"


def _qualified(relation: Any, new: Any) -> str:
    schema = str(relation.schemaname or "public").lower()
    return f"{schema}.{str(new).lower()}"
