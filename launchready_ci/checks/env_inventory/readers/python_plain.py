"""Python files whose every environment read is plain, read without :mod:`ast`.

Most Python files that read the environment do it only as ``os.environ["X"]``,
``os.environ.get("X", ...)`` (``.pop``, ``.setdefault``) and ``os.getenv("X", ...)``
with the name written out. Parsing such a file costs far more than finding those reads,
so :func:`uses` finds them with regular expressions when it can prove that they are all
the file holds, and returns None when it cannot (then the Python reader parses).

The proof: the file's strings and comments are located first (a small lexer: quotes,
prefixes, triple quotes, ``#``). Every marker of the Python reader that occurs as a
whole name outside a plain string or comment must then be ``environ`` or ``getenv``
right after ``os.`` (so no ``from os import environ``, no aliases, no library readers,
no pydantic-settings) and be either one of the reads above with a plain string
literal and nothing but whitespace around it, or a use that reads no name
(``os.environ.copy()``, ``dict(os.environ)``, ``**os.environ``). Anything else sends
the file to :mod:`ast`: an f-string holding a marker, a name that is an expression
(a helper's parameter, an f-string: DYNAMIC uses), ``"X" in os.environ``, a read on a
line that also assigns (``os.environ["X"] = v`` is a write; ``f(os.environ["X"],
k=v)`` goes to ast too), ``del``/``for``/``with`` lines, a parenthesised assignment
target anywhere in the file, ``\\r`` line ends, a byte-order mark, and what is not
Python 3 (a ``print`` statement, ``except E, e:``, a backtick) or is a template
(``{{``, ``{%``), which ast does not parse (no uses, as before).

Uses and positions are those the ast reader gives (tests compare the two on the rule
cases, fixtures and example app; the benchmarks on real repositories). One difference:
a file in syntax newer than this Python's (``type X = int``) whose reads are plain is
read here, where :mod:`ast` would give nothing.
"""

from __future__ import annotations

import bisect
import re

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind

__all__ = ["uses"]

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_PREFIX_CHARS = frozenset("rRbBuUfF")
_TOKEN = re.compile(r"[#'\"]")
_ENDS = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""', re.S),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*'''", re.S),
    # an unterminated one ends with its line (a backslash continues it)
    '"': re.compile(r'(?:[^"\\\n]|\\.)*(?:"|$)', re.S | re.M),
    "'": re.compile(r"(?:[^'\\\n]|\\.)*(?:'|$)", re.S | re.M),
}
#: Reads with the name written out, from just after ``os.``: the name is group 2.
_SUBSCRIPT = re.compile(r"""environ\[\s*(["'])([^"'\\\n]*)\1\s*\]""")
_CALL = re.compile(
    r"""(?:environ\.(?:get|pop|setdefault)|getenv)\(\s*(["'])([^"'\\\n]*)\1\s*[,)]"""
)
#: What may follow ``os.environ`` that reads no name.
_NO_READ = re.compile(r"environ(?:[),}]|\.(?:copy|items|keys|values|update|clear)\()")
_ASSIGNS = re.compile(r"(?<![=!<>])=(?!=)")
_STATEMENT = re.compile(r"\b(?:del|for|with|as)\b")
_TUPLE_TARGET = re.compile(r"\)\s*=(?!=)")
_IN = re.compile(r"(?<![A-Za-z0-9_])in$")
#: A statement that is not Python 3 (``print x``, ``exec "code"``, ``except E, e:``):
#: the word at a line's start, then what follows it. (Searched for by the word: a regex
#: anchored at ``^`` is tried at every character, many times slower.)
_NOT_PYTHON3 = (
    ("print", re.compile(r"[ \t]+[^\s(=]")),
    ("exec", re.compile(r"[ \t]+[\"']")),
    ("except", re.compile(r"[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:")),
)
_TEMPLATE_OR_PY2 = ("`", "{%", "{{")  # outside strings and comments


