"""Python: environment reads found with :mod:`ast`.

Seen: ``os.environ["X"]``, ``os.environ.get("X")`` (also ``.pop``, ``.setdefault``),
``"X" in os.environ``, ``os.getenv("X")`` and the same through ``import os as o``,
``from os import environ`` and ``from os import getenv`` (with or without ``as``).
pydantic-settings classes are read from the same tree by :mod:`.pydantic_settings`, and
the libraries that read for you by :mod:`.python_libraries` (dj-database-url,
django-environ, python-decouple). Helper functions (``def get_bool_from_env(name,
default): ... os.environ.get(name)``) and their calls are found by :func:`helpers` and
:func:`calls` (see :mod:`.helpers`).

A name built at run time with a literal part (``os.environ[f"{prefix}_URL"]``,
``os.getenv(prefix + "_URL")``) is a DYNAMIC use named as written (``{prefix}_URL``);
a name that is only a variable (``os.environ[name]``) is not reported, unless it is a
helper's parameter. Assignments (``os.environ["X"] = ...``) and ``del`` are writes, not
reads. Not seen: files that do not parse.

A file where none of :data:`MARKERS` is a whole name is not parsed.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers import (
    pydantic_settings,
    python_libraries,
    python_plain,
)
from launchready_ci.checks.env_inventory.readers.helpers import Helper

__all__ = ["MARKERS", "calls", "helpers", "read"]

_READ_METHODS = frozenset({"get", "pop", "setdefault"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CANDIDATES = (ast.Subscript, ast.Call, ast.Compare)
#: Text that a file which reads the environment contains (plain substrings: a regular
#: expression with ``\b`` is many times slower over a large repository).
MARKERS = ("environ", "getenv", pydantic_settings.MARKER, *python_libraries.MARKERS)
_DISTINCT_MARKERS = tuple(dict.fromkeys(MARKERS))
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@functools.lru_cache(maxsize=64)
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
    if not _names_a_marker(text):
        return  # the cheap test that spares parsing most files
    plain = python_plain.uses(text, path, _DISTINCT_MARKERS)
    # every read is os.environ["X"] and the like: no parse needed
    yield from plain if plain is not None else parsed_uses(text, path)


def parsed_uses(text: str, path: str) -> list[Use]:
    """The uses :func:`read` finds, from the parsed module (``[]`` when it does not parse)."""
    parsed = _parse(text, path)
    if parsed is None:
        return []
    nodes, aliases, lines = parsed
    column = _columns(lines)
    found: list[Use] = []
    for node in nodes:
        if not isinstance(node, _CANDIDATES):
            continue
        name_node = _name_node(node, aliases)
        if name_node is None:
            continue
        found.extend(_uses_of(name_node, path, column))
    if pydantic_settings.MARKER in text:
        found.extend(pydantic_settings.uses(nodes, path, column))
    found.extend(python_libraries.uses(nodes, path, column))
    found.sort(key=lambda u: (u.line, u.column))
    return found


def _parse(text: str, path: str) -> tuple[list[ast.AST], _Aliases, list[str]] | None:
    tree = _tree(text, path)
    if tree is None:
        return None
    nodes = _walk(tree)
    return nodes, _Aliases.of(nodes), _LINE_BREAK.split(text)


def _names_a_marker(text: str) -> bool:
    """Whether one of :data:`MARKERS` occurs as a whole name (``environ``, not
    ``environment``): every read this reader sees names one, and "environment" is in
    many a docstring and message that would otherwise be parsed for nothing."""
    size = len(text)
    for marker in MARKERS:
        start = text.find(marker)
        while start >= 0:
            end = start + len(marker)
            if (start == 0 or text[start - 1] not in _NAME_CHARS) and (
                end == size or text[end] not in _NAME_CHARS
            ):
                return True
            start = text.find(marker, end)
    return False


@functools.lru_cache(maxsize=64)
def _tree(text: str, path: str) -> ast.Module | None:
    """The parsed module (cached: the read, helper and call passes parse the same files;
    callers never change the tree)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes and the like
            return ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # not Python we can read (Python 2, a template, a half-written file)


def _columns(lines: list[str]) -> Callable[[ast.expr], int]:
    return lambda node: _column(lines, node)


