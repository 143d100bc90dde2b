"""Dockerfiles: the variables that ``ENV`` and ``ARG`` give a value, and how.

Files: ``Dockerfile``, ``Containerfile``, ``*.Dockerfile`` and ``Dockerfile.*`` (any
case). The reader follows Dockerfile syntax: instructions are case-insensitive, lines
continue after the escape character (``\\``, or the one set by ``# escape=``), comment
lines inside a continuation are dropped, and heredoc bodies (``RUN <<EOF``) are skipped.

- ``ENV X=1 Y="a b"`` and the legacy ``ENV X 1``: LITERAL (CREDENTIAL for a URL with
  a password), or SET when the value uses ``$VAR`` / ``${VAR}`` or is empty;
- ``ARG X``: PASS (a build argument the build must be given); ``ARG X=default``: as
  ``ENV``.

``$VAR`` inside a value refers to an earlier ``ARG`` or ``ENV`` of the same file, so it
is not reported as a separate use. Not seen: variables set by ``RUN export``, by the
base image, or by ``docker run -e`` and the platform at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._values import SHELL_REF, LineIndex, value_kind

__all__ = ["is_dockerfile", "read"]

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)
_HEREDOC = re.compile(r"<<-?\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")
_INSTRUCTION = re.compile(r"\s*(ENV|ARG)\s", re.IGNORECASE)


def is_dockerfile(filename: str) -> bool:
    lower = filename.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.endswith(".dockerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
    )


def read(text: str, path: str) -> Iterator[Use]:
    index = LineIndex(text)
    for logical, offsets in _instructions(text):
        m = _INSTRUCTION.match(logical)
        if m is None:
            continue
        keyword = m.group(1).upper()
        words = _words(logical, m.end())
        for name, at, value in _pairs(keyword, logical, words):
            if not NAME_PATTERN.fullmatch(name):
                continue
            if value is None:
                kind: str = UseKind.PASS if keyword == "ARG" else UseKind.SET
            else:
                kind = value_kind(value, SHELL_REF)
            line, column = index.position(offsets[at])
            yield Use(name, path, line, column, kind)


def _instructions(text: str) -> Iterator[tuple[str, list[int]]]:
    """Logical lines (continuations joined) with each character's offset in ``text``."""
    escape = "\\"
    lines = text.split("\n")
    offset = 0
    chars: list[str] = []
    offsets: list[int] = []
    heredocs: list[str] = []
    directives = True
    for raw in lines:
        start = offset
        offset += len(raw) + 1
        line = raw.removesuffix("\r")
        if heredocs:
            if line.lstrip("\t") == heredocs[0]:
                heredocs.pop(0)
            continue
        stripped = line.strip()
        if directives:
            d = _DIRECTIVE.match(stripped)
            if d is not None:
                escape = d.group(1)
                continue
            if not stripped.startswith("#") or "=" not in stripped:
                directives = False
        if stripped.startswith("#"):
            continue  # a comment line, also inside a continuation
        if not stripped and chars:
            continue  # an empty line inside a continuation
        body = line.rstrip()
        continued = body.endswith(escape)
        if continued:
            body = body[:-1]
        chars.extend(body)
        offsets.extend(range(start, start + len(body)))
        if continued:
            chars.append(" ")
            offsets.append(start + len(body))
            continue
        logical = "".join(chars)
        heredocs.extend(m.group(2) for m in _HEREDOC.finditer(logical))
        yield logical, offsets
        chars, offsets = [], []
    if chars:
        yield "".join(chars), offsets


def _words(text: str, start: int) -> list[tuple[int, str]]:
    """Whitespace-separated words from ``start``, with quotes removed and each word's
    start offset (in ``text``)."""
    words: list[tuple[int, str]] = []
    i, n = start, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        begin = i
        word: list[str] = []
        while i < n and not text[i].isspace():
            c = text[i]
            if c in "\"'":
                end = text.find(c, i + 1)
                end = n if end < 0 else end
                word.append(text[i + 1 : end])
                i = end + 1
            elif c == "\\" and i + 1 < n:
                word.append(text[i + 1])
                i += 2
            else:
                word.append(c)
                i += 1
        words.append((begin, "".join(word)))
    return words


def _pairs(
    keyword: str, logical: str, words: list[tuple[int, str]]
) -> Iterator[tuple[str, int, str | None]]:
    """(name, offset of the name, value or None) for each variable of the instruction."""
    if not words:
        return
    first_at, first = words[0]
    if keyword == "ENV" and "=" not in first:
        # Legacy form: ENV NAME value with spaces
        rest = logical[first_at + len(logical[first_at:].split(None, 1)[0]) :].strip()
        yield first, first_at, _unquote(rest)
        return
    for at, word in words:
        name, eq, value = word.partition("=")
        yield name, at, (value if eq else None)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
