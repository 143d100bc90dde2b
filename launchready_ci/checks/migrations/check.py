"""The migrations check: SQL migrations linted on PostgreSQL's own parse tree.

Migration files are found by glob (``migrations.paths``, else the folders of the common
tools) and read in the order the tools apply them. A table created in the same file is
new, and exempt from the rules about locking existing tables; one created by an earlier
migration already exists in production, with rows.
"""

from __future__ import annotations

import functools
import gc
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.files import iter_files
from launchready_ci.checks.migrations.frameworks import (
    Migration,
    down_path,
    is_down_file,
    other_dialect,
    other_dialect_by_path,
    read_migration,
)
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.rules.breaking_change import BreakingChange
from launchready_ci.checks.migrations.rules.column_type_change import ColumnTypeChange
from launchready_ci.checks.migrations.rules.concurrent_in_transaction import (
    ConcurrentInTransaction,
)
from launchready_ci.checks.migrations.rules.constraint_not_valid import ConstraintWithoutNotValid
from launchready_ci.checks.migrations.rules.detach_partition_not_concurrent import (
    DetachPartitionNotConcurrent,
)
from launchready_ci.checks.migrations.rules.dry_run_error import DryRunError
from launchready_ci.checks.migrations.rules.duplicate_assignment import DuplicateAssignment
from launchready_ci.checks.migrations.rules.enum_value_in_transaction import (
    EnumValueInTransaction,
)
from launchready_ci.checks.migrations.rules.identifier_too_long import IdentifierTooLong
from launchready_ci.checks.migrations.rules.index_not_concurrent import IndexNotConcurrent
from launchready_ci.checks.migrations.rules.int_primary_key import IntPrimaryKey
from launchready_ci.checks.migrations.rules.missing_lock_timeout import MissingLockTimeout
from launchready_ci.checks.migrations.rules.nested_transaction import NestedTransaction
from launchready_ci.checks.migrations.rules.not_null_without_default import NotNullWithoutDefault
from launchready_ci.checks.migrations.rules.observed_lock import ObservedLock
from launchready_ci.checks.migrations.rules.observed_rewrite import ObservedRewrite
from launchready_ci.checks.migrations.rules.parse_error import ParseError
from launchready_ci.checks.migrations.rules.rollback_fails import RollbackFails
from launchready_ci.checks.migrations.rules.set_not_null import SetNotNull
from launchready_ci.checks.migrations.rules.table_rewrite import TableRewrite
from launchready_ci.checks.migrations.rules.unbatched_backfill import UnbatchedBackfill
from launchready_ci.checks.migrations.rules.uncommitted_transaction import UncommittedTransaction
from launchready_ci.checks.migrations.rules.unique_without_index import UniqueWithoutIndex
from launchready_ci.checks.migrations.rules.volatile_default import VolatileDefault
from launchready_ci.checks.migrations.sql import (
    DEFAULT_POSTGRES_VERSION,
    Schema,
    SqlError,
    Stmt,
    statements,
)
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped, UsageError
from launchready_ci.findings import Finding, Location
from launchready_ci.git import files_at

if TYPE_CHECKING:  # imported where used: a SQL history needs neither
    from launchready_ci.checks.migrations.dryrun import DryRunOptions
    from launchready_ci.checks.migrations.python import FieldState, Op

__all__ = [
    "DEFAULT_PATHS",
    "MigrationsCheck",
    "MigrationsDryRunCheck",
    "Since",
    "added_since",
    "find_migrations",
]

#: Where the common tools keep SQL migrations (``*`` spans folders): db/migrations,
#: supabase/migrations, prisma/migrations/<name>/migration.sql, diesel's
#: migrations/<name>/up.sql, knex and node-pg-migrate folders named migrations,
#: drizzle's output folder, Flyway's db/migration (src/main/resources/db/migration), and
#: Prisma's <timestamp>_<name>/migration.sql in any folder (formbricks keeps them in
#: packages/database/migration).
DEFAULT_PATHS = (
    "**/migrations/*.sql",
    "**/drizzle/*.sql",
    "**/db/migration/*.sql",
    "**/[0-9]*_*/migration.sql",  # Prisma Migrate wherever prisma.config.ts points it
    "**/migrations/*.py",  # Django
    "**/versions/*.py",  # Alembic
)

