"""Small readers of pglast nodes shared by the rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["alter_cmds", "column_constraints", "relname"]


def relname(relation: Any) -> str:
    return str(relation.relname) if relation is not None else "?"


def alter_cmds(node: Any) -> Iterator[tuple[Any, Any]]:
    """(relation, command) for each command of an ``ALTER TABLE``."""
    from pglast import ast

    if isinstance(node, ast.AlterTableStmt):
        for cmd in node.cmds or ():
            yield node.relation, cmd


def column_constraints(cmd: Any) -> list[Any]:
    definition = cmd.def_
    return list(getattr(definition, "constraints", None) or ())
