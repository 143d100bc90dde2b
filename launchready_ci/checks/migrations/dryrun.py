"""The dry run: apply SQL migrations to a disposable PostgreSQL and watch what they lock.

1. **Schema.** A schema dump (``pg_dump --schema-only``) is loaded, or else the migrations
   before the ones under test are applied, as production has them.
2. **Rows.** The tables that the migrations under test touch are seeded with N rows of
   values made from each column's type, so that a rewrite takes time and a ``NOT NULL``
   without a default fails as it will in production (foreign keys and triggers are off
   while seeding when the role may do so).
3. **Up.** Each migration under test runs statement by statement, in one transaction as
   its tool would run it, with ``lock_timeout`` set. A second connection watches
   ``pg_locks`` for the first one's backend while each statement runs and after it, so a
   lock taken and released inside one statement is seen too. A lock that blocks writes
   (SHARE or stronger) on a table that existed before is a finding with how long it was
   held: from the statement that took it to the end of the transaction. A table whose
   storage file changed (``relfilenode``) was rewritten. An error is a finding on its line.
4. **Down.** Where the tool has a down migration (dbmate, goose, golang-migrate), the
   downs run in reverse order, then the ups again: a down that fails, or one that leaves
   something behind so that its up cannot run again, is a finding.

The database must be a throwaway (a CI service container, a local scratch database):
migrations under test are committed so that later ones see them. The connection string
is never printed: it usually holds a password.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchready_ci.checks.migrations.frameworks import Migration
from launchready_ci.findings import Finding, Location, Severity
from launchready_ci.rules import Rule

__all__ = ["BLOCKING", "DryRun", "DryRunOptions", "MigrationFile", "SchemaDump", "read_dump"]

#: Table lock modes that block writes, weakest first (ROW EXCLUSIVE and weaker do not).
BLOCKING = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
_LOCKS_SQL = """
SELECT c.relname, l.mode
FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = %s AND l.granted AND c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
_TABLES_SQL = """
SELECT c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
_COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, t.typcategory,
       a.attnotnull, a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
_POLL_SECONDS = 0.002


@dataclass(frozen=True)
class MigrationFile:
    migration: Migration
    tested: bool  # False: only applied, to build the schema for the ones under test

    @property
    def path(self) -> str:
        return self.migration.path


@dataclass(frozen=True)
class SchemaDump:
    name: str
    sql: str  # from :func:`read_dump`


@dataclass(frozen=True)
class DryRunOptions:
    seed_rows: int = 0
    lock_timeout: str = "5s"
    schema_dump: SchemaDump | None = None
    rollback: bool = True


@dataclass
class DryRun:
    """Run :meth:`findings`, then read :attr:`notes` for what was done."""

    url: str
    options: DryRunOptions = field(default_factory=DryRunOptions)
    notes: list[str] = field(default_factory=list)

    def findings(self, files: Sequence[MigrationFile]) -> Iterator[Finding]:
        """``migrations/observed-lock``, ``observed-rewrite``, ``dry-run-error`` and
        ``rollback-fails`` findings, in the order things happened."""
        _require_psycopg()
        conn = self._connect()
        watcher = self._connect()
        with conn, watcher:
            if self.options.schema_dump is not None:
                self._load_dump(self.options.schema_dump)
            else:
                for item in files:
                    if item.tested:
                        continue
                    failed = _apply(conn, item.migration.up, item.migration.wrapping)
                    if failed is not None:
                        yield _error(item.path, failed[0], failed[1], "an earlier migration")
                        return
            tested = [item.migration for item in files if item.tested]
            timeout = (self.options.lock_timeout,)
            conn.execute(b"SELECT set_config('lock_timeout', %s, false)", timeout)
            seeded: set[str] = set()
            for migration in tested:
                if self.options.seed_rows > 0:
                    self._seed(conn, migration, seeded)
                observer = _Observer(conn, watcher, migration)
                yield from observer.run()
                if observer.failed:
                    return
            if self.options.rollback:
                yield from self._roll_back(conn, tested)

    def _connect(self) -> Any:
        import psycopg

        from launchready_ci.errors import CheckError

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            # The message can quote the connection string's host and user: name the kind.
            raise CheckError(f"cannot connect to the database ({type(exc).__name__})") from None

    def _load_dump(self, dump: SchemaDump) -> None:
        """On a connection of its own: pg_dump's output empties ``search_path``."""
        import psycopg

        from launchready_ci.errors import CheckError

        with self._connect() as conn:
            try:
                conn.execute(dump.sql.encode())
            except psycopg.Error as exc:
                raise CheckError(
                    f"{dump.name}: the schema dump does not load: {_why(exc)}"
                ) from None
        self.notes.append(f"schema loaded from {dump.name}")

    def _seed(self, conn: Any, migration: Migration, seeded: set[str]) -> None:
        """Fill the existing tables that a migration under test touches, once each."""
        import psycopg
        from psycopg import sql

        from launchready_ci.checks.migrations.sql import SqlError, parse, relation_names

        existing = {name for name, _ in conn.execute(_TABLES_SQL)}
        try:
            parsed, _ = parse(migration.path, migration.up)
        except SqlError:
            return  # reported by migrations/parse-error
        touched = relation_names(parsed)
        todo = sorted((touched & existing) - seeded)
        if not todo:
            return
        done, failed = [], []
        try:
            conn.execute(b"SET session_replication_role = replica")  # no FK checks, triggers
        except psycopg.Error:
            pass  # not a superuser: foreign keys must hold, so some tables may stay empty
        for table in todo:
            seeded.add(table)
            try:
                conn.execute(_seed_sql(conn, table, self.options.seed_rows))
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
                done.append(table)
            except (psycopg.Error, _Unseedable) as exc:
                failed.append(f"{table} ({_why(exc)})")
        conn.execute(b"RESET session_replication_role")
        if done:
            rows = self.options.seed_rows
            each = " each" if len(done) > 1 else ""
            self.notes.append(f"{', '.join(done)} seeded with {rows:,} rows{each}")
        if failed:
            self.notes.append(f"not seeded: {'; '.join(failed)}")

    def _roll_back(self, conn: Any, tested: Sequence[Migration]) -> Iterator[Finding]:
        with_down = [m for m in tested if m.down is not None]
        if not with_down:
            return
        for migration in reversed(with_down):
            assert migration.down is not None
            failed = _apply(conn, migration.down, migration.wrapping)
            if failed is not None:
                yield _rollback_finding(
                    migration.down_path, failed[0], f"the down migration fails: {_why(failed[1])}"
                )
                return
        for migration in with_down:
            failed = _apply(conn, migration.up, migration.wrapping)
            if failed is not None:
                yield _rollback_finding(
                    migration.path,
                    failed[0],
                    "after its down migration the up migration no longer applies: "
                    f"{_why(failed[1])}; the down migration leaves something behind",
                )
                return
        self.notes.append(f"rollback proven for {len(with_down):,} (down, then up again)")


