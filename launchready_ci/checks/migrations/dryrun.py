"""The dry run: apply SQL migrations to a disposable PostgreSQL and record the locks.

Migrations before the ones under test build the schema. Each migration under test runs
statement by statement in one transaction; after each statement ``pg_locks`` shows
which relation locks this session now holds, and a lock that blocks writes (SHARE or
stronger) on a table that existed before the migration is a finding, with how long the
statement took. Locks are held until COMMIT, so a later slow statement in the same file
keeps them. Statements that cannot run in a transaction (``CONCURRENTLY``, ``VACUUM``)
run on their own, unobserved. An error is a finding on the statement's line.

The database must be a throwaway (a CI service container, a local scratch database):
migrations under test are committed so that later ones see them. The connection string
is never printed: it usually holds a password.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from launchready_ci.findings import Finding, Location
from launchready_ci.rules import Rule

__all__ = ["BLOCKING", "MigrationFile", "dry_run"]

#: Table lock modes that block writes, weakest first (ROW EXCLUSIVE and weaker do not).
BLOCKING = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
_LOCKS_SQL = """
SELECT c.relname, l.mode
FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = pg_backend_pid() AND l.granted AND c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
_TABLES_SQL = """
SELECT c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""


@dataclass(frozen=True)
class MigrationFile:
    path: str
    text: str
    tested: bool  # False: only applied, to build the schema for the ones under test


def dry_run(url: str, files: Sequence[MigrationFile]) -> Iterator[Finding]:
    """Findings of ``migrations/observed-lock``, ``observed-rewrite`` and ``dry-run-error``."""
    import psycopg

    from launchready_ci.errors import CheckError

    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        # The message can quote the connection string's host and user: name the kind only.
        raise CheckError(f"cannot connect to the database ({type(exc).__name__})") from None
    with conn:
        for migration in files:
            if migration.tested:
                yield from _observe(conn, migration)
            else:
                try:
                    conn.execute(migration.text.encode())
                except psycopg.Error as exc:
                    yield _error(migration.path, 1, exc, "an earlier migration")
                    return


def _observe(conn: Any, migration: MigrationFile) -> Iterator[Finding]:
    import psycopg
    from pglast import ast

    from launchready_ci.checks.migrations.sql import SqlError, statements

    try:
        stmts = list(statements(migration.path, migration.text, set()))
    except SqlError:
        return  # reported by migrations/parse-error
    files = dict(conn.execute(_TABLES_SQL).fetchall())  # table -> relfilenode
    existing = set(files)
    held: dict[str, int] = {}  # table -> rank in BLOCKING of the strongest lock held
    in_tx = False
    for stmt in stmts:
        sql = stmt.sql
        if isinstance(stmt.node, ast.TransactionStmt):
            continue  # the dry run holds the transaction itself
        alone = _needs_autocommit(stmt.node)
        try:
            if alone:
                if in_tx:
                    conn.execute("COMMIT")
                    in_tx = False
                    held = {}
                conn.execute(sql.encode())
                continue
            if not in_tx:
                conn.execute("BEGIN")
                in_tx = True
            started = time.perf_counter()
            conn.execute(sql.encode())
            took = time.perf_counter() - started
            locks = sorted(set(conn.execute(_LOCKS_SQL)))
            now = dict(conn.execute(_TABLES_SQL).fetchall())
        except psycopg.Error as exc:
            if in_tx:
                conn.execute("ROLLBACK")
            yield _error(migration.path, stmt.line, exc, "this statement")
            return
        for table in sorted(existing):
            if table in now and now[table] != files[table]:
                files[table] = now[table]
                yield _rewrite_finding(migration.path, stmt.line, table, took)
        strongest: dict[str, int] = {}
        for table, mode in locks:
            if table in existing and mode in BLOCKING:
                strongest[table] = max(strongest.get(table, -1), BLOCKING.index(mode))
        for table, rank in sorted(strongest.items()):
            if rank > held.get(table, -1):  # a stronger lock than this file held so far
                held[table] = rank
                yield _lock_finding(migration.path, stmt.line, table, BLOCKING[rank], took)
    if in_tx:
        conn.execute("COMMIT")


def _needs_autocommit(node: Any) -> bool:
    from pglast import ast

    if isinstance(node, ast.IndexStmt):
        return bool(node.concurrent)
    if isinstance(node, ast.ReindexStmt):
        return any(str(p.defname) == "concurrently" for p in node.params or ())
    return isinstance(node, ast.VacuumStmt | ast.CreatedbStmt | ast.DropdbStmt)


def _lock_finding(path: str, line: int, table: str, mode: str, took: float) -> Finding:
    from launchready_ci.checks.migrations.rules.observed_lock import ObservedLock

    blocks = "reads and writes" if mode == "AccessExclusiveLock" else "writes"
    return _observed(
        ObservedLock,
        (path, line, table, took),
        f"took {mode} on {table} (blocks {blocks} until COMMIT); the statement ran "
        f"{took * 1000:.1f} ms on the dry-run database",
        mode=mode,
    )


def _rewrite_finding(path: str, line: int, table: str, took: float) -> Finding:
    from launchready_ci.checks.migrations.rules.observed_rewrite import ObservedRewrite

    return _observed(
        ObservedRewrite,
        (path, line, table, took),
        f"rewrote table {table} (a new storage file) under an ACCESS EXCLUSIVE lock; "
        f"{took * 1000:.1f} ms on the dry-run data, far longer on production's",
        mode="rewrite",
    )


def _observed(
    rule: type[Rule], where: tuple[str, int, str, float], message: str, *, mode: str
) -> Finding:
    path, line, table, took = where
    return rule.finding(
        message,
        Location(path=path, start_line=line, end_line=line),
        content=f"{table}:{mode}:{line}",
        properties={"table": table, "mode": mode, "ms": round(took * 1000, 1)},
    )


def _error(path: str, line: int, exc: Exception, what: str) -> Finding:
    from launchready_ci.checks.migrations.rules.dry_run_error import DryRunError

    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) or type(exc).__name__
    state = getattr(diag, "sqlstate", None)
    message = f"{what} fails on PostgreSQL: {primary}" + (f" (SQLSTATE {state})" if state else "")
    return DryRunError.finding(
        message, Location(path=path, start_line=line, end_line=line), content=message
    )
