"""Ruby: environment reads found by a regular expression over lexed code.

No Ruby parser is at hand, so a small lexer first blanks out comments (``# ...`` and
``=begin``/``=end`` blocks) and notes where string text is; ``#{...}`` inside a
double-quoted string is code again. A match must start in code.

Seen: ``ENV["X"]``, ``ENV['X']``, ``ENV.fetch("X")``, ``ENV.fetch("X", default)``,
``ENV.fetch("X") { ... }``, ``ENV.fetch "X"``, ``ENV.key?("X")`` (also ``has_key?``,
``include?``, ``member?``), in ``.rb``, ``.rake``, ``.ru``, ``.gemspec``, ``Gemfile``,
``Rakefile`` and ``Guardfile``, and inside the ``<% %>`` tags of ``.erb`` files and of
YAML files under a ``config/`` directory (Rails' ``database.yml``). Not seen: names
computed at run time (``ENV[name]``, ``ENV["#{prefix}_URL"]``), gems that read the
environment for you (dotenv, figaro, Rails credentials), heredoc and ``%q()`` text
(read as code, so a ``ENV["X"]`` written inside one is taken for a read). Assignments
(``ENV["X"] = ...``) are writes, not reads; ``ENV["X"] ||= ...`` is both.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._values import LineIndex

__all__ = ["ENV_MARKERS", "FILENAMES", "SUFFIXES", "read", "read_erb"]

SUFFIXES = (".rb", ".rake", ".ru", ".gemspec")
FILENAMES = ("Gemfile", "Rakefile", "Guardfile")
#: What a file must contain for this reader to find anything.
ENV_MARKERS = ("ENV",)

_READ = re.compile(
    r"(?<![\w$@.])ENV\s*(?:"
    r"\[\s*(?P<q1>[\"'])(?P<n1>[^\"'\\\n]*)(?P=q1)\s*\](?!\s*=(?![=~>]))"
    r"|\.\s*(?:fetch|key\?|has_key\?|include\?|member\?)\s*\(?\s*(?P<q2>[\"'])(?P<n2>[^\"'\\\n]*)(?P=q2)"
    r")"
)
_ERB_TAG = re.compile(r"<%(?!#)-?=?(.*?)-?%>", re.DOTALL)


def read(text: str, path: str) -> Iterator[Use]:
    if "ENV" not in text:
        return
    masked, strings = _mask(text)
    yield from _matches(text, masked, strings, path)


def read_erb(text: str, path: str) -> Iterator[Use]:
    """Ruby inside the ``<% %>`` tags of a template; the rest of the text is ignored."""
    if "ENV" not in text or "<%" not in text:
        return
    code = [c if c == "\n" else " " for c in text]
    for m in _ERB_TAG.finditer(text):
        code[m.start(1) : m.end(1)] = m.group(1)
    only_code = "".join(code)
    masked, strings = _mask(only_code)
    yield from _matches(text, masked, strings, path)


def _matches(text: str, masked: str, strings: list[tuple[int, int]], path: str) -> Iterator[Use]:
    index = LineIndex(text)
    starts = [s for s, _ in strings]
    for m in _READ.finditer(masked):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and strings[i][0] <= m.start() < strings[i][1]:
            continue  # "ENV['X']" written inside string text
        group = "n1" if m.group("n1") is not None else "n2"
        name = m.group(group)
        if NAME_PATTERN.fullmatch(name):
            line, column = index.position(m.start(group))
            yield Use(name, path, line, column, UseKind.READ)


def _mask(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with comments blanked (newlines kept) and the spans of string text."""
    out = list(text)
    strings: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    interpolation: list[tuple[str, int]] = []  # (quote, brace depth) of open #{...}
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and text.startswith("=begin", i):
            end = text.find("\n=end", i)
            end = n if end < 0 else end + 5
            _blank(out, i, end)
            i = end
            continue
        at_line_start = c == "\n"
        if c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            _blank(out, i, end)
            i = end
        elif c in "\"'`":
            i = _string(text, i + 1, c, strings, interpolation)
        elif interpolation and c == "{":
            quote, depth = interpolation[-1]
            interpolation[-1] = (quote, depth + 1)
            i += 1
        elif interpolation and c == "}":
            quote, depth = interpolation.pop()
            if depth:
                interpolation.append((quote, depth - 1))
                i += 1
            else:
                i = _string(text, i + 1, quote, strings, interpolation)
        else:
            i += 1
    return "".join(out), strings


def _string(
    text: str,
    start: int,
    quote: str,
    strings: list[tuple[int, int]],
    interpolation: list[tuple[str, int]],
) -> int:
    """String text from ``start`` to its closing quote, or to ``#{`` (then code)."""
    n = len(text)
    j = start
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif c == quote:
            strings.append((start, j))
            return j + 1
        elif c == "#" and quote != "'" and text.startswith("#{", j):
            strings.append((start, j))
            interpolation.append((quote, 0))
            return j + 2
        else:
            j += 1
    strings.append((start, n))
    return n


def _blank(out: list[str], start: int, end: int) -> None:
    for k in range(start, min(end, len(out))):
        if out[k] != "\n":
            out[k] = " "