LINT_RULES: tuple[type[MigrationRule], ...] = (
    IndexNotConcurrent,
    ConcurrentInTransaction,
    NotNullWithoutDefault,
    VolatileDefault,
    ConstraintWithoutNotValid,
    UniqueWithoutIndex,
    SetNotNull,
    ColumnTypeChange,
    TableRewrite,
    BreakingChange,
    IntPrimaryKey,
    UnbatchedBackfill,
    EnumValueInTransaction,
    MissingLockTimeout,
    DetachPartitionNotConcurrent,
    NestedTransaction,
    UncommittedTransaction,
    DuplicateAssignment,
    IdentifierTooLong,
)


class MigrationsCheck(Check):
    id = "migrations"
    title = "Migrations"
    config_key = "migrations"
    needs_config = True
    enable_snippet = "migrations: {}\n"
    rules = (*LINT_RULES, ParseError)

    def __init__(
        self, changed: frozenset[str] | None = None, label: str = "", since: Since | None = None
    ) -> None:
        #: Pull-request mode: only these paths are linted, and a table that any of them
        #: creates is new (it exists nowhere yet). ``None``: every migration file.
        self.changed = changed
        self.range = label
        #: ``--since``: overrides ``migrations.since`` (not used in pull-request mode)
        self.since = since

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        # No cyclic garbage collection while the check runs: its parse trees, nodes and
        # findings hold no cycles, yet their allocations set off a hundred collections,
        # each walking the young objects and some the whole heap (2 % of a run)
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield from self._lint(ctx, section)
        finally:
            if enabled:
                gc.enable()

    def _lint(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        every = find_migrations(ctx, section)
        files = every
        if self.changed is not None:
            files = [rel for rel in every if rel in self.changed]
            if not files:
                raise CheckSkipped(f"{self.range}: no migration added or changed")
        history_note = ""
        if self.changed is None:
            files, history_note = added_since(ctx, section, every, self.since)
        new_tables: set[str] = set()  # shared by a pull request's migrations
        fields: FieldState = {}  # Django's model state, from every migration read so far
        schemas: dict[str, Schema] = {}  # each SQL history's tables, from its files so far
        foreign: Counter[str] = Counter()  # files in another database's dialect, by dialect
        version = int(section.get("postgres_version", DEFAULT_POSTGRES_VERSION))
        count = python_files = 0
        linted = set(files)
        for rel in every:
            if rel.endswith(".py"):
                from launchready_ci.checks.migrations.python import (
                    is_python_migration,
                    operations,
                )

                text = _read(os.path.join(ctx.root, rel))
                if not is_python_migration(rel, text):
                    continue
                if rel not in linted:  # an earlier migration: its fields are the context
                    for _ in operations(text, fields):
                        pass
                    continue
                python_files += 1
                yield from _python_findings(rel, text, version, fields)
                continue
            if _foreign(rel, linted, foreign):
                continue
            schema = schemas.setdefault(history(rel), Schema())
            migration = load_migration(ctx, section, rel, with_down=False)
            if rel not in linted:  # an earlier migration: what it defines is the context
                try:
                    for _ in statements(rel, migration.up, set(), version=version, schema=schema):
                        pass
                except SqlError:
                    pass
                continue
            try:
                own = new_tables if self.changed is not None else set()
                stmts = statements(
                    rel,
                    migration.up,
                    own,
                    wrapped=migration.wrapping,
                    version=version,
                    schema=schema,
                )
                for stmt in stmts:
                    count += 1
                    yield from lint(stmt)
            except SqlError as exc:
                yield from _unparsed(exc, migration.up, foreign)
        where = f"{self.range}: " if self.changed is not None else ""
        sql_files = sum(1 for rel in files if rel.endswith(".sql")) - sum(foreign.values())
        others = ", ".join(f"{n:,} {d}" for d, n in sorted(foreign.items()))
        self.scope = (
            f"{where}{sql_files:,} SQL migrations ({count:,} statements), "
            f"{python_files:,} Django/Alembic migrations{history_note}"
            + (f"; not PostgreSQL, not linted: {others}" if foreign else "")
        )


def _unparsed(exc: SqlError, sql: str, foreign: Counter[str]) -> Iterator[Finding]:
    """A parse error, unless the file shows it is another database's SQL (MySQL's
    backticks and AUTO_INCREMENT, ClickHouse's MergeTree): then it is counted apart."""
    dialect = other_dialect(sql)
    if dialect:
        foreign[dialect] += 1
        return
    yield ParseError.finding(
        f"{exc.path} does not parse as PostgreSQL: {exc.message}",
        Location(path=exc.path, start_line=exc.line, end_line=exc.line),
        content=exc.message,
    )


def _foreign(rel: str, linted: set[str], foreign: Counter[str]) -> bool:
    """A file in a folder named for another database (umami's db/clickhouse/migrations
    beside its Prisma history): left out, and counted when it would have been linted."""
    dialect = other_dialect_by_path(rel)
    if dialect and rel in linted:
        foreign[dialect] += 1
    return dialect is not None


@dataclass(frozen=True)
class Since:
    """``--since`` or ``migrations.since`` resolved: the files that existed then."""

    text: str
    existed: frozenset[str]
    sha: str  # "" for a date older than the repository

    @classmethod
    def resolve(cls, root: Path, text: str, what: str) -> Since:
        """Raises UsageError when git cannot name it (see :func:`files_at`)."""
        existed, sha = files_at(root, text.strip(), what)
        return cls(text.strip(), existed, sha)

    @property
    def named(self) -> str:
        sha = self.sha[:12]
        return f"{self.text} ({sha})" if sha and not sha.startswith(self.text) else self.text


def added_since(
    ctx: RunContext, section: Mapping[str, Any], every: list[str], option: Since | None
) -> tuple[list[str], str]:
    """The migrations to lint when only those added after ``--since`` (else
    ``migrations.since``) count, and the scope's note on the others: they shipped, so they
    are history, read for what they define but not linted. Every migration and no note
    without either."""
    since = option
    if since is None and section.get("since"):
        try:
            since = Since.resolve(ctx.root, str(section["since"]), "migrations.since")
        except UsageError as exc:
            raise ctx.config.error(
                "migrations.since",
                str(exc),
                "expected a commit, tag or branch this clone has, or a date (2024-05-01)",
            ) from None
    if since is None:
        return every, ""
    files = [rel for rel in every if rel not in since.existed]
    old = len(every) - len(files)
    if not files:
        raise CheckSkipped(
            f"no migration added since {since.named}: {old:,} earlier ones are history"
        )
    return files, f"; {old:,} older than {since.named} read as history, not linted"


def lint(stmt: Stmt, *, lock_timeout: bool = True) -> Iterator[Finding]:
    """Every lint rule's findings on one statement; ``missing-lock-timeout`` at most once
    per file (where the file first needs it), and not at all with ``lock_timeout=False``."""
    reported = stmt.state.reported
    for rule in _RULES_BY_KIND.get(stmt.node.kind) or _ALL_KINDS:
        if rule is MissingLockTimeout and (not lock_timeout or MissingLockTimeout.id in reported):
            continue
        for finding in rule.check(stmt):
            if rule is MissingLockTimeout:
                reported.add(rule.id)
            yield finding


_ALL_KINDS = tuple(rule for rule in LINT_RULES if not rule.kinds)
#: statement kind -> the rules that read it, in LINT_RULES order
_RULES_BY_KIND = {
    kind: tuple(rule for rule in LINT_RULES if not rule.kinds or kind in rule.kinds)
    for kind in {kind for rule in LINT_RULES for kind in rule.kinds}
}


def history(rel: str) -> str:
    """The folder whose files form one migration history: up to the last folder named
    migrations, migration, drizzle or versions (``prisma/migrations/<ts>/migration.sql``
    -> ``prisma/migrations``), else the folder that holds a folder per migration (Prisma's
    ``migration.sql``, diesel's ``up.sql``), else the file's folder."""
    parts = rel.split("/")[:-1]
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in ("migrations", "migration", "drizzle", "versions"):
            return "/".join(parts[: i + 1])
    if parts and rel.rpartition("/")[2] in ("migration.sql", "up.sql"):
        return "/".join(parts[:-1])
    return "/".join(parts)


def find_migrations(ctx: RunContext, section: Mapping[str, Any]) -> list[str]:
    """Migration files (SQL and Python) in the order they apply; skips the check when
    there are none."""
    patterns = tuple(section.get("paths") or DEFAULT_PATHS)
    files = [
        rel
        for rel in iter_files(ctx.root, section.get("exclude", ()), include=patterns)
        if rel.endswith((".sql", ".py")) and not is_down_file(rel)
    ]
    if not files:
        raise CheckSkipped(f"no SQL migrations match {', '.join(patterns)}")
    return sorted(files, key=_order)


def load_migration(
    ctx: RunContext, section: Mapping[str, Any], rel: str, *, with_down: bool = True
) -> Migration:
    """A SQL migration with its down part (from the same file or NAME.down.sql; not read
    from NAME.down.sql with ``with_down=False``: the lint rules read only the up part)."""
    root = str(ctx.root)  # os.path rather than pathlib: three paths a file, 2,000 a run
    text = _read(os.path.join(root, rel))
    paired = down_path(rel) if with_down else None
    down = None
    if paired is not None and os.path.isfile(os.path.join(root, paired)):
        down = _read(os.path.join(root, paired))
    override = section.get("wrapped_in_transaction")
    if override is None and rel.rpartition("/")[2] == "up.sql":
        metadata = os.path.join(root, rel.rpartition("/")[0], "metadata.toml")
        if os.path.isfile(metadata) and _NO_TX.search(_read(metadata)):
            override = False  # diesel: run_in_transaction = false
    return read_migration(
        rel,
        text,
        down_text=down,
        override=override,
        pop=rel.endswith(".up.sql") and _requires_pop(ctx.root, rel.rpartition("/")[0]),
        placeholders=section.get("placeholders"),
    )


@functools.lru_cache(maxsize=64)
def _requires_pop(root: Path, folder: str) -> bool:
    """The Go module holding ``folder`` (its nearest go.mod up to the root) requires
    gobuffalo/pop, which runs each migration in a transaction."""
    parts = folder.split("/") if folder else []
    for depth in range(len(parts), -1, -1):
        gomod = root.joinpath(*parts[:depth], "go.mod")
        if gomod.is_file():
            return "gobuffalo/pop" in gomod.read_text("utf-8", "replace")
    return False


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


_NO_TX = re.compile(r"^\s*run_in_transaction\s*=\s*false\b", re.M)


def _python_findings(rel: str, text: str, version: int, fields: FieldState) -> Iterator[Finding]:
    """Findings for a Django or Alembic migration's operations, on the call's line."""
    from launchready_ci.checks.migrations.python import operations

    for op in operations(text, fields):
        where = Location(path=rel, start_line=op.line, end_line=op.line)
        message = _python_message(op)
        rule = _PYTHON_RULES.get(op.kind)
        if op.kind == "sql":
            yield from _embedded_sql(rel, op.detail, where, wrapped=op.atomic, version=version)
        elif op.kind == "add-index-concurrently":
            if op.atomic:  # fails even on a new table
                yield ConcurrentInTransaction.finding(message, where, content=message)
        elif rule is not None and message and not op.new_table:
            yield rule.finding(message, where, content=message)


def _python_message(op: Op) -> str:
    column = f"{op.table}.{op.detail}" if op.detail else op.table
    return {
        "add-not-null": f"field {column} is added NOT NULL without a default: this fails on "
        "a table that has rows (give it a default or null=True/nullable=True)",
        "add-index": f"index on existing table {op.table} without CONCURRENTLY blocks every "
        "write to it until the build ends (AddIndexConcurrently, postgresql_concurrently=True)",
        "add-index-concurrently": (
            f"a concurrent index on {op.table} inside Alembic's transaction fails: put "
            "op.create_index in `with op.get_context().autocommit_block():`"
            if op.framework == "alembic"
            else f"AddIndexConcurrently on {op.table} in an atomic migration fails: set "
            "atomic = False on the Migration"
        ),
        "add-fk": f"foreign key {column} is added to existing table {op.table}: the constraint is "
        "validated (every row checked while writes to both tables wait) and, in Django, its "
        "index is built without CONCURRENTLY; add it NOT VALID and validate later",
        "add-unique": f"unique constraint on existing table {op.table} builds its index while "
        "writes wait: build a unique index CONCURRENTLY, then add the constraint USING INDEX",
        "add-check": f"check constraint on existing table {op.table} scans every row while "
        "writes wait: add it NOT VALID, then VALIDATE CONSTRAINT in a later migration",
        "alter-type": f"{column} is altered on an existing table: a new type, a shorter length "
        "or NOT NULL rewrites or scans the table under an ACCESS EXCLUSIVE lock (check the "
        "SQL with sqlmigrate / alembic upgrade --sql)",
        "set-not-null": f"{column} becomes NOT NULL: every row is scanned under an ACCESS "
        "EXCLUSIVE lock unless a validated CHECK (col IS NOT NULL) proves it first",
        "volatile-default": f"column of {op.table} is added with the volatile default "
        f"{op.detail}(): PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock",
        "rename": f"{column} is renamed: the running release still uses the old name",
        "drop": f"{column} is dropped: its data is gone and the running release may use it",
    }.get(op.kind, "")


_PYTHON_RULES: dict[str, type[MigrationRule]] = {
    "add-not-null": NotNullWithoutDefault,
    "add-index": IndexNotConcurrent,
    "add-fk": ConstraintWithoutNotValid,
    "add-unique": UniqueWithoutIndex,
    "add-check": ConstraintWithoutNotValid,
    "alter-type": ColumnTypeChange,
    "set-not-null": SetNotNull,
    "add-index-concurrently": ConcurrentInTransaction,
    "volatile-default": VolatileDefault,
    "rename": BreakingChange,
    "drop": BreakingChange,
}


def _embedded_sql(
    rel: str, sql: str, where: Location, *, wrapped: bool, version: int
) -> Iterator[Finding]:
    """SQL run by a Python migration, linted like a .sql file, reported at the call;
    ``wrapped``: the framework runs it inside its transaction."""
    try:  # the SQL is parsed before the first statement: no finding precedes an error
        for stmt in statements(rel, sql, set(), wrapped=wrapped, version=version):
            for rule in LINT_RULES:
                if rule is MissingLockTimeout:
                    continue  # frameworks set it per connection; one RunSQL cannot tell
                for message in rule.problems(stmt):
                    yield rule.report(message, where)
    except SqlError as exc:
        yield ParseError.finding(
            f"SQL in {rel} does not parse as PostgreSQL: {exc.message}", where, content=sql
        )


def _order(rel: str) -> tuple[str, str]:
    """Folder, then name: the order tools apply numbered or timestamped migrations."""
    folder, _, name = rel.rpartition("/")
    return folder, name


class MigrationsDryRunCheck(Check):
    """``launchready migrations dry-run``: the SQL migrations applied to a disposable
    database, with the locks each statement took (see :mod:`.dryrun`). Not in CHECKS:
    it needs a database."""

    id = "migrations-dry-run"
    title = "Migrations dry run"
    config_key = "migrations"
    needs_config = False
    rules = (ObservedLock, ObservedRewrite, DryRunError, RollbackFails)

    def __init__(
        self,
        url: str,
        changed: frozenset[str] | None = None,
        label: str = "",
        options: DryRunOptions | None = None,
        since: Since | None = None,
    ) -> None:
        self.url = url
        self.changed = changed
        self.range = label
        from launchready_ci.checks.migrations.dryrun import DryRunOptions

        self.options = options or DryRunOptions()
        self.since = since

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        from launchready_ci.checks.migrations.dryrun import DryRun, MigrationFile

        sql = [
            rel
            for rel in find_migrations(ctx, section)
            if rel.endswith(".sql") and not other_dialect_by_path(rel)
        ]
        changed = self.changed
        note = ""
        if changed is None:  # earlier migrations are replayed, the later ones tested
            if not sql:
                raise CheckSkipped("no SQL migrations")
            recent, note = added_since(ctx, section, sql, self.since)
            changed = frozenset(recent) if note else None
        files = [
            MigrationFile(
                load_migration(ctx, section, rel),
                changed is None or rel in changed or down_path(rel) in changed,
            )
            for rel in sql
        ]
        tested = sum(1 for f in files if f.tested)
        if not tested:
            raise CheckSkipped(f"{self.range}: no SQL migration added or changed")
        run = DryRun(self.url, self.options)
        yield from run.findings(files)
        where = f"{self.range}: " if self.changed is not None else ""
        self.scope = (
            "; ".join([f"{where}{tested:,} SQL migrations run on the dry-run database", *run.notes])
            + note
        )