def uses(text: str, path: str, markers: tuple[str, ...]) -> list[Use] | None:
    """The uses of a file whose reads are all plain (see the module), in source order;
    None when the file needs :mod:`ast`."""
    if "\r" in text or "\0" in text or text.startswith("\ufeff") or _python2(text):
        return None
    spans = _spans(text)
    if spans is None:
        return None
    starts = [s for s, _, _ in spans]
    for needle in _TEMPLATE_OR_PY2:
        at = text.find(needle)
        while at >= 0:
            i = bisect.bisect_right(starts, at) - 1
            if i < 0 or at >= spans[i][1]:
                return None
            at = text.find(needle, at + 1)
    line_starts: list[int] | None = None
    tuple_target: bool | None = None
    found: list[Use] = []
    for at, marker in _occurrences(text, markers):
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and at < spans[i][1]:
            if spans[i][2] == "f":
                return None  # an f-string can hold code
            continue  # a comment or plain string: nothing ast would see
        if marker not in ("environ", "getenv") or text[at - 3 : at] != "os.":
            return None
        if at > 3 and (text[at - 4] in _NAME_CHARS or text[at - 4] == "."):
            return None  # `self.os.environ`, `myos.environ`
        subscript = _SUBSCRIPT.match(text, at)
        read = subscript or _CALL.match(text, at)
        if read is None:
            if (
                marker == "environ"
                and _NO_READ.match(text, at)
                and _after_in(text, at - 3) is False
            ):
                continue
            return None
        if subscript is not None:
            line_end = text.find("\n", read.end())
            rest = text[read.end() : len(text) if line_end < 0 else line_end]
            line_start = text.rfind("\n", 0, at) + 1
            if (
                _ASSIGNS.search(rest)
                or rest.rstrip().endswith("\\")
                or _STATEMENT.search(text[line_start:at])
            ):
                return None  # maybe a write, a `del` or a loop target: ast tells
            if tuple_target is None:
                tuple_target = _TUPLE_TARGET.search(text) is not None
            if tuple_target:
                return None
        name = read.group(2)
        if not NAME_PATTERN.fullmatch(name):
            continue
        if line_starts is None:
            line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        offset = read.start(1)
        line = bisect.bisect_right(line_starts, offset)
        found.append(Use(name, path, line, offset - line_starts[line - 1] + 1, UseKind.READ))
    found.sort(key=lambda u: (u.line, u.column))
    return found


def _python2(text: str) -> bool:
    """Whether a line starts with a statement that is not Python 3."""
    for word, tail in _NOT_PYTHON3:
        at = text.find(word)
        while at >= 0:
            line_start = text.rfind("\n", 0, at) + 1
            if not text[line_start:at].strip(" \t") and tail.match(text, at + len(word)):
                return True
            at = text.find(word, at + 1)
    return False


def _occurrences(text: str, markers: tuple[str, ...]) -> list[tuple[int, str]]:
    """Where each marker occurs as a whole name, in order."""
    out: list[tuple[int, str]] = []
    size = len(text)
    for marker in markers:
        start = text.find(marker)
        while start >= 0:
            end = start + len(marker)
            if (start == 0 or text[start - 1] not in _NAME_CHARS) and (
                end == size or text[end] not in _NAME_CHARS
            ):
                out.append((start, marker))
            start = text.find(marker, end)
    out.sort()
    return out


def _after_in(text: str, at: int) -> bool | None:
    """Whether the code before ``at`` ends with the operator ``in`` (``"X" in
    os.environ``: a read); None when a comment or line continuation is in the way."""
    j = at
    while j > 0 and text[j - 1] in " \t\n(":
        j -= 1
    if j > 0 and text[j - 1] in "\\#":
        return None
    before = text[max(0, j - 3) : j]
    if "#" in text[text.rfind("\n", 0, j) + 1 : j]:
        return None  # the line holds a comment or a quoted #: let ast tell
    return _IN.search(before) is not None


def _spans(text: str) -> list[tuple[int, int, str]] | None:
    """``(start, end, kind)`` of each comment (``c``), string (``s``) and f-string
    (``f``), in order; a string's span includes its prefix and quotes. None when a
    string never ends (ast tells what that file is)."""
    out: list[tuple[int, int, str]] = []
    size = len(text)
    i = 0
    while True:
        m = _TOKEN.search(text, i)
        if m is None:
            return out
        s = m.start()
        if text[s] == "#":
            e = text.find("\n", s)
            e = size if e < 0 else e
            out.append((s, e, "c"))
            i = e
            continue
        j = s
        while j > 0 and s - j < 2 and text[j - 1] in _PREFIX_CHARS:
            j -= 1
        if j > 0 and text[j - 1] in _NAME_CHARS:
            j = s  # the letters end a name (`if"x"`), not a prefix
        quote = text[s : s + 3] if text[s : s + 3] in ('"""', "'''") else text[s]
        end = _ENDS[quote].match(text, s + len(quote))
        if end is None:
            return None
        e = end.end()
        out.append((j, e, "f" if "f" in text[j:s].lower() else "s"))
        i = max(e, s + 1)
