from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule, Notice
from launchready_ci.checks.migrations.sql import Column, Stmt, column_type
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

#: Types that a varchar or text column changes to without a rewrite.
NO_REWRITE = frozenset({"text", "varchar", "citext"})


@register
class ColumnTypeChange(MigrationRule):
    """A column's type is changed on an existing table, which usually rewrites it.

    Why
    ---
    `ALTER COLUMN ... TYPE` rewrites the table and rebuilds its indexes under an ACCESS
    EXCLUSIVE lock (nothing reads or writes the table meanwhile), except for
    binary-compatible changes: `varchar(n)` to `text` or to a longer `varchar`. `int` to
    `bigint` on a busy table is the classic outage. It also breaks the running release
    when the new type changes what the code reads. Django's `AlterField` is judged
    against the field's definition in the earlier migrations (a longer `max_length` or
    `TextField` is fine; a shorter one, another type or `null=True` to NOT NULL is not);
    with no earlier definition in the repository it is reported unless it only sets
    `null=True`. Alembic's `alter_column(type_=...)` is judged against `existing_type`.

    For SQL, the column's current type comes from the earlier migrations of the same
    folder (`CREATE TABLE`, `ADD COLUMN`, earlier `ALTER COLUMN ... TYPE`): the same type
    again is not reported, nor varchar to text or to a longer varchar. A shorter
    varchar, or any other type, is. When no earlier migration defines the column, a change
    to `text`, or to `varchar(n)` without a `USING` clause, is a notice (instant if the
    column was a shorter varchar or text, a rewrite if it was anything else); with
    `USING`, which only a real conversion needs, it is a warning.

    Remediation
    -----------
    Add a new column of the new type, backfill it in batches (a trigger keeps it in step),
    switch the code over, then drop the old column in a later release.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
    """

    id = "migrations/column-type-change"
    kinds = frozenset({"AlterTableStmt"})
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("ALTER TABLE payments ALTER COLUMN id TYPE bigint;",),
        "good": ("ALTER TABLE users ALTER COLUMN bio TYPE text;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != "AT_AlterColumnType" or stmt.is_new(relation) or cmd.def_ is None:
                continue
            target, length = column_type(cmd.def_.typeName)
            key = stmt.column(relation, cmd.name)
            if key in stmt.added_columns:
                continue  # added by this file: still empty
            current = stmt.schema.columns.get(key)
            where = f"column {cmd.name} of {relname(relation)}"
            if current is not None:
                if _binary_compatible(current, target, length):
                    continue
                was = current.type + (f"({current.length})" if current.length else "")
                yield (
                    f"{where} changes type from {was} to {_shown(target, length)}: the table "
                    "is rewritten (or scanned) under an ACCESS EXCLUSIVE lock"
                )
            elif target in NO_REWRITE and cmd.def_.raw_default is None:
                yield Notice(
                    f"{where} changes type to {_shown(target, length)}, and no earlier "
                    "migration says what it was: instant from a shorter varchar or text, a "
                    "rewrite under an ACCESS EXCLUSIVE lock from any other type"
                )
            else:
                yield (
                    f"{where} changes type to {_shown(target, length)}: the table is "
                    "rewritten under an ACCESS EXCLUSIVE lock"
                )


def _binary_compatible(current: Column, target: str, length: int | None) -> bool:
    """No rewrite: the same type, or a string type widened (varchar to text, longer)."""
    if current.type == target and (target != "varchar" or _wider(current.length, length)):
        return True
    if current.type in ("varchar", "text") and target == "text":
        return True
    return current.type == "varchar" and target == "varchar" and _wider(current.length, length)


def _wider(old: int | None, new: int | None) -> bool:
    return new is None or (old is not None and new >= old)


def _shown(target: str, length: int | None) -> str:
    return f"{target}({length})" if length else target
