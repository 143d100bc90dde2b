"""Small readers of parse-tree nodes (:class:`..sql.Node`) shared by the rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from launchready_ci.checks.migrations.sql import Node, names

__all__ = ["alter_cmds", "column_constraints", "flag", "relname", "type_names"]


def relname(relation: Any) -> str:
    return str(relation.relname) if relation is not None else "?"


def alter_cmds(node: Node) -> Iterator[tuple[Any, Any]]:
    """(relation, command) for each command of an ``ALTER TABLE``."""
    if node.kind == "AlterTableStmt":
        yield from node.memo("alter_cmds", _pairs)


def _pairs(node: Node) -> list[tuple[Any, Any]]:
    return [(node.relation, cmd) for cmd in node.cmds or ()]


def column_constraints(cmd: Any) -> list[Any]:
    definition = cmd.def_
    return list(definition.constraints or ()) if definition is not None else []


def flag(options: Any, name: str) -> bool:
    """A boolean option of a parenthesised list, by value: ``(FULL)`` and ``(FULL true)``
    are on, ``(FULL false)``, ``off`` and ``0`` are off."""
    on = False
    for option in options or ():
        if option.kind != "DefElem" or str(option.defname).lower() != name:
            continue
        arg = option.arg
        if arg is None:
            on = True
        elif arg.kind == "String":
            on = str(arg.sval).lower() not in ("false", "off", "0", "no")
        elif arg.kind == "Integer":
            on = bool(arg.ival)
        elif arg.kind == "Boolean":
            on = bool(arg.boolval)
        else:
            on = True
    return on


def type_names(type_name: Any) -> list[str]:
    return names(type_name.names) if type_name is not None else []
