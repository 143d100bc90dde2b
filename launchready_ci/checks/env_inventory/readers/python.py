"""Python: environment reads found with :mod:`ast`.

Seen: ``os.environ["X"]``, ``os.environ.get("X")`` (also ``.pop``, ``.setdefault``),
``"X" in os.environ``, ``os.getenv("X")`` and the same through ``import os as o``,
``from os import environ`` and ``from os import getenv`` (with or without ``as``).
pydantic-settings classes are read from the same tree by :mod:`.pydantic_settings`.
Not seen: names computed at run time (``os.environ[name]``), other libraries that read
the environment for you (django-environ, python-decouple), and files that do not parse.
Assignments (``os.environ["X"] = ...``) and ``del`` are writes, not reads.

A file that contains neither the word ``environ``, ``getenv`` nor ``BaseSettings`` is
not parsed.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers import pydantic_settings

__all__ = ["read"]

_READ_METHODS = frozenset({"get", "pop", "setdefault"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CANDIDATES = (ast.Subscript, ast.Call, ast.Compare)
_MARKERS = re.compile(r"\b(?:environ|getenv)\b")


def _walk(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree``, in no particular order: :func:`ast.walk` without its
    generators, about twice as fast."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend([v for v in value if isinstance(v, ast.AST)])
            elif isinstance(value, ast.AST):
                stack.append(value)
    return out


@dataclass
class _Aliases:
    """Local names bound to the ``os`` module, ``os.environ`` and ``os.getenv``."""

    os: set[str] = field(default_factory=lambda: {"os"})
    environ: set[str] = field(default_factory=set)
    getenv: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, nodes: Sequence[ast.AST]) -> _Aliases:
        # Scope-blind on purpose: an import inside a function counts for the whole file.
        out = cls()
        for node in nodes:
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
    settings = pydantic_settings.MARKER in text
    if not settings and _MARKERS.search(text) is None:
        return  # the cheap test that spares parsing most files
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes and the like
            tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # not Python we can read (Python 2, a template, a half-written file)
    nodes = _walk(tree)
    aliases = _Aliases.of(nodes)
    lines = _LINE_BREAK.split(text)
    found: list[Use] = []
    for node in nodes:
        if not isinstance(node, _CANDIDATES):
            continue
        name_node = _name_node(node, aliases)
        if name_node is None:
            continue
        name = name_node.value
        if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
            found.append(Use(name, path, name_node.lineno, _column(lines, name_node), UseKind.READ))
    if settings:
        found.extend(pydantic_settings.uses(nodes, path, lambda node: _column(lines, node)))
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
