"""JavaScript and TypeScript: environment reads found by regular expressions.

There is no parser here, so the reader first blanks out comments and notes where string
and template-literal text is (a small lexer that knows quotes, template ``${...}`` and,
by the usual heuristic, regular-expression literals). Matches inside comments or string
text are dropped.

Seen: ``process.env.X``, ``process.env["X"]``, ``import.meta.env.X``,
``import.meta.env["X"]``, ``Bun.env.X`` (each also with ``?.``), destructuring
``const { X, Y: y, Z = "d" } = process.env`` and Deno's ``Deno.env.get("X")`` and
``Deno.env.has("X")``. Not seen: names computed at run time (``process.env[key]``,
``Deno.env.get(key)``), ``const env = process.env; env.X``, ``Deno.env.toObject()``, and
framework config that reads variables for you. Vite's built-ins
(``import.meta.env.MODE``, ``DEV``, ``PROD``, ``SSR``, ``BASE_URL``) are not variables
and are skipped. A file where no ``process.env``-like text occurs is not lexed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers import javascript_schemas

__all__ = ["MARKERS", "SUFFIXES", "mask", "read"]

SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")

#: Text a file that reads the environment contains (``git grep -F`` prefilter).
MARKERS = (
    "process.env",
    "process?.env",
    "meta.env",
    "Bun.env",
    "Deno.env",
    *javascript_schemas.MARKERS,
)

_VITE_BUILTINS = frozenset({"MODE", "BASE_URL", "PROD", "DEV", "SSR"})

# No pattern starts with \b: it stops the regex engine from skipping ahead to a literal,
# which is many times slower on large files; the character before a match is tested
# instead (see _boundary).
_ENV = (
    r"(?P<base>(?:process|Bun)\s*(?:\?\.|\.)\s*env"
    r"|import\s*\.\s*meta\s*(?:\?\.|\.)\s*env)"
)
_MEMBER = re.compile(
    _ENV
    + r"\s*(?:"
    + r"(?:\?\.|\.)\s*(?P<ident>[A-Za-z_$][\w$]*)"
    + r"|(?:\?\.)?\s*\[\s*(?P<q>[\"'`])(?P<quoted>[^\"'`\\\n]*)(?P=q)\s*\]"
    + r")"
)
_DESTRUCTURE = re.compile(
    r"\{(?P<body>[^{}]*)\}\s*(?::\s*[\w$.<>\[\]]+\s*)?=\s*" + _ENV + r"(?!\s*(?:\?\.|\.|\[))"
)
_DENO = re.compile(
    r"Deno\s*\.\s*env\s*\.\s*(?:get|has)\s*\(\s*(?P<q>[\"'`])(?P<quoted>[^\"'`\\\n]*)(?P=q)\s*\)"
)
_PROPERTY = re.compile(
    r"\s*(?:(?P<q>[\"'])(?P<quoted>[^\"'\n]*)(?P=q)|(?P<ident>[A-Za-z_$][\w$]*))"
)

# A "/" after one of these (or at the start) begins a regex literal, else it divides.
# "<" and ">" are left out: after them a "/" is far more often JSX (``</p>``, ``/>``).
_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%~^")
_SPECIAL = re.compile(r"[/'\"`{}]")
_QUICK = re.compile(r"(?:process|meta|Bun|Deno)\s*(?:\?\.|\.)\s*env\b")
#: ``process.env[`${prefix}_URL`]``, ``process.env[prefix + "_URL"]``: a computed name.
_COMPUTED = re.compile(_ENV + r"\s*(?:\?\.)?\s*\[(?P<expr>[^\]\n]*)\]")
_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.")


def read(text: str, path: str) -> Iterator[Use]:
    schemas = any(marker in text for marker in javascript_schemas.MARKERS)
    if not schemas and ("env" not in text or _QUICK.search(text) is None):
        return  # no process.env, import.meta.env, Bun.env or Deno.env: nothing to lex
    masked, strings = mask(text)
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    string_starts = [s for s, _ in strings]

    def in_string(offset: int) -> bool:
        i = bisect.bisect_right(string_starts, offset) - 1
        return i >= 0 and strings[i][0] <= offset < strings[i][1]

    def use(name: str, offset: int, base: str) -> Use | None:
        if not NAME_PATTERN.fullmatch(name):
            return None
        if base.startswith("import") and name in _VITE_BUILTINS:
            return None
        line = bisect.bisect_right(starts, offset)
        return Use(name, path, line, offset - starts[line - 1] + 1, UseKind.READ)

    found: list[Use] = []
    for m in _MEMBER.finditer(masked):
        if in_string(m.start()) or not _boundary(masked, m.start()):
            continue
        group = "ident" if m.group("ident") is not None else "quoted"
        u = use(m.group(group), m.start(group), m.group("base"))
        if u is not None:
            found.append(u)
    for m in _DENO.finditer(masked):
        if not in_string(m.start()) and _boundary(masked, m.start()):
            u = use(m.group("quoted"), m.start("quoted"), "Deno")
            if u is not None:
                found.append(u)
    for m in _COMPUTED.finditer(masked):
        if in_string(m.start()) or not _boundary(masked, m.start()):
            continue
        pattern = dynamic_pattern(text[m.start("expr") : m.end("expr")])
        if pattern is not None:
            line = bisect.bisect_right(starts, m.start("expr"))
            column = m.start("expr") - starts[line - 1] + 1
            found.append(Use(pattern, path, line, column, UseKind.DYNAMIC))
    for m in _DESTRUCTURE.finditer(masked):
        if in_string(m.start("base")):
            continue
        for offset, part in _split_properties(m.group("body"), m.start("body")):
            p = _PROPERTY.match(part)
            if p is not None:
                group = "ident" if p.group("ident") is not None else "quoted"
                u = use(p.group(group), offset + p.start(group), m.group("base"))
                if u is not None:
                    found.append(u)
    if schemas:
        found.extend(javascript_schemas.uses(text, masked, path))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _boundary(masked: str, offset: int) -> bool:
    """Whether the match at ``offset`` starts a name (``process``, not ``myprocess``)."""
    return offset == 0 or masked[offset - 1] not in _IDENT_CHARS


_TEMPLATE_HOLE = re.compile(r"\$\{([^{}]*)\}")
_QUOTED = re.compile(r"""\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')\s*""")


