"""Keys of ``.env.example``-style templates (names only: values are never kept)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Use, UseKind

__all__ = ["TEMPLATE_NAMES", "is_template", "read"]

#: Committed templates that document variables. A real ``.env`` is never read.
TEMPLATE_NAMES = (".env.example", ".env.sample", ".env.template")

_ASSIGNMENT = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.?)")


def is_template(filename: str) -> bool:
    """``.env.example``, ``.env.sample``, ``.env.template`` and ``<x>.env.example``."""
    return filename in TEMPLATE_NAMES or filename.endswith(".env.example")


def read(text: str, path: str) -> Iterator[Use]:
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
        yield Use(m.group(1), path, number, m.start(1) + 1, UseKind.EXAMPLE)
        opening = m.group(2)
        if opening in ("'", '"') and not _closes(line[m.end(2) :], opening):
            quote = opening


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