def _require_psycopg() -> None:
    """psycopg comes with the ``dry-run`` extra: without it, say how to get it."""
    from importlib.util import find_spec

    from launchready_ci.errors import CheckError

    if find_spec("psycopg") is None:
        raise CheckError(
            "the dry run needs psycopg, which comes with launchready-ci's dry-run extra:"
            " pip install 'launchready-ci[dry-run]' (the migration-safety action installs"
            " it when database-url is set)"
        )


def read_dump(dump: Path) -> SchemaDump:
    """The dump's SQL, psql's meta-commands (``\\connect``, ``\\restrict``) blanked with
    their lines kept; a :class:`UsageError` with file:line when it is not SQL."""
    from launchready_ci.checks.migrations.sql import SqlError, statements
    from launchready_ci.errors import UsageError

    try:
        text = dump.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{dump}: cannot read the schema dump ({exc})") from None
    sql = "".join(
        "\n" if line.startswith("\\") else line for line in text.splitlines(keepends=True)
    )
    try:
        for _ in statements(str(dump), sql, set()):
            pass
    except SqlError as exc:
        raise UsageError(
            f"{dump}:{exc.line}: the schema dump is not PostgreSQL SQL: {exc.message} "
            "(give the output of pg_dump --schema-only)"
        ) from None
    return SchemaDump(dump.name, sql)


class _Unseedable(Exception):
    pass


def _seed_sql(conn: Any, table: str, rows: int) -> Any:
    """``INSERT INTO table (cols) SELECT exprs FROM generate_series(1, rows) AS g``; the
    expressions are SQL made from the type names PostgreSQL itself formats."""
    from psycopg import sql

    columns, values = [], []
    for name, typ, typname, category, not_null, defaulted in conn.execute(
        _COLUMNS_SQL.encode(), (sql.Identifier(table).as_string(conn),)
    ):
        if defaulted:
            continue
        expr = _value(typ, typname, category)
        if expr is None:
            if not_null:
                raise _Unseedable(f"no value for a {typ} column")
            continue
        columns.append(sql.Identifier(name))
        values.append(sql.SQL(expr))
    if not columns:
        return sql.SQL("INSERT INTO {} SELECT FROM generate_series(1, {})").format(
            sql.Identifier(table), rows
        )
    return sql.SQL("INSERT INTO {} ({}) SELECT {} FROM generate_series(1, {}) AS g").format(
        sql.Identifier(table), sql.SQL(", ").join(columns), sql.SQL(", ").join(values), rows
    )


