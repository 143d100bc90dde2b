"""Dotenv files: the keys of ``.env.example``-style templates, and of the env files a
compose file loads with ``env_file:``.

Values are never kept. For a template only the key matters (kind EXAMPLE); for an env
file the reader also says how the value is given (see :func:`._values.value_kind`), so
that a secret written out in a committed env file can be reported, without its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Use, UseKind
from launchready_ci.checks.env_inventory.readers._values import SHELL_REF, value_kind

__all__ = ["TEMPLATE_NAMES", "is_template", "read", "read_env_file"]

#: Committed templates that document variables. A real ``.env`` is never read as one.
TEMPLATE_NAMES = (
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "example.env",
    "sample.env",
    "env.example",
    "env.sample",
    "env.template",
)
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")

_ASSIGNMENT = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.?)")
_INLINE_COMMENT = re.compile(r"[ \t]#.*$")


def is_template(filename: str) -> bool:
    """``.env.example``, ``.env.sample``, ``.env.template``, ``.env.dist``,
    ``example.env``, ``<x>.env.example``, ``.env.<x>.example`` (``.env.local.example``)
    and ``<x>.example.env``."""
    if filename in TEMPLATE_NAMES or filename.endswith((".env.example", ".example.env")):
        return True
    return filename.startswith(".env.") and filename.endswith(_TEMPLATE_SUFFIXES)


def read(text: str, path: str) -> Iterator[Use]:
    """The keys of a template, each as an EXAMPLE use."""
    for name, number, column, _ in _entries(text):
        yield Use(name, path, number, column, UseKind.EXAMPLE)


def read_env_file(text: str, path: str) -> Iterator[Use]:
    """The keys of an env file that a compose file loads: LITERAL, CREDENTIAL or SET."""
    for name, number, column, kind in _entries(text):
        yield Use(name, path, number, column, kind)


def _entries(text: str) -> Iterator[tuple[str, int, int, str]]:
    """(name, line, column, value kind) of each assignment."""
    quote: str | None = None  # inside a quoted value that spans lines
    for number, raw in enumerate(text.split("\n"), 1):  # lines as git counts them
        line = raw.removesuffix("\r")
        if quote is not None:
            if _closes(line, quote):
                quote = None
            continue
        m = _ASSIGNMENT.match(line)
        if m is None:
            continue
        opening = m.group(2)
        rest = line[m.end(2) :]
        if opening in ("'", '"') and not _closes(rest, opening):
            quote = opening
            kind: str = UseKind.LITERAL  # a value over several lines: a key or certificate
        else:
            kind = _kind(line[m.start(2) :], opening)
        yield m.group(1), number, m.start(1) + 1, kind


def _kind(value: str, opening: str) -> str:
    if opening in ("'", '"'):
        end = value.rfind(opening)
        inner = value[1:end] if end > 0 else value[1:]
        return value_kind(inner, None if opening == "'" else SHELL_REF)
    return value_kind(_INLINE_COMMENT.sub("", value), SHELL_REF)


def _closes(rest: str, quote: str) -> bool:
    escaped = False
    for char in rest:
        if escaped:
            escaped = False
        elif char == "\\" and quote == '"':
            escaped = True
        elif char == quote:
            return True
    return False
