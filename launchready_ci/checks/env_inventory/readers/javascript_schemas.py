"""JavaScript and TypeScript env schemas: the variables a schema library reads for the app.

- t3-env: ``createEnv({ server: {...}, client: {...}, shared: {...}, runtimeEnv })``:
  every key of ``server``, ``client`` and ``shared`` is a variable, unless
  ``runtimeEnv``/``experimental__runtimeEnv`` maps the key to another one
  (``AUTH_DEFAULT_TEAM_ID: process.env.AUTH_SSO_DEFAULT_TEAM_ID``: the variable read is
  the other one, found as a plain ``process.env`` read);
- zod: ``schema.parse(process.env)`` / ``safeParse`` (also ``import.meta.env``) where
  ``schema`` is bound to ``z.object({...})`` in the same file (with ``.extend({...})``
  objects too), or ``z.object({...}).parse(process.env)`` written inline: every key;
- Vite: ``const env = loadEnv(mode, root, prefix)``; then ``env.X`` and ``env["X"]``.

Keys are read from the object literal's top level (identifiers or quoted names); a
spread (``...shared``) is not followed. Everything is matched on the text that
:func:`.javascript.mask` leaves, so comments do not count.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._scan import closing, value_end

__all__ = ["MARKERS", "uses"]

MARKERS = ("createEnv", "parse(process.env", "parse(import.meta.env", "loadEnv")

_CREATE_ENV = re.compile(r"createEnv\s*\(\s*\{")
_PARSE = re.compile(
    r"\.\s*(?:safeParse|parse|parseAsync|safeParseAsync)\s*\(\s*"
    r"(?:process\s*\.\s*env|import\s*\.\s*meta\s*\.\s*env)\s*\)"
)
_LOAD_ENV = re.compile(r"(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*loadEnv\s*\(")
_KEY = re.compile(
    r"\s*(?:(?P<q>[\"'])(?P<quoted>[^\"'\n]*)(?P=q)|(?P<ident>[A-Za-z_$][\w$]*))\s*\??\s*:"
)
_RUNTIME_VALUE = re.compile(
    r"\s*(?:process|import\s*\.\s*meta)\s*\.\s*env\s*(?:\.\s*(?P<a>[A-Za-z_$][\w$]*)"
    r"|\[\s*[\"'](?P<b>[^\"'\n]*)[\"']\s*\])\s*"
)


def uses(text: str, masked: str, path: str) -> Iterator[Use]:
    if not any(marker in masked for marker in MARKERS):
        return
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def use(name: str, offset: int) -> Use | None:
        if not NAME_PATTERN.fullmatch(name):
            return None
        line = bisect.bisect_right(starts, offset)
        return Use(name, path, line, offset - starts[line - 1] + 1, UseKind.READ)

    found: list[Use] = []
    for m in _CREATE_ENV.finditer(masked):
        found.extend(u for u in _create_env(masked, m.end() - 1, use) if u)
    for m in _PARSE.finditer(masked):
        for brace in _schema_objects(masked, m.start()):
            found.extend(u for u in (use(k, at) for k, at, _ in _keys(masked, brace)) if u)
    for m in _LOAD_ENV.finditer(masked):
        name = re.escape(m.group("name"))
        access = re.compile(
            rf"(?<![\w$.]){name}\s*(?:\?\.|\.)\s*(?P<a>[A-Za-z_$][\w$]*)"
            rf"|(?<![\w$.]){name}\s*\[\s*[\"'](?P<b>[^\"'\n]*)[\"']\s*\]"
        )
        for a in access.finditer(masked, m.end()):
            group = "a" if a.group("a") is not None else "b"
            u = use(a.group(group), a.start(group))
            if u:
                found.append(u)
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _create_env(
    masked: str, brace: int, use: Callable[[str, int], Use | None]
) -> Iterator[Use | None]:
    sections = {key: value for key, _, value in _keys(masked, brace)}
    renamed: set[str] = set()
    for runtime in ("runtimeEnv", "experimental__runtimeEnv"):
        start = sections.get(runtime)
        if start is None or masked[start] != "{":
            continue
        for key, _, value in _keys(masked, start):
            m = _RUNTIME_VALUE.match(masked, value, value_end(masked, value))
            target = (m.group("a") or m.group("b")) if m else None
            if target is not None and target != key:
                renamed.add(key)
    for section in ("server", "client", "shared"):
        start = sections.get(section)
        if start is None or masked[start] != "{":
            continue
        for key, at, _ in _keys(masked, start):
            if key not in renamed:
                yield use(key, at)


def _keys(masked: str, brace: int) -> Iterator[tuple[str, int, int]]:
    """(key, offset of the key, offset of its value) of an object literal's top level."""
    end = closing(masked, brace)
    end = len(masked) if end < 0 else end
    i = brace + 1
    while i < end:
        m = _KEY.match(masked, i, end)
        if m is None:
            i = value_end(masked, i) + 1  # a spread, a method, a shorthand: skip it
            continue
        group = "ident" if m.group("ident") is not None else "quoted"
        value = m.end()
        while value < end and masked[value].isspace():
            value += 1
        yield m.group(group), m.start(group), value
        i = value_end(masked, value) + 1


def _schema_objects(masked: str, parse_at: int) -> list[int]:
    """The ``{`` of every ``z.object({``/``.extend({`` of the schema ``.parse`` is called on."""
    before = masked[:parse_at].rstrip()
    if before.endswith(")"):  # z.object({...}).parse(process.env)
        depth, i = 0, len(before) - 1
        while i >= 0:
            if before[i] == ")":
                depth += 1
            elif before[i] == "(":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        head = before[max(0, i - 40) : i]
        if re.search(r"z\s*\.\s*object\s*$|\.\s*extend\s*$", head) and before[
            i + 1 :
        ].lstrip().startswith("{"):
            return [i + 1 + (len(before[i + 1 :]) - len(before[i + 1 :].lstrip()))]
        return []
    m = re.search(r"([A-Za-z_$][\w$]*)\s*$", before)
    if m is None:
        return []
    name = re.escape(m.group(1))
    decl = None
    for d in re.finditer(rf"(?:const|let|var)\s+{name}\s*(?::[^=]+)?=\s*", masked[:parse_at]):
        decl = d
    if decl is None:
        return []
    end = _statement(masked, decl.end())
    objects = re.finditer(r"(?:z\s*\.\s*object|\.\s*extend)\s*\(\s*\{", masked[decl.end() : end])
    return [decl.end() + o.end() - 1 for o in objects]


def _statement(masked: str, start: int) -> int:
    depth = 0
    for i in range(start, len(masked)):
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return i
        elif c == ";" and depth == 0:
            return i
        elif c == "\n" and depth == 0 and i > start and masked[start:i].strip():
            nxt = masked[i + 1 :].lstrip()[:1]
            if nxt != ".":
                return i
    return len(masked)