def _value(typ: str, typname: str, category: str) -> str | None:
    """An expression of ``g`` (1..N) that yields distinct values of the column's type."""
    literal = typ  # format_type() quotes what needs quoting
    if category == "N":
        return "(g % 32767)::int2" if typname == "int2" else f"g::{literal}"
    by_category = {
        "S": f"('seed ' || g)::{literal}",  # a cast to varchar(n) truncates, never fails
        "B": "(g % 2 = 0)",
        "D": f"(now() - g * interval '1 minute')::{literal}",
        "T": "(g * interval '1 second')",
        "E": f"(enum_range(NULL::{literal}))[1]",
        "A": f"'{{}}'::{literal}",
        "I": f"('10.0.0.0'::inet + g)::{literal}",
    }
    if category in by_category:
        return by_category[category]
    return {
        "uuid": "md5(g::text)::uuid",
        "json": "'{}'::json",
        "jsonb": "'{}'::jsonb",
        "bytea": "int4send(g)",
    }.get(typname)


class _Observer:
    """Runs one migration statement by statement and reports what it did."""

    def __init__(self, conn: Any, watcher: Any, migration: Migration) -> None:
        self.conn, self.watcher, self.migration = conn, watcher, migration
        self.failed = False

    def run(self) -> Iterator[Finding]:
        import psycopg

        from launchready_ci.checks.migrations.sql import SqlError, parse, statements

        migration = self.migration
        try:
            parse(migration.path, migration.up)
        except SqlError:
            return  # reported by migrations/parse-error
        # read one at a time: each statement shows the file's state just before it
        stmts = statements(migration.path, migration.up, set(), wrapped=migration.wrapping)
        conn, pid = self.conn, self.conn.info.backend_pid
        files = dict(conn.execute(_TABLES_SQL).fetchall())  # table -> relfilenode
        existing = set(files)
        # table -> (rank in BLOCKING, line, started, lock_timeout set by the file) of the
        # strongest lock of the transaction
        held: dict[str, tuple[int, int, float, bool]] = {}
        in_tx = False
        for stmt in stmts:
            if stmt.node.kind == "TransactionStmt":
                continue  # the dry run holds the transaction itself
            alone = _runs_alone(stmt)
            try:
                if in_tx and alone:
                    conn.execute(b"COMMIT")
                    yield from self._emit(held, "COMMIT")
                    in_tx = False
                if not in_tx and not alone:
                    conn.execute(b"BEGIN")
                    in_tx = True
                started = time.perf_counter()
                seen = self._watch(pid, stmt.sql)
                took = time.perf_counter() - started
                now = dict(conn.execute(_TABLES_SQL).fetchall())
            except psycopg.Error as exc:
                if in_tx:
                    conn.execute(b"ROLLBACK")
                    yield from self._emit(held, "ROLLBACK")
                self.failed = True
                yield _error(migration.path, stmt.line, exc, "this statement")
                return
            for table in sorted(existing):
                if table in now and now[table] != files[table]:
                    files[table] = now[table]
                    yield _rewrite_finding(migration.path, stmt.line, table, took)
            for table, mode in sorted(seen):
                if table not in existing or mode not in BLOCKING:
                    continue
                rank = BLOCKING.index(mode)
                if rank > held.get(table, (-1, 0, 0.0, False))[0]:
                    brief_ok = stmt.lock_timeout and not _linted(stmt)
                    held[table] = (rank, stmt.line, started, brief_ok)
            if alone:
                # Locks of a statement that runs on its own end with it.
                yield from self._emit(held, "the statement's end")
        if in_tx:
            conn.execute(b"COMMIT")
            yield from self._emit(held, "COMMIT")

    def _watch(self, pid: int, sql: str) -> set[tuple[str, str]]:
        """Run ``sql``; meanwhile and after, read the backend's locks from the watcher."""
        seen: set[tuple[str, str]] = set()
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                seen.update(self.watcher.execute(_LOCKS_SQL.encode(), (pid,)).fetchall())
                done.wait(_POLL_SECONDS)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            self.conn.execute(sql.encode())
        finally:
            done.set()
            thread.join()
        seen.update(self.watcher.execute(_LOCKS_SQL.encode(), (pid,)).fetchall())
        return seen

    def _emit(self, held: dict[str, tuple[int, int, float, bool]], end: str) -> Iterator[Finding]:
        """The locks held so far, now released at ``end``."""
        released = time.perf_counter()
        for table, (rank, line, started, guarded) in sorted(held.items(), key=lambda kv: kv[1][1]):
            yield _lock_finding(
                self.migration.path,
                line,
                table,
                BLOCKING[rank],
                held=released - started,
                end=end,
                guarded=guarded,
            )
        held.clear()


