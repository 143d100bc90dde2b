"""SQL migrations parsed by PostgreSQL's own parser (pglast wraps libpg_query).

:func:`statements` turns a migration file into :class:`Stmt` values: the parse-tree node,
its line, and what the file did before it (an explicit transaction open, ``lock_timeout``
set, tables created earlier in this or an earlier migration). Rules read only that.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_POSTGRES_VERSION", "SqlError", "Stmt", "statements"]

#: The major version rules assume unless ``migrations.postgres_version`` says otherwise:
#: the oldest that PostgreSQL still supports. Rules differ below 11 and 12 only.
DEFAULT_POSTGRES_VERSION = 14


@dataclass(frozen=True)
class Stmt:
    node: Any  # a pglast.ast node
    path: str
    line: int
    in_transaction: bool  # inside BEGIN ... COMMIT written in the file
    lock_timeout: bool  # SET lock_timeout ran earlier in the file
    new_tables: frozenset[str]  # created earlier in the same migration
    sql: str = ""  # the statement's own text
    rest: str = ""  # the file's text after this statement
    version: int = DEFAULT_POSTGRES_VERSION  # the production server's major version
    #: (table, column) pairs earlier statements of the file added as columns, proved
    #: NOT NULL with a validated CHECK, and constraints added NOT VALID in the open
    #: transaction
    added_columns: frozenset[tuple[str, str]] = frozenset()
    checked_not_null: frozenset[tuple[str, str]] = frozenset()
    not_valid_in_tx: frozenset[str] = frozenset()

    def is_new(self, relation: Any) -> bool:
        return relation is not None and _name(relation) in self.new_tables

    def column(self, relation: Any, column: str) -> tuple[str, str]:
        return _name(relation), column.lower()


@dataclass(frozen=True)
class SqlError(Exception):
    path: str
    line: int
    message: str


def statements(
    path: str,
    text: str,
    new_tables: set[str],
    *,
    wrapped: bool | str = False,
    version: int = DEFAULT_POSTGRES_VERSION,
) -> Iterator[Stmt]:
    """The statements of one migration, in order; ``new_tables`` (tables that do not
    exist in production yet) grows with its CREATE TABLEs. Raises :class:`SqlError`
    (with the line) when the file does not parse. ``wrapped``: the migration tool runs the
    whole file in a transaction of its own; ``"implicit"``: it sends the file as one query,
    which PostgreSQL runs in a transaction when it holds more than one statement (see
    :mod:`.frameworks`)."""
    from pglast import ast, parse_sql
    from pglast.enums import TransactionStmtKind
    from pglast.parser import ParseError

    try:
        parsed = parse_sql(text)
    except ParseError as exc:
        where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        raise SqlError(path, text.count("\n", 0, where) + 1, str(exc.args[0])) from None
    if wrapped == "implicit":
        wrapped = len(parsed) > 1
    in_tx, lock_timeout = wrapped in (True, "transaction"), False
    added: set[tuple[str, str]] = set()
    checks: dict[str, tuple[str, str]] = {}  # CHECK (col IS NOT NULL) constraint -> column
    checked: set[tuple[str, str]] = set()
    not_valid: set[str] = set()
    for raw in parsed:
        node = raw.stmt
        start = raw.stmt_location or 0
        start += len(text[start:]) - len(text[start:].lstrip())
        line = text.count("\n", 0, start) + 1
        end = start + raw.stmt_len if raw.stmt_len else len(text)
        yield Stmt(
            node,
            path,
            line,
            in_tx,
            lock_timeout,
            frozenset(new_tables),
            sql=text[raw.stmt_location or 0 : end],
            rest=text[end:],
            version=version,
            added_columns=frozenset(added),
            checked_not_null=frozenset(checked),
            not_valid_in_tx=frozenset(not_valid) if in_tx else frozenset(),
        )
        if isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            _alter_context(node, added, checks, checked, not_valid)
        if isinstance(node, ast.TransactionStmt):
            if node.kind in (
                TransactionStmtKind.TRANS_STMT_BEGIN,
                TransactionStmtKind.TRANS_STMT_START,
            ):
                in_tx = True
            elif node.kind in (
                TransactionStmtKind.TRANS_STMT_COMMIT,
                TransactionStmtKind.TRANS_STMT_ROLLBACK,
            ):
                in_tx = False
                not_valid.clear()
        elif _sets_lock_timeout(node):
            lock_timeout = True
        elif isinstance(node, ast.CreateStmt | ast.CreateTableAsStmt):
            into = None if isinstance(node, ast.CreateStmt) else node.into
            relation = node.relation if isinstance(node, ast.CreateStmt) else into and into.rel
            if relation is not None:
                new_tables.add(_name(relation))


def _alter_context(
    node: Any,
    added: set[tuple[str, str]],
    checks: dict[str, tuple[str, str]],
    checked: set[tuple[str, str]],
    not_valid: set[str],
) -> None:
    """What an ALTER TABLE tells later statements of the file."""
    from pglast import ast
    from pglast.enums import AlterTableType, ConstrType, NullTestType

    table = _name(node.relation)
    for cmd in node.cmds or ():
        if cmd.subtype == AlterTableType.AT_AddColumn and cmd.def_ is not None:
            added.add((table, str(cmd.def_.colname).lower()))
        elif cmd.subtype == AlterTableType.AT_AddConstraint and cmd.def_ is not None:
            con = cmd.def_
            name = str(con.conname or "").lower()
            if con.skip_validation and name:
                not_valid.add(name)
            expr = con.raw_expr
            if (
                con.contype == ConstrType.CONSTR_CHECK
                and isinstance(expr, ast.NullTest)
                and expr.nulltesttype == NullTestType.IS_NOT_NULL
                and isinstance(expr.arg, ast.ColumnRef)
                and expr.arg.fields
            ):
                column = (table, str(getattr(expr.arg.fields[-1], "sval", "")).lower())
                if con.skip_validation:
                    checks[name] = column
                else:
                    checked.add(column)
        elif cmd.subtype == AlterTableType.AT_ValidateConstraint and cmd.name:
            name = str(cmd.name).lower()
            if name in checks:
                checked.add(checks[name])


def _sets_lock_timeout(node: Any) -> bool:
    """``SET lock_timeout`` or ``SELECT set_config('lock_timeout', ...)``."""
    from pglast import ast

    if isinstance(node, ast.VariableSetStmt):
        return node.name == "lock_timeout"
    if not isinstance(node, ast.SelectStmt):
        return False
    for target in node.targetList or ():
        call = getattr(target, "val", None)
        if (
            isinstance(call, ast.FuncCall)
            and call.funcname
            and str(getattr(call.funcname[-1], "sval", "")).lower() == "set_config"
            and call.args
            and isinstance(call.args[0], ast.A_Const)
            and str(getattr(call.args[0].val, "sval", "")).lower() == "lock_timeout"
        ):
            return True
    return False


def _name(relation: Any) -> str:
    """``schema.table`` lowercased, ``public.`` implied."""
    schema = (relation.schemaname or "public").lower()
    return f"{schema}.{relation.relname.lower()}"
