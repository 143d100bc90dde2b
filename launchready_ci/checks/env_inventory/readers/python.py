"""Python: environment reads found with :mod:`ast`.

Seen: ``os.environ["X"]``, ``os.environ.get("X")`` (also ``.pop``, ``.setdefault``),
``"X" in os.environ``, ``os.getenv("X")`` and the same through ``import os as o``,
``from os import environ`` and ``from os import getenv`` (with or without ``as``).
Not seen: names computed at run time (``os.environ[name]``), settings libraries that
read the environment for you (pydantic-settings, django-environ), and files that do
not parse. Assignments (``os.environ["X"] = ...``) and ``del`` are writes, not reads.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind

__all__ = ["read"]

_READ_METHODS = frozenset({"get", "pop", "setdefault"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class _Aliases:
    """Local names bound to the ``os`` module, ``os.environ`` and ``os.getenv``."""

    os: set[str] = field(default_factory=lambda: {"os"})
    environ: set[str] = field(default_factory=set)
    getenv: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, tree: ast.AST) -> _Aliases:
        # Scope-blind on purpose: an import inside a function counts for the whole file.
        out = cls()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "os" and alias.asname:
                        out.os.add(alias.asname)
            elif isinstance(node, ast.ImportFrom) and node.module == "os" and not node.level:
                for alias in node.names:
                    if alias.name == "environ":
                        out.environ.add(alias.asname or alias.name)
                    elif alias.name == "getenv":
                        out.getenv.add(alias.asname or alias.name)
        return out

    def is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.environ
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.os
        )

    def is_getenv(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.getenv
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "getenv"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.os
        )


def read(text: str, path: str) -> Iterator[Use]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes and the like
            tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # not Python we can read (Python 2, a template, a half-written file)
    aliases = _Aliases.of(tree)
    lines = _LINE_BREAK.split(text)
    found: list[Use] = []
    for node in ast.walk(tree):
        name_node = _name_node(node, aliases)
        if name_node is None:
            continue
        name = name_node.value
        if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
            found.append(Use(name, path, name_node.lineno, _column(lines, name_node), UseKind.READ))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _name_node(node: ast.AST, aliases: _Aliases) -> ast.Constant | None:
    """The string literal naming the variable, if ``node`` reads one."""
    candidate: ast.expr | None = None
    if isinstance(node, ast.Subscript):
        if isinstance(node.ctx, ast.Load) and aliases.is_environ(node.value):
            candidate = node.slice
    elif isinstance(node, ast.Call):
        func = node.func
        reads = aliases.is_getenv(func) or (
            isinstance(func, ast.Attribute)
            and func.attr in _READ_METHODS
            and aliases.is_environ(func.value)
        )
        if reads:
            keyword = next((k.value for k in node.keywords if k.arg == "key"), None)
            candidate = node.args[0] if node.args else keyword
    elif (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn)
        and aliases.is_environ(node.comparators[0])
    ):
        candidate = node.left
    if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
        return candidate
    return None


def _column(lines: list[str], node: ast.expr) -> int:
    """ast columns count UTF-8 bytes; findings count characters (1-based)."""
    try:
        line = lines[node.lineno - 1]
    except IndexError:
        return node.col_offset + 1
    return len(line.encode("utf-8")[: node.col_offset].decode("utf-8", errors="replace")) + 1