def _uses_of(node: ast.expr, path: str, column: Callable[[ast.expr], int]) -> list[Use]:
    """The use a name expression makes: a literal name, or a DYNAMIC one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if NAME_PATTERN.fullmatch(node.value):
            return [Use(node.value, path, node.lineno, column(node), UseKind.READ)]
        return []
    pattern = dynamic_pattern(node)
    if pattern is None:
        return []
    return [Use(pattern, path, node.lineno, column(node), UseKind.DYNAMIC)]


def dynamic_pattern(node: ast.expr) -> str | None:
    """``f"{prefix}_URL"`` or ``prefix + "_URL"`` as written, when a literal part is in it."""
    parts: list[str] = []
    literal = False

    def add(part: ast.expr) -> bool:
        nonlocal literal
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(part.value)
            literal = literal or bool(part.value)
            return True
        if isinstance(part, ast.FormattedValue):
            parts.append("{" + ast.unparse(part.value) + "}")
            return True
        if isinstance(part, ast.JoinedStr):
            return all(add(v) for v in part.values)
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Add):
            return add(part.left) and add(part.right)
        if isinstance(part, ast.Name | ast.Attribute | ast.Subscript | ast.Call):
            parts.append("{" + ast.unparse(part) + "}")
            return True
        return False

    if not isinstance(node, ast.JoinedStr | ast.BinOp) or not add(node) or not literal:
        return None
    return "".join(parts)


# --- helper functions ----------------------------------------------------------------


def helpers(text: str, path: str, known: Mapping[str, Helper]) -> list[Helper]:
    """The functions of this file whose parameter reaches an environment read or a call
    of a known helper (``known`` by name), found until no new one appears."""
    if not any(m in text for m in MARKERS) and not any(name in text for name in known):
        return []
    tree = _tree(text, path)
    if tree is None:
        return []
    nodes = _walk(tree)
    aliases = _Aliases.of(nodes)
    functions = [n for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    methods = {
        id(f)
        for n in nodes
        if isinstance(n, ast.ClassDef)
        for f in n.body
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    bound = _bound_helpers(nodes, path, known)
    found: dict[str, Helper] = {}
    changed = True
    while changed:
        changed = False
        for fn in functions:
            if id(fn) in methods or fn.name in found:
                continue
            params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
            keywords = [a.arg for a in fn.args.kwonlyargs]
            reached = _reached_parameter(fn, aliases, {**bound, **found})
            if reached is None:
                continue
            if reached in params:
                found[fn.name] = Helper(fn.name, params.index(reached), reached, path, "python")
            elif reached in keywords:
                found[fn.name] = Helper(fn.name, -1, reached, path, "python")
            else:
                continue
            changed = True
    return list(found.values())


def _reached_parameter(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, aliases: _Aliases, helpers_: Mapping[str, Helper]
) -> str | None:
    """The parameter of ``fn`` that names the variable it reads, if one does."""
    names = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
    for node in _walk(fn):
        target: ast.expr | None = None
        if isinstance(node, _CANDIDATES):
            target = _name_node(node, aliases, accept=ast.Name)
        if target is None and isinstance(node, ast.Call):
            helper = _callee(node, helpers_)
            target = _argument(node, helper) if helper is not None else None
        if isinstance(target, ast.Name) and target.id in names:
            return target.id
    return None


def calls(text: str, path: str, helpers_: Mapping[str, Helper]) -> Iterator[Use]:
    """The uses that calls of ``helpers_`` (by name) in this file make."""
    if not any(name in text for name in helpers_):
        return
    tree = _tree(text, path)
    if tree is None:
        return
    nodes = _walk(tree)
    bound = _bound_helpers(nodes, path, helpers_)
    if not bound:
        return
    column = _columns(_LINE_BREAK.split(text))
    found: list[Use] = []
    for node in nodes:
        if isinstance(node, ast.Call):
            helper = _callee(node, bound)
            argument = _argument(node, helper) if helper is not None else None
            if argument is not None:
                found.extend(_uses_of(argument, path, column))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _bound_helpers(
    nodes: list[ast.AST], path: str, helpers_: Mapping[str, Helper]
) -> dict[str, Helper]:
    """Local name (``h`` or ``module.h``) -> helper, for the helpers this file can call."""
    own = {h.name: h for h in helpers_.values() if h.path == path and h.language == "python"}
    out: dict[str, Helper] = dict(own)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            module = (node.module or "").rpartition(".")[2]
            for alias in node.names:
                helper = helpers_.get(alias.name)
                if helper is not None and helper.language == "python" and module == helper.module:
                    out[alias.asname or alias.name] = helper
                # ``from package import module``: module.h(...)
                for h in helpers_.values():
                    if h.language == "python" and alias.name == h.module:
                        out[f"{alias.asname or alias.name}.{h.name}"] = h
        elif isinstance(node, ast.Import):
            for alias in node.names:
                last = alias.name.rpartition(".")[2]
                for h in helpers_.values():
                    if h.language == "python" and last == h.module:
                        out[f"{alias.asname or alias.name}.{h.name}"] = h
    return out


def _callee(call: ast.Call, bound: Mapping[str, Helper]) -> Helper | None:
    func = call.func
    if isinstance(func, ast.Name):
        return bound.get(func.id)
    if isinstance(func, ast.Attribute):
        try:
            return bound.get(f"{ast.unparse(func.value)}.{func.attr}")
        except (ValueError, RecursionError):  # pragma: no cover - unparse of odd trees
            return None
    return None


def _argument(call: ast.Call, helper: Helper) -> ast.expr | None:
    if 0 <= helper.index < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: helper.index + 1]
    ):
        return call.args[helper.index]
    return next((k.value for k in call.keywords if k.arg == helper.keyword), None)


def _name_node(
    node: ast.AST, aliases: _Aliases, accept: type[ast.expr] | None = None
) -> ast.expr | None:
    """The expression naming the variable, if ``node`` reads one: a string literal or a
    name built at run time (an f-string, a concatenation), or with ``accept`` also an
    expression of that type (``ast.Name``, for a helper's parameter)."""
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
    if isinstance(candidate, ast.JoinedStr | ast.BinOp):
        return candidate
    if accept is not None and isinstance(candidate, accept):
        return candidate
    return None


def _column(lines: list[str], node: ast.expr) -> int:
    """ast columns count UTF-8 bytes; findings count characters (1-based)."""
    try:
        line = lines[node.lineno - 1]
    except IndexError:
        return node.col_offset + 1
    return len(line.encode("utf-8")[: node.col_offset].decode("utf-8", errors="replace")) + 1
