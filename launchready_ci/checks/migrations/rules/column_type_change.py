from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register

#: Target types that never rewrite when coming from varchar (or are unlimited text).
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

    Remediation
    -----------
    Add a new column of the new type, backfill it in batches (a trigger keeps it in step),
    switch the code over, then drop the old column in a later release. Changes to
    `text`/`varchar` are not reported.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
    """

    id = "migrations/column-type-change"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("ALTER TABLE payments ALTER COLUMN id TYPE bigint;",),
        "good": ("ALTER TABLE users ALTER COLUMN bio TYPE text;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        from pglast.enums import AlterTableType

        for relation, cmd in alter_cmds(stmt.node):
            if cmd.subtype != AlterTableType.AT_AlterColumnType or stmt.is_new(relation):
                continue
            names = getattr(getattr(cmd.def_, "typeName", None), "names", None) or ()
            target = str(names[-1].sval) if names else "?"
            if target not in NO_REWRITE:
                yield (
                    f"column {cmd.name} of {relname(relation)} changes type to {target}: the "
                    "table is rewritten under an ACCESS EXCLUSIVE lock"
                )
