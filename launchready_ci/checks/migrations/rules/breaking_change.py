from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule, Notice
from launchready_ci.checks.migrations.sql import Stmt, names
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import register


@register
class BreakingChange(MigrationRule):
    """A column or table is renamed or dropped while the running release may still use it.

    Why
    ---
    During a deploy the old release serves traffic while the migration runs, and after a
    rollback it serves it again: a renamed or dropped column or table makes its queries
    fail ("column does not exist"), so sign-in or checkout breaks until the new code is
    everywhere. A drop also loses the data for good. `ALTER COLUMN ... DROP NOT NULL` is
    reported too, as a notice (the lock is brief, and only code that relies on the column
    being set breaks): the old release reads the column as never NULL and may fail on the
    first row that the new release writes without it. A column that the same file added
    is exempt: no release has read it yet.

    Remediation
    -----------
    Expand and contract over two releases: add the new column or table, write to both,
    backfill, switch reads, and only when no deployed code uses the old name, drop it in
    a later migration. For a rename, a view or a generated column can keep the old name
    alive meanwhile. Take a backup before a drop.

    References
    ----------
    - https://www.postgresql.org/docs/current/sql-altertable.html
    """

    id = "migrations/breaking-change"
    kinds = frozenset({"RenameStmt", "DropStmt", "AlterTableStmt"})
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("ALTER TABLE users RENAME COLUMN name TO full_name;",),
        "good": ("ALTER TABLE users ADD COLUMN full_name text;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:

        node = stmt.node
        if node.kind == "RenameStmt" and not stmt.is_new(node.relation):
            added = (
                node.relation is not None
                and node.subname is not None
                and (stmt.column(node.relation, node.subname) in stmt.added_columns)
            )
            if node.renameType == "OBJECT_COLUMN" and not added:
                yield (
                    f"column {node.subname} of {relname(node.relation)} is renamed to "
                    f"{node.newname}: the running release still queries the old name"
                )
            elif node.renameType == "OBJECT_TABLE":
                yield (
                    f"table {relname(node.relation)} is renamed to {node.newname}: the running "
                    "release still queries the old name"
                )
        if node.kind == "DropStmt" and node.removeType == "OBJECT_TABLE":
            for obj in node.objects or ():
                name = ".".join(names(obj))
                yield f"table {name} is dropped: its data is gone and old code still queries it"
        if node.kind == "RenameStmt" and node.renameType == "OBJECT_COLUMN":
            return  # reported above
        for relation, cmd in alter_cmds(node):
            if stmt.is_new(relation) or cmd.name is None:
                continue
            if stmt.column(relation, cmd.name) in stmt.added_columns:
                continue  # added by this file: no release has read it
            if cmd.subtype == "AT_DropColumn":
                yield (
                    f"column {cmd.name} of {relname(relation)} is dropped: its data is gone "
                    "and the running release may still query it"
                )
            elif cmd.subtype == "AT_DropNotNull":
                yield Notice(
                    f"column {cmd.name} of {relname(relation)} may now be NULL: the running "
                    "release assumes it never is, and breaks on the first NULL it reads"
                )
