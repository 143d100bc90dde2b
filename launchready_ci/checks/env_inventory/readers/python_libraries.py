"""Python libraries that read the environment for the application, found with :mod:`ast`.

Called by the Python reader on the tree it has parsed:

- dj-database-url, dj-email-url, django-cache-url: ``config()`` reads DATABASE_URL,
  EMAIL_URL, CACHE_URL, or the variable its first argument or ``env=`` names: a string,
  the library's ``DEFAULT_ENV``, or a module-level name assigned one of those (every
  value it is assigned counts: ``X = "DATABASE_URL_REPLICA" if ... else DEFAULT_ENV``);
- django-environ: a name bound to ``environ.Env(...)`` (or ``Env(...)`` imported from
  ``environ``) called with the variable (``env("SECRET_KEY")``) or through a cast method
  (``env.bool("DEBUG")``, ``env.str``, ``env.int``, ``env.list`` ...), and ``env.db()``,
  ``env.cache()``, ``env.email()``, ``env.search_url()`` with their default variables;
- python-decouple: ``config("X")`` with ``config`` imported from ``decouple`` (or an
  ``AutoConfig(...)``/``Config(...)`` instance), ``decouple.config("X")``.

Not seen: the libraries imported under a computed name, and variables named by
expressions other than those above.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind

__all__ = ["MARKERS", "uses"]

#: Module -> the variable its ``config()`` reads by default.
URL_LIBRARIES = {
    "dj_database_url": "DATABASE_URL",
    "dj_email_url": "EMAIL_URL",
    "django_cache_url": "CACHE_URL",
}
#: django-environ methods that read the variable named by their first argument.
_ENVIRON_CASTS = frozenset(
    {
        "str",
        "bool",
        "int",
        "float",
        "decimal",
        "json",
        "list",
        "tuple",
        "dict",
        "url",
        "path",
        "bytes",
        "get_value",
    }
)
#: django-environ methods with a default variable.
_ENVIRON_DEFAULTS = {
    "db_url": "DATABASE_URL",
    "db": "DATABASE_URL",
    "cache_url": "CACHE_URL",
    "cache": "CACHE_URL",
    "email_url": "EMAIL_URL",
    "email": "EMAIL_URL",
    "search_url": "SEARCH_URL",
    "channels_url": "CHANNELS_URL",
    "channels": "CHANNELS_URL",
}
MARKERS = (*URL_LIBRARIES, "environ", "decouple")

Column = Callable[[ast.expr], int]


def uses(nodes: Sequence[ast.AST], path: str, column: Column) -> Iterator[Use]:
    imports = _Imports.of(nodes)
    if imports.empty:
        return
    constants = _constants(nodes)
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        yield from _url_library(node, imports, constants, path, column)
        yield from _environ(node, imports, path, column)
        yield from _decouple(node, imports, path, column)


class _Imports:
    def __init__(self) -> None:
        self.url_modules: dict[str, str] = {}  # local module name -> library
        self.url_configs: dict[str, str] = {}  # local name of config() -> library
        self.environ_modules: set[str] = set()
        self.env_classes: set[str] = set()
        self.env_objects: set[str] = set()
        self.decouple_modules: set[str] = set()
        self.decouple_configs: set[str] = set()

    @property
    def empty(self) -> bool:
        return not (
            self.url_modules
            or self.url_configs
            or self.env_classes
            or self.environ_modules
            or self.decouple_modules
            or self.decouple_configs
        )

    @classmethod
    def of(cls, nodes: Sequence[ast.AST]) -> _Imports:
        out = cls()
        for node in nodes:
            if isinstance(node, ast.Import):
                for a in node.names:
                    local = a.asname or a.name
                    if a.name in URL_LIBRARIES:
                        out.url_modules[local] = a.name
                    elif a.name == "environ":
                        out.environ_modules.add(local)
                    elif a.name == "decouple":
                        out.decouple_modules.add(local)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                for a in node.names:
                    local = a.asname or a.name
                    if node.module in URL_LIBRARIES and a.name == "config":
                        out.url_configs[local] = node.module
                    elif node.module == "environ" and a.name == "Env":
                        out.env_classes.add(local)
                    elif node.module == "decouple" and a.name == "config":
                        out.decouple_configs.add(local)
                    elif node.module == "decouple" and a.name in ("AutoConfig", "Config"):
                        out.env_classes.add(f"decouple:{local}")
        for node in nodes:  # instances: env = environ.Env(...), config = AutoConfig(...)
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            func = node.value.func
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "Env"
                and isinstance(func.value, ast.Name)
                and func.value.id in out.environ_modules
            ) or (isinstance(func, ast.Name) and func.id in out.env_classes):
                out.env_objects.update(names)
            elif (isinstance(func, ast.Name) and f"decouple:{func.id}" in out.env_classes) or (
                isinstance(func, ast.Attribute)
                and func.attr in ("AutoConfig", "Config")
                and isinstance(func.value, ast.Name)
                and func.value.id in out.decouple_modules
            ):
                out.decouple_configs.update(names)
        return out


def _constants(nodes: Sequence[ast.AST]) -> dict[str, list[ast.expr]]:
    """Every value assigned to each simple name (module-level or not)."""
    out: dict[str, list[ast.expr]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out.setdefault(node.target.id, []).append(node.value)
    return out


def _use(name: str, at: ast.expr, path: str, column: Column) -> Iterator[Use]:
    if NAME_PATTERN.fullmatch(name):
        yield Use(name, path, at.lineno, column(at), UseKind.READ)


def _arg(call: ast.Call, keyword: str) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _url_library(
    call: ast.Call,
    imports: _Imports,
    constants: dict[str, list[ast.expr]],
    path: str,
    column: Column,
) -> Iterator[Use]:
    func = call.func
    library: str | None = None
    if isinstance(func, ast.Name):
        library = imports.url_configs.get(func.id)
    elif (
        isinstance(func, ast.Attribute)
        and func.attr == "config"
        and isinstance(func.value, ast.Name)
    ):
        library = imports.url_modules.get(func.value.id)
    if library is None:
        return
    default = URL_LIBRARIES[library]
    arg = _arg(call, "env")
    if arg is None:
        yield from _use(default, call.func, path, column)
        return
    for value in _values(arg, constants, set()):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield from _use(value.value, value, path, column)
        elif isinstance(value, ast.Attribute) and value.attr == "DEFAULT_ENV":
            yield from _use(default, arg, path, column)


def _values(
    node: ast.expr, constants: dict[str, list[ast.expr]], seen: set[str]
) -> Iterator[ast.expr]:
    """The expressions ``node`` may stand for: itself, both arms of ``a if c else b``,
    and every value a name is assigned."""
    if isinstance(node, ast.IfExp):
        yield from _values(node.body, constants, seen)
        yield from _values(node.orelse, constants, seen)
    elif isinstance(node, ast.Name) and node.id in constants and node.id not in seen:
        for value in constants[node.id]:
            yield from _values(value, constants, seen | {node.id})
    else:
        yield node


def _environ(call: ast.Call, imports: _Imports, path: str, column: Column) -> Iterator[Use]:
    func = call.func
    if isinstance(func, ast.Name) and func.id in imports.env_objects:
        yield from _literal(_arg(call, "var"), path, column)
    elif (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in imports.env_objects
    ):
        if func.attr in _ENVIRON_CASTS:
            yield from _literal(_arg(call, "var"), path, column)
        elif func.attr in _ENVIRON_DEFAULTS:
            arg = _arg(call, "var")
            if arg is None:
                yield from _use(_ENVIRON_DEFAULTS[func.attr], func, path, column)
            else:
                yield from _literal(arg, path, column)


def _decouple(call: ast.Call, imports: _Imports, path: str, column: Column) -> Iterator[Use]:
    func = call.func
    if (isinstance(func, ast.Name) and func.id in imports.decouple_configs) or (
        isinstance(func, ast.Attribute)
        and func.attr == "config"
        and isinstance(func.value, ast.Name)
        and func.value.id in imports.decouple_modules
    ):
        yield from _literal(_arg(call, "option"), path, column)


def _literal(node: ast.expr | None, path: str, column: Column) -> Iterator[Use]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield from _use(node.value, node, path, column)
