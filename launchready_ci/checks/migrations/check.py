"""The migrations check: SQL migrations linted on PostgreSQL's own parse tree.

Migration files are found by glob (``migrations.paths``, else the folders of the common
tools) and read in the order the tools apply them. A table created in the same file is
new, and exempt from the rules about locking existing tables; one created by an earlier
migration already exists in production, with rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.files import iter_files, matches_any
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.rules.breaking_change import BreakingChange
from launchready_ci.checks.migrations.rules.column_type_change import ColumnTypeChange
from launchready_ci.checks.migrations.rules.concurrent_in_transaction import (
    ConcurrentInTransaction,
)
from launchready_ci.checks.migrations.rules.constraint_not_valid import ConstraintWithoutNotValid
from launchready_ci.checks.migrations.rules.index_not_concurrent import IndexNotConcurrent
from launchready_ci.checks.migrations.rules.int_primary_key import IntPrimaryKey
from launchready_ci.checks.migrations.rules.missing_lock_timeout import MissingLockTimeout
from launchready_ci.checks.migrations.rules.not_null_without_default import NotNullWithoutDefault
from launchready_ci.checks.migrations.rules.parse_error import ParseError
from launchready_ci.checks.migrations.rules.set_not_null import SetNotNull
from launchready_ci.checks.migrations.rules.table_rewrite import TableRewrite
from launchready_ci.checks.migrations.rules.unique_without_index import UniqueWithoutIndex
from launchready_ci.checks.migrations.rules.volatile_default import VolatileDefault
from launchready_ci.checks.migrations.sql import SqlError, statements
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped
from launchready_ci.findings import Finding, Location

__all__ = ["DEFAULT_PATHS", "MigrationsCheck"]

#: Where the common tools keep SQL migrations (``*`` spans folders): db/migrations,
#: supabase/migrations, prisma/migrations/<name>/migration.sql, knex and node-pg-migrate
#: folders named migrations, and drizzle's output folder.
DEFAULT_PATHS = ("**/migrations/*.sql", "**/drizzle/*.sql")

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
    MissingLockTimeout,
)


class MigrationsCheck(Check):
    id = "migrations"
    title = "Migrations"
    config_key = "migrations"
    needs_config = True
    enable_snippet = "migrations: {}\n"
    rules = (*LINT_RULES, ParseError)

    def __init__(self, changed: frozenset[str] | None = None, label: str = "") -> None:
        #: Pull-request mode: only these paths are linted, and a table that any of them
        #: creates is new (it exists nowhere yet). ``None``: every migration file.
        self.changed = changed
        self.range = label

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        patterns = tuple(section.get("paths") or DEFAULT_PATHS)
        files = [
            rel
            for rel in iter_files(ctx.root, section.get("exclude", ()))
            if matches_any(rel, patterns)
        ]
        if not files:
            raise CheckSkipped(f"no SQL migrations match {', '.join(patterns)}")
        if self.changed is not None:
            files = [rel for rel in files if rel in self.changed]
            if not files:
                raise CheckSkipped(f"{self.range}: no SQL migration added or changed")
        new_tables: set[str] = set()  # shared by a pull request's migrations
        count = 0
        for rel in sorted(files, key=_order):
            text = (ctx.root / rel).read_text(encoding="utf-8", errors="replace")
            lock_reported = False  # missing-lock-timeout: once per file, where it starts
            try:
                own = new_tables if self.changed is not None else set()
                for stmt in statements(rel, text, own):
                    count += 1
                    for rule in LINT_RULES:
                        if rule is MissingLockTimeout and lock_reported:
                            continue
                        for finding in rule.check(stmt):
                            lock_reported |= rule is MissingLockTimeout
                            yield finding
            except SqlError as exc:
                yield ParseError.finding(
                    f"{exc.path} does not parse as PostgreSQL: {exc.message}",
                    Location(path=exc.path, start_line=exc.line, end_line=exc.line),
                    content=exc.message,
                )
        where = f"{self.range}: " if self.changed is not None else ""
        self.scope = f"{where}{len(files):,} migration files, {count:,} statements"


def _order(rel: str) -> tuple[str, str]:
    """Folder, then name: the order tools apply numbered or timestamped migrations."""
    folder, _, name = rel.rpartition("/")
    return folder, name
