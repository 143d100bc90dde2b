"""Workflow commands (``::error file=...::message``), escaped exactly as GitHub's
``@actions/core`` toolkit escapes them (``src/command.ts``).

Escaping is what keeps a finding from breaking out of its command: an unescaped newline
in a message would start a new line, and a line that starts with ``::`` is a command
(``::add-mask::``, ``::stop-commands::``...). The runner decodes the escapes again, so
the annotation shows the original text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["add_mask", "annotation", "command", "escape_data", "escape_property"]

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

#: Annotation levels GitHub knows.
LEVELS = ("error", "warning", "notice")


def escape_data(value: str) -> str:
    """Escape a command's message: ``%``, ``\\r`` and ``\\n`` (``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value: as data, plus ``:`` and ``,`` (``escapeProperty``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Mapping[str, str | int | None], message: str) -> str:
    """One workflow command line, without the trailing newline.

    Properties whose value is ``None`` or ``""`` are left out, as the toolkit leaves out
    falsy values (it also drops ``0``; here ``0`` is kept because it is a value).
    """
    if not _NAME.match(name):
        raise ValueError(f"not a workflow command name: {name!r}")
    props = []
    for key, value in properties.items():
        if not _PROPERTY.match(key):
            raise ValueError(f"not a workflow command property name: {key!r}")
        if value is None or value == "":
            continue
        props.append(f"{key}={escape_property(str(value))}")
    head = f"::{name}"
    if props:
        head += " " + ",".join(props)
    return f"{head}::{escape_data(message)}"


def annotation(
    level: str,
    message: str,
    *,
    title: str | None = None,
    file: str | None = None,
    line: int | None = None,
    end_line: int | None = None,
    col: int | None = None,
    end_column: int | None = None,
) -> str:
    """An ``::error``/``::warning``/``::notice`` line.

    GitHub only honours columns on a single-line annotation (``col`` "cannot be sent when
    ``startLine`` and ``endLine`` are different values"), so they are dropped otherwise;
    lines and columns without a file mean nothing and are dropped too.
    """
    if level not in LEVELS:
        raise ValueError(f"not an annotation level: {level!r}")
    if file is None:
        line = end_line = col = end_column = None
    if line is None:
        end_line = col = end_column = None
    if end_line is not None and line is not None and end_line != line:
        col = end_column = None
    if col is None:
        end_column = None
    props: dict[str, str | int | None] = {
        "file": file,
        "line": line,
        "endLine": end_line,
        "col": col,
        "endColumn": end_column,
        "title": title,
    }
    return command(level, props, message)


def add_mask(value: str) -> str:
    """``::add-mask::`` lines for ``value``, one per line of it (the runner masks line by
    line; a multi-line secret sent whole would be masked by none of its lines)."""
    lines = [line for line in value.splitlines() if line.strip()]
    return "".join(command("add-mask", {}, line) + "\n" for line in lines)
