"""Placeholders a migration tool fills in before PostgreSQL sees the file.

gobuffalo/pop renders every SQL migration as a Go ``text/template`` (supabase/auth writes
``CREATE TABLE {{ index .Options "Namespace" }}.identities``), and Flyway replaces
``${name}`` placeholders. Left in, both are syntax errors, so every migration of such a
project, the next one included, would be a parse error and nothing in it would be checked.

:func:`render` gives the SQL the tool would send: a value action becomes the value
``migrations.placeholders`` gives its name, else the name itself as an identifier (enough
to lint: the rules read the statement, not the schema's name); control actions (``if``,
``range``, ``end`` …) and comments become blanks, so both branches of an ``if`` are read.
Line breaks are kept, so a finding points at the file's own line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["POP_NAME", "has_go_template", "option_names", "render"]

#: pop's migration file names (its migrator.go): ``<version>_<name>[.<dialect>].up.sql``
POP_NAME = re.compile(r"(?:^|/)\d+_[^./]+(?:\.[a-z0-9]+)?\.(?:up|down)\.sql$")
#: a Flyway migration: V<version>__<desc>.sql, U… (undo) or R__<desc>.sql (repeatable)
_FLYWAY_NAME = re.compile(r"(?:^|/)(?:[VU]\d[\w.]*|R)__[^/]+\.sql$")

# A Go template action opens with a field, a variable, a comment or a builtin; a
# two-dimensional array literal ('{{1,2},{3,4}}') opens with a digit or a quote.
_GO_OPEN = re.compile(
    r"\{\{-?\s*(?:[.$]|/\*|(?:if|else|end|range|with|define|template|block|index|printf|"
    r"print|len|not|and|or|eq|ne|lt|le|gt|ge|html|js|urlquery|call|slice)\b)"
)
_GO_ACTION = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_GO_CONTROL = re.compile(
    r"\s*(?:/\*|(?:if|else|end|range|with|define|template|block|break|continue)\b)"
)
_GO_NAME = re.compile(r'"([^"]+)"\s*$|\.([A-Za-z_]\w*)\s*$|\$([A-Za-z_]\w*)\s*$')
_FLYWAY = re.compile(r"\$\{([A-Za-z_][\w.:-]*)\}")
_NOT_IDENT = re.compile(r"\W+")


def has_go_template(text: str) -> bool:
    return "{{" in text and _GO_OPEN.search(text) is not None


def render(rel: str, text: str, values: Mapping[str, object] | None = None) -> str:
    """``text`` as the tool sends it (unchanged when it holds no placeholder)."""
    values = values or {}
    if has_go_template(text):
        text = _GO_ACTION.sub(lambda m: _go_value(m.group(0), m.group(1), values), text)
    if "${" in text and _FLYWAY_NAME.search(rel):
        text = _FLYWAY.sub(lambda m: _value(m.group(1), values), text)
    return text


def option_names(text: str) -> tuple[str, ...]:
    """The names of the value actions in ``text`` (``Namespace``), sorted."""
    if not has_go_template(text):
        return ()
    names = {_name(m.group(1)) for m in _GO_ACTION.finditer(text)}
    names.discard("")
    return tuple(sorted(names))


def _name(action: str) -> str:
    """A value action's option name; "" for a control action or a nameless one."""
    if _GO_CONTROL.match(action):
        return ""
    match = _GO_NAME.search(action)
    return next((g for g in match.groups() if g), "") if match else ""


def _go_value(whole: str, action: str, values: Mapping[str, object]) -> str:
    if _GO_CONTROL.match(action):
        return "\n" * whole.count("\n")
    return _value(_name(action) or "placeholder", values) + "\n" * whole.count("\n")


def _value(name: str, values: Mapping[str, object]) -> str:
    if name in values:
        return str(values[name])
    ident = _NOT_IDENT.sub("_", name.rpartition(":")[2]).strip("_") or "placeholder"
    return f"_{ident}" if ident[0].isdigit() else ident
