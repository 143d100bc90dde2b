"""Workflow commands (``::error file=...::message``), escaped exactly as GitHub's
``@actions/core`` toolkit escapes them (``src/command.ts``).

Escaping is what keeps a finding from breaking out of its command: an unescaped newline
in a message would start a new line, and a line that starts with ``::`` is a command
(``::add-mask::``, ``::stop-commands::``...). The runner decodes the escapes again, so
the annotation shows the original text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

__all__ = [
    "add_mask",
    "annotation",
    "command",
    "escape_data",
    "escape_property",
    "neutralise",
    "starts_command",
]

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
    """``::add-mask::`` lines for ``value`` and for each form a server may echo it in
    (URL-encoded, base64, hex, upper and lower case: ``redaction.secret_forms``), one per
    line of each (the runner masks line by line; a multi-line secret sent whole would be
    masked by none of its lines)."""
    from launchready_ci.redaction import secret_forms

    if not value.strip():
        return ""
    forms = secret_forms(value) or [value]
    lines = dict.fromkeys(line for form in forms for line in form.splitlines() if line.strip())
    return "".join(command("add-mask", {}, line) + "\n" for line in lines)


# --- what may reach the job log ----------------------------------------------------------

# Every control character but tab and the line breaks (C0, DEL, C1: ESC and CSI among
# them), the bidi overrides and isolates of "Trojan Source" (CVE-2021-42574), and the
# Unicode line and paragraph separators (one line to the runner, two to a reader).
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# The colour and erase-line sequences a terminal report may carry when colour is asked for.
_SGR = re.compile(r"\x1b\[[0-9;]{0,16}[mK]")
# A command line as :func:`command` writes it: no ``:`` in the properties (escaped).
_COMMAND_LINE = re.compile(r"::([a-z][a-z0-9-]*)(?: [^:]*)?::")
_LINES = re.compile(r"(\r\n|\n|\r)")
#: The runner's legacy command form: ``##[name ...]data``, recognised anywhere in a line.
LEGACY_PREFIX = "##["


def _visible(text: str, *, color: bool) -> str:
    def escape(part: str) -> str:
        return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], part)

    if not color:
        return escape(text)
    out, last = [], 0
    for match in _SGR.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def starts_command(line: str) -> bool:
    """Whether the runner would read ``line`` as a workflow command: ``::`` after leading
    white space (``TryParseV2`` trims it), or ``##[`` anywhere (the legacy ``TryParse``)."""
    return line.lstrip().startswith("::") or LEGACY_PREFIX in line


def neutralise(
    text: str,
    *,
    actions: bool = True,
    commands: Collection[str] = (),
    color: bool = False,
) -> str:
    """``text`` made safe to print: every byte launchready writes to stdout and stderr
    passes here (through :mod:`launchready_ci.github.console`).

    - Control characters (ANSI escapes among them) become visible escapes (``\\x1b``), so
      nothing can recolour or rewrite a terminal, or reach an annotation's ``file=``;
      with ``color`` the colour sequences of the terminal report are kept.
    - Under GitHub Actions (``actions``): a line that the runner would read as a command
      gets a ``\\`` in front of its ``::`` and inside its ``##[``, and a lone ``\\r`` (a
      line break to the runner, which splits on ``\\r`` as on ``\\n``) becomes ``\\r``;
      except lines that are well-formed commands named in ``commands`` (the annotations
      and ``::add-mask::`` lines launchready writes on purpose, built by :func:`command`).

    ``\\r\\n`` becomes ``\\n``. The result has the same lines as the input, and
    ``neutralise(neutralise(t)) == neutralise(t)``.
    """
    allowed = frozenset(commands)
    parts = _LINES.split(text)
    out: list[str] = []
    for i in range(0, len(parts), 2):
        body = parts[i]
        end = parts[i + 1] if i + 1 < len(parts) else ""
        if end == "\r\n":
            end = "\n"
        elif end == "\r" and actions:
            end = "\\r"
        head = _COMMAND_LINE.match(body)
        if actions and head is not None and head.group(1) in allowed:
            out.append(_visible(body, color=False) + end)
            continue
        body = _visible(body, color=color)
        if actions:
            body = body.replace(LEGACY_PREFIX, "##\\[")
            stripped = body.lstrip()
            if stripped.startswith("::"):
                body = body[: len(body) - len(stripped)] + "\\" + stripped
        out.append(body + end)
    return "".join(out)