def dynamic_pattern(expr: str) -> str | None:
    """A computed name as written, when it has a literal part: `` `${p}_URL` `` ->
    ``{p}_URL``, ``p + "_URL"`` -> ``{p}_URL``; else None."""
    expr = expr.strip()
    if len(expr) >= 2 and expr[0] == expr[-1] == "`":
        body = expr[1:-1]
        if "${" not in body:
            return None  # a plain template: a literal name, read by _MEMBER
        literal = _TEMPLATE_HOLE.sub("", body)
        return (
            _TEMPLATE_HOLE.sub(lambda m: "{" + m.group(1).strip() + "}", body) if literal else None
        )
    if "+" not in expr:
        return None
    parts = []
    has_literal = False
    for part in expr.split("+"):
        q = _QUOTED.fullmatch(part)
        if q is not None:
            parts.append(q.group(1) if q.group(1) is not None else q.group(2))
            has_literal = True
        elif re.fullmatch(r"\s*[\w$.]+\s*", part):
            parts.append("{" + part.strip() + "}")
        else:
            return None
    return "".join(parts) if has_literal else None


def _split_properties(body: str, offset: int) -> Iterator[tuple[int, str]]:
    """Split a destructuring pattern at top-level commas (not those of a default value
    such as ``X = f(a, b)``); yield each part with its offset in the file."""
    depth = 0
    start = 0
    for k, c in enumerate(body):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            yield offset + start, body[start:k]
            start = k + 1
    yield offset + start, body[start:]


def mask(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with comments blanked (newlines kept, so offsets stay valid), and the
    ``(start, end)`` spans of string, template-literal and regex text, in order."""
    lexer = _Lexer(text)
    lexer.run()
    return "".join(lexer.out), lexer.strings


class _Lexer:
    """Just enough of a JavaScript lexer to tell code from comments and string text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.out = list(text)
        self.strings: list[tuple[int, int]] = []
        self.braces: list[int] = []  # open-brace depth inside each enclosing ``${``
        self.last = ""  # last significant character of code, for the regex heuristic

    def run(self) -> None:
        text, n, i = self.text, self.n, 0
        while i < n:
            # Jump over plain code to the next character that can change the state.
            m = _SPECIAL.search(text, i)
            j = n if m is None else m.start()
            if j > i:
                skipped = text[i:j].rstrip()
                if skipped:
                    self.last = skipped[-1]
                i = j
                if i >= n:
                    break
            c = text[i]
            nxt = text[i + 1] if i + 1 < n else ""
            if c == "/" and nxt in ("/", "*"):
                i = self.comment(i, nxt == "*")
            elif c in "'\"":
                i = self.string(i, c)
            elif c == "`":
                i = self.template(i + 1)
            elif c == "/" and (self.last == "" or self.last in _REGEX_AFTER):
                i = self.regex(i)
            elif c == "}" and self.braces and self.braces[-1] == 0:
                self.braces.pop()
                i = self.template(i + 1)
            else:
                if self.braces and c == "{":
                    self.braces[-1] += 1
                elif self.braces and c == "}":
                    self.braces[-1] -= 1
                if not c.isspace():
                    self.last = c
                i += 1

    def comment(self, start: int, block: bool) -> int:
        if block:
            end = self.text.find("*/", start + 2)
            end = self.n if end < 0 else end + 2
        else:
            end = self.text.find("\n", start)
            end = self.n if end < 0 else end
        for k in range(start, end):
            if self.out[k] != "\n":
                self.out[k] = " "
        return end

    def string(self, start: int, quote: str) -> int:
        """A quoted string; it ends at its quote or, unterminated, at the line's end."""
        j = start + 1
        while j < self.n and self.text[j] not in (quote, "\n"):
            j += 2 if self.text[j] == "\\" else 1
        self.strings.append((start + 1, min(j, self.n)))
        self.last = quote
        return j + 1

    def template(self, start: int) -> int:
        """Template text from ``start`` up to its closing backtick or its next ``${``."""
        text, j = self.text, start
        self.last = "`"
        while j < self.n:
            c = text[j]
            if c == "\\":
                j += 2
            elif c == "`":
                self.strings.append((start, j))
                return j + 1
            elif c == "$" and text[j + 1 : j + 2] == "{":
                self.strings.append((start, j))
                self.braces.append(0)
                self.last = "{"
                return j + 2
            else:
                j += 1
        self.strings.append((start, self.n))
        return self.n

    def regex(self, start: int) -> int:
        """A regex literal (``/.../flags``), which never spans lines."""
        text, j, in_class = self.text, start + 1, False
        while j < self.n and text[j] != "\n":
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == "/" and not in_class:
                break
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            j += 1
        self.strings.append((start + 1, min(j, self.n)))
        self.last = "/"
        return j + 1
