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

    def is_new(self, relation: Any) -> bool:
        return relation is not None and _name(relation) in self.new_tables


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
        )
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
        elif isinstance(node, ast.VariableSetStmt) and node.name == "lock_timeout":
            lock_timeout = True
        elif isinstance(node, ast.CreateStmt | ast.CreateTableAsStmt):
            into = None if isinstance(node, ast.CreateStmt) else node.into
            relation = node.relation if isinstance(node, ast.CreateStmt) else into and into.rel
            if relation is not None:
                new_tables.add(_name(relation))


def _name(relation: Any) -> str:
    """``schema.table`` lowercased, ``public.`` implied."""
    schema = (relation.schemaname or "public").lower()
    return f"{schema}.{relation.relname.lower()}"