def _linted(stmt: Any) -> bool:
    """A static rule (other than missing-lock-timeout) reports the statement: its lock
    grows with the table (an index build, a scan), however brief on the dry-run data."""
    from launchready_ci.checks.migrations.check import LINT_RULES
    from launchready_ci.checks.migrations.rules.missing_lock_timeout import MissingLockTimeout

    return any(
        next(iter(rule.problems(stmt)), None) is not None
        for rule in LINT_RULES
        if rule is not MissingLockTimeout
    )


def _apply(conn: Any, sql: str, wrapping: str) -> tuple[int, Exception] | None:
    """Run a whole migration, unobserved, as its tool would: (line, error) on failure."""
    import psycopg

    from launchready_ci.checks.migrations.sql import SqlError, parse, statements

    try:
        parse("", sql)
    except SqlError as exc:
        return exc.line, Exception(exc.message)
    in_tx = False
    for stmt in statements("", sql, set(), wrapped=wrapping):
        if stmt.node.kind == "TransactionStmt":
            continue
        alone = _runs_alone(stmt)
        try:
            if in_tx and alone:
                conn.execute(b"COMMIT")
                in_tx = False
            if not in_tx and not alone:
                conn.execute(b"BEGIN")
                in_tx = True
            conn.execute(stmt.sql.encode())
        except psycopg.Error as exc:
            if in_tx:
                conn.execute(b"ROLLBACK")
            return stmt.line, exc
    if in_tx:
        conn.execute(b"COMMIT")
    return None


def _runs_alone(stmt: Any) -> bool:
    """Outside any transaction: a statement PostgreSQL refuses in one (CONCURRENTLY,
    VACUUM), unless the tool or the file wraps it in one anyway (then it fails, as it
    will in production)."""
    return _needs_autocommit(stmt.node) and not stmt.in_transaction


def _needs_autocommit(node: Any) -> bool:
    from launchready_ci.checks.migrations.rules._ast import flag

    if node.kind in ("IndexStmt", "DropStmt"):
        return bool(node.concurrent)
    if node.kind == "ReindexStmt":
        return flag(node.params, "concurrently")
    return node.kind in ("VacuumStmt", "CreatedbStmt", "DropdbStmt")


def _lock_finding(
    path: str, line: int, table: str, mode: str, *, held: float, end: str, guarded: bool
) -> Finding:
    from launchready_ci.checks.migrations.rules.observed_lock import BRIEF_SECONDS, ObservedLock

    where = (path, line, table, held)
    if guarded and held < BRIEF_SECONDS:
        return _observed(
            ObservedLock,
            where,
            f"took {mode} on {table} for {held * 1000:.1f} ms, until {end}, after the file "
            "set lock_timeout: a brief lock that gives up rather than queue traffic",
            mode=mode,
            severity=Severity.NOTICE,
        )
    blocks = "every read and write" if mode == "AccessExclusiveLock" else "every write"
    return _observed(
        ObservedLock,
        where,
        f"took {mode} on {table} and held it {held * 1000:.1f} ms, until {end}: {blocks} "
        f"of {table} waits that long (on the dry-run data; production has more rows)",
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
    rule: type[Rule],
    where: tuple[str, int, str, float],
    message: str,
    *,
    mode: str,
    severity: Severity | None = None,
) -> Finding:
    path, line, table, took = where
    return rule.finding(
        message,
        Location(path=path, start_line=line, end_line=line),
        severity=severity,
        content=f"{table}:{mode}:{line}",
        properties={"table": table, "mode": mode, "ms": round(took * 1000, 1)},
    )


def _why(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__
    state = getattr(diag, "sqlstate", None)
    return primary + (f" (SQLSTATE {state})" if state else "")


def _error(path: str, line: int, exc: Exception, what: str) -> Finding:
    from launchready_ci.checks.migrations.rules.dry_run_error import DryRunError

    message = f"{what} fails on PostgreSQL: {_why(exc)}"
    return DryRunError.finding(
        message, Location(path=path, start_line=line, end_line=line), content=message
    )


def _rollback_finding(path: str, line: int, message: str) -> Finding:
    from launchready_ci.checks.migrations.rules.rollback_fails import RollbackFails

    return RollbackFails.finding(
        message, Location(path=path, start_line=line, end_line=line), content=message
    )
