"""Go: environment reads found by regular expressions over lexed code.

A small lexer blanks out ``//`` and ``/* */`` comments and notes where string text is
(interpreted ``"..."``, raw ```...```, runes); a match must start in code.

Seen: ``os.Getenv("X")`` and ``os.LookupEnv("X")`` with a literal name (also in
backquotes), and struct tags ``env:"X"`` of caarlos0/env and sethvargo/go-envconfig
(``Port int `env:"PORT" envDefault:"8080"```). Not seen: names computed at run time
(``os.Getenv(prefix + "_URL")``, ``os.Getenv(name)``), ``os`` imported under another
name, prefixes set by ``envPrefix`` or ``env.Options``, kelseyhightower/envconfig
(names derived from field names), viper, and ``os.Environ()`` loops. A file that
mentions neither ``os.Getenv``, ``os.LookupEnv`` nor ``env:"`` is not lexed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._values import LineIndex

__all__ = ["read"]

_MARKERS = ("os.Getenv", "os.LookupEnv", 'env:"')
_CALL = re.compile(
    r"(?<![\w.])os\s*\.\s*(?:Getenv|LookupEnv)\s*\(\s*"
    r"(?:\"(?P<a>[A-Za-z_][A-Za-z0-9_]*)\"|`(?P<b>[A-Za-z_][A-Za-z0-9_]*)`)\s*\)"
)
_TAG = re.compile(r"(?:^|[\s`])env:\"(?P<name>[A-Za-z_][A-Za-z0-9_]*)[\",]")


def read(text: str, path: str) -> Iterator[Use]:
    if not any(marker in text for marker in _MARKERS):
        return
    masked, strings, raws = _mask(text)
    index = LineIndex(text)
    starts = [s for s, _ in strings]
    found: list[Use] = []

    def add(name: str, offset: int) -> None:
        if NAME_PATTERN.fullmatch(name):
            line, column = index.position(offset)
            found.append(Use(name, path, line, column, UseKind.READ))

    for m in _CALL.finditer(masked):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and strings[i][0] <= m.start() < strings[i][1]:
            continue
        group = "a" if m.group("a") is not None else "b"
        add(m.group(group), m.start(group))
    for start, end in raws:
        tag = text[start:end]
        if 'env:"' in tag:
            for t in _TAG.finditer(tag):
                add(t.group("name"), start + t.start("name"))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _mask(text: str) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Comments blanked (newlines kept); spans of all string text, and of raw strings."""
    out = list(text)
    strings: list[tuple[int, int]] = []
    raws: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif c == "`":
            end = text.find("`", i + 1)
            end = n if end < 0 else end
            strings.append((i + 1, end))
            raws.append((i + 1, end))
            i = end + 1
            continue
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] not in (c, "\n"):
                j += 2 if text[j] == "\\" else 1
            strings.append((i + 1, min(j, n)))
            i = j + 1
            continue
        else:
            i += 1
            continue
        for k in range(i, end):
            if out[k] != "\n":
                out[k] = " "
        i = end
    return "".join(out), strings, raws
