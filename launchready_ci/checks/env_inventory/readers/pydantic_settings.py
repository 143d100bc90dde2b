"""pydantic-settings: the variables a ``BaseSettings`` class reads, found with :mod:`ast`.

Called by the Python reader on the tree it has already parsed, for files that mention
``BaseSettings``. A class counts when it derives from ``BaseSettings`` (imported from
``pydantic_settings``, or from ``pydantic`` in version 1, under any alias) or from
another such class of the same file. Each annotated field is one variable:

- its name is the field name with ``env_prefix`` in front, upper-cased unless
  ``case_sensitive`` is true (pydantic-settings matches either case; upper case is the
  convention), with ``env_prefix`` and ``case_sensitive`` taken from
  ``model_config = SettingsConfigDict(...)``, a ``model_config = {...}`` dict, or an
  inner ``class Config:``, else from the parent settings class of the same file;
- ``Field(alias="X")``, ``Field(validation_alias="X")``, ``AliasChoices("X", "Y")``,
  ``AliasPath("X", ...)`` and version 1's ``Field(env="X")`` / ``env=["X", "Y"]`` name
  the variable(s) themselves, without the prefix (also inside ``Annotated[...]``).

Not seen: settings classes whose base comes from another module (``class
Settings(MyBaseSettings)``), fields inherited from a parent in another module or that
the parent declares (they are read under the parent's prefix only), prefixes and aliases
computed at run time, nested models split by ``env_nested_delimiter`` (``DB__HOST`` is
seen as ``DB``), and ``ClassVar``, private (``_x``) and un-annotated attributes, which
pydantic does not treat as fields either.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind

__all__ = ["MARKER", "uses"]

#: Files without this text have no settings class; the Python reader skips this reader.
MARKER = "BaseSettings"

_MODULES = frozenset({"pydantic_settings", "pydantic"})
_ALIAS_KEYWORDS = ("validation_alias", "alias", "env")

Column = Callable[[ast.expr], int]


class _Config:
    def __init__(self, prefix: str = "", case_sensitive: bool = False) -> None:
        self.prefix = prefix
        self.case_sensitive = case_sensitive


def uses(nodes: Sequence[ast.AST], path: str, column: Column) -> Iterator[Use]:
    """Every variable read by a settings class among ``nodes`` (all nodes of a module),
    in source order."""
    bases = _base_names(nodes)
    configs: dict[str, _Config] = {}
    classes = sorted(
        (n for n in nodes if isinstance(n, ast.ClassDef)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for cls in classes:
        parent = next((p for p in (_base_of(b, bases, configs) for b in cls.bases) if p), None)
        if parent is None:
            continue
        config = _own_config(cls, parent)
        configs[cls.name] = config
        yield from _fields(cls, config, path, column)


def _base_names(nodes: Sequence[ast.AST]) -> set[str]:
    """Local names of ``BaseSettings`` and of the modules that define it."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module in _MODULES and not node.level:
            names.update(a.asname or a.name for a in node.names if a.name == "BaseSettings")
        elif isinstance(node, ast.Import):
            names.update(f"{a.asname or a.name}." for a in node.names if a.name in _MODULES)
    return names


def _base_of(node: ast.expr, bases: set[str], configs: dict[str, _Config]) -> _Config | None:
    """The config a base class passes on, if it is ``BaseSettings`` or a settings class."""
    if isinstance(node, ast.Name):
        if node.id in configs:
            return configs[node.id]
        return _Config() if node.id in bases else None
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "BaseSettings"
        and isinstance(node.value, ast.Name)
        and f"{node.value.id}." in bases
    ):
        return _Config()
    return None


def _own_config(cls: ast.ClassDef, parent: _Config) -> _Config:
    values: dict[str, ast.expr] = {}
    for stmt in cls.body:
        target, value = _assignment(stmt)
        if target == "model_config" and value is not None:
            values.update(_config_items(value))
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                name, v = _assignment(inner)
                if name is not None and v is not None:
                    values[name] = v
    prefix = values.get("env_prefix")
    sensitive = values.get("case_sensitive")
    return _Config(
        prefix=prefix.value
        if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str)
        else parent.prefix,
        case_sensitive=sensitive.value
        if isinstance(sensitive, ast.Constant) and isinstance(sensitive.value, bool)
        else parent.case_sensitive,
    )


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def _config_items(value: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """Keyword arguments of ``SettingsConfigDict(...)`` or items of a dict literal."""
    if isinstance(value, ast.Call):
        for kw in value.keywords:
            if kw.arg is not None:
                yield kw.arg, kw.value
    elif isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, item


def _fields(cls: ast.ClassDef, config: _Config, path: str, column: Column) -> Iterator[Use]:
    for stmt in cls.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
            continue
        field = stmt.target.id
        if field.startswith("_") or field == "model_config" or _is_classvar(stmt.annotation):
            continue
        aliases = list(_aliases(stmt.value)) + list(_annotated_aliases(stmt.annotation))
        if aliases:
            for node, alias in aliases:
                name = alias if config.case_sensitive else alias.upper()
                if NAME_PATTERN.fullmatch(name):
                    yield Use(name, path, node.lineno, column(node), UseKind.READ)
            continue
        name = config.prefix + field
        name = name if config.case_sensitive else name.upper()
        if NAME_PATTERN.fullmatch(name):
            yield Use(name, path, stmt.target.lineno, column(stmt.target), UseKind.READ)


def _is_classvar(annotation: ast.expr) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    if isinstance(node, ast.Name):
        return node.id == "ClassVar"
    return isinstance(node, ast.Attribute) and node.attr == "ClassVar"


def _annotated_aliases(annotation: ast.expr) -> Iterator[tuple[ast.Constant, str]]:
    """Aliases of a ``Field(...)`` inside ``Annotated[type, Field(...)]``."""
    if not isinstance(annotation, ast.Subscript):
        return
    base = annotation.value
    name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
    if name != "Annotated" or not isinstance(annotation.slice, ast.Tuple):
        return
    for meta in annotation.slice.elts[1:]:
        yield from _aliases(meta)


def _aliases(value: ast.expr | None) -> Iterator[tuple[ast.Constant, str]]:
    """The string constants naming a field's variables in ``Field(...)``, if any."""
    if not isinstance(value, ast.Call) or _callee(value) != "Field":
        return
    keywords = {kw.arg: kw.value for kw in value.keywords if kw.arg}
    for key in _ALIAS_KEYWORDS:
        if key in keywords:
            yield from _strings(keywords[key])
            return


def _strings(node: ast.expr) -> Iterator[tuple[ast.Constant, str]]:
    """``"X"``, ``["X", "Y"]``, ``AliasChoices("X", AliasPath("Y", 0))``, ``AliasPath("X")``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node, node.value
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        for item in node.elts:
            yield from _strings(item)
    elif isinstance(node, ast.Call):
        callee = _callee(node)
        if callee == "AliasChoices":
            for arg in node.args:
                yield from _strings(arg)
        elif callee == "AliasPath" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first, first.value


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None
