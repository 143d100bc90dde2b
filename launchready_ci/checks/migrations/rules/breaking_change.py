from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.migrations.rules._ast import alter_cmds, relname
from launchready_ci.checks.migrations.rules._base import MigrationRule
from launchready_ci.checks.migrations.sql import Stmt
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
    everywhere. A drop also loses the data for good.

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
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("ALTER TABLE users RENAME COLUMN name TO full_name;",),
        "good": ("ALTER TABLE users ADD COLUMN full_name text;",),
    }

    @classmethod
    def problems(cls, stmt: Stmt) -> Iterator[str]:
        from pglast import ast
        from pglast.enums import AlterTableType, ObjectType

        node = stmt.node
        if isinstance(node, ast.RenameStmt) and not stmt.is_new(node.relation):
            if node.renameType == ObjectType.OBJECT_COLUMN:
                yield (
                    f"column {node.subname} of {relname(node.relation)} is renamed to "
                    f"{node.newname}: the running release still queries the old name"
                )
            elif node.renameType == ObjectType.OBJECT_TABLE:
                yield (
                    f"table {relname(node.relation)} is renamed to {node.newname}: the running "
                    "release still queries the old name"
                )
        if isinstance(node, ast.DropStmt) and node.removeType == ObjectType.OBJECT_TABLE:
            for names in node.objects or ():
                name = ".".join(str(n.sval) for n in names)
                yield f"table {name} is dropped: its data is gone and old code still queries it"
        for relation, cmd in alter_cmds(node):
            if cmd.subtype == AlterTableType.AT_DropColumn and not stmt.is_new(relation):
                yield (
                    f"column {cmd.name} of {relname(relation)} is dropped: its data is gone "
                    "and the running release may still query it"
                )
