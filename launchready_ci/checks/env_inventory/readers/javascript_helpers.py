"""JavaScript and TypeScript helper wrappers (see :mod:`.helpers`), found by regular
expressions over the text that :func:`.javascript.mask` leaves (comments blanked).

A helper is a function declaration (``function requireEnv(name) {...}``), or a
``const``/``let`` bound to an arrow function or function expression (``export const env
= <K extends EnvKey>(variable: K) => ... process?.env?.[variable]``), one of whose
parameters is used as ``process.env[p]`` (also ``?.``, ``Bun.env``, ``import.meta.env``),
``Deno.env.get(p)`` or passed to a helper already known. A call gives a use when the
argument at the parameter's position is a string literal (or a template with ``${}``:
a DYNAMIC use), where the helper is in scope: defined in the file, or imported by name
(``import { env } from '../utils/env'``, ``const { env } = require(...)``) from a module
whose last path part is the defining file's name.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._scan import arguments, closing
from launchready_ci.checks.env_inventory.readers.helpers import Helper, module_name

__all__ = ["calls", "helpers"]

_FUNCTION = re.compile(
    r"function\s*\*?\s*(?P<name>[A-Za-z_$][\w$]*)\s*(?:<(?:[^<>]|<[^<>]*>)*>\s*)?\("
)
_BOUND = re.compile(
    r"(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=;]{0,200}?)?=\s*(?:async\s+)?"
    r"(?:function\s*\*?\s*(?:[A-Za-z_$][\w$]*)?\s*)?(?:<(?:[^<>]|<[^<>]*>)*>\s*)?\("
)
_IMPORT = re.compile(
    r"import\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{(?P<names>[^}]*)\}\s*from\s*['\"](?P<src>[^'\"]+)['\"]"
)
_REQUIRE = re.compile(
    r"(?:const|let|var)\s*\{(?P<names>[^}]*)\}\s*=\s*require\s*\(\s*['\"](?P<src>[^'\"]+)['\"]\s*\)"
)
_IDENT = re.compile(r"\s*(?:\.\.\.)?\s*([A-Za-z_$][\w$]*)")
_STRING = re.compile(r"""\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)'|`([^`\\]*)`)\s*(?:as\s+[\w$.]+\s*)?""")
_HOLE = re.compile(r"\$\{([^{}]*)\}")


def helpers(text: str, masked: str, path: str, known: Mapping[str, Helper]) -> list[Helper]:
    """The functions of this file that read the variable a parameter names."""
    definitions = list(_definitions(masked))
    if not definitions:
        return []
    found: dict[str, Helper] = {}
    changed = True
    while changed:
        changed = False
        scope = {**_bound(masked, path, known), **found}
        for name, params, body in definitions:
            if name in found:
                continue
            for index, param in enumerate(params):
                if _reads(masked[body[0] : body[1]], param, scope):
                    found[name] = Helper(name, index, param, path, "javascript")
                    changed = True
                    break
    return list(found.values())


def calls(
    text: str,
    masked: str,
    strings: list[tuple[int, int]],
    path: str,
    helpers_: Mapping[str, Helper],
) -> Iterator[Use]:
    scope = _bound(masked, path, helpers_)
    if not scope:
        return
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    string_starts = [s for s, _ in strings]

    def in_string(offset: int) -> bool:
        i = bisect.bisect_right(string_starts, offset) - 1
        return i >= 0 and strings[i][0] <= offset < strings[i][1]

    found: list[Use] = []
    for local, helper in scope.items():
        pattern = re.compile(
            rf"(?<![\w$.]){re.escape(local)}\s*(?:<(?:[^<>()]|<[^<>()]*>)*>)?\s*\("
        )
        for m in pattern.finditer(masked):
            if in_string(m.start()):
                continue
            args = arguments(masked, m.end())
            if helper.index >= len(args):
                continue
            start, end = args[helper.index]
            literal = _STRING.fullmatch(text[start:end])
            if literal is None:
                continue
            offset = start + (len(text[start:end]) - len(text[start:end].lstrip()))
            line = bisect.bisect_right(starts, offset)
            column = offset - starts[line - 1] + 1
            if literal.group(3) is not None and "${" in literal.group(3):
                body = literal.group(3)
                if _HOLE.sub("", body):
                    name = _HOLE.sub(lambda h: "{" + h.group(1).strip() + "}", body)
                    found.append(Use(name, path, line, column, UseKind.DYNAMIC))
                continue
            name = next(g for g in literal.groups() if g is not None)
            if NAME_PATTERN.fullmatch(name):
                found.append(Use(name, path, line, column, UseKind.READ))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _definitions(masked: str) -> Iterator[tuple[str, list[str], tuple[int, int]]]:
    """(name, parameter names, body span) of each function declaration or bound function."""
    for regex in (_FUNCTION, _BOUND):
        for m in regex.finditer(masked):
            if m.start() > 0 and (masked[m.start() - 1].isalnum() or masked[m.start() - 1] in "_$"):
                continue
            close = closing(masked, m.end() - 1, "(", ")")
            if close < 0:
                continue
            params = [
                p.group(1)
                for part in _split(masked[m.end() : close])
                if (p := _IDENT.match(part)) is not None
            ]
            body = _body(masked, close + 1)
            if params and body is not None:
                yield m.group("name"), params, body


def _body(masked: str, after: int) -> tuple[int, int] | None:
    """The span of a function body after its parameter list: a ``{...}`` block, or an
    arrow's expression up to the end of the statement."""
    arrow = masked.find("=>", after, after + 400)
    brace = masked.find("{", after, after + 400)
    if arrow >= 0 and (brace < 0 or arrow < brace or _only_type(masked[after:arrow])):
        start = arrow + 2
        rest = masked[start:].lstrip()
        start = len(masked) - len(rest)
        if rest.startswith("{"):
            end = closing(masked, start)
            return (start, end) if end > 0 else None
        end = _statement_end(masked, start)
        return start, end
    if brace >= 0:
        end = closing(masked, brace)
        return (brace, end) if end > 0 else None
    return None


def _only_type(text: str) -> bool:
    """A return type annotation between ``)`` and ``=>`` (``: Promise<{ a: string }>``)."""
    return text.strip().startswith(":")


def _statement_end(masked: str, start: int) -> int:
    depth = 0
    for i in range(start, len(masked)):
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif c == ";" and depth == 0:
            return i
        elif (
            c == "\n"
            and depth == 0
            and not masked[start:i].rstrip().endswith(("?", ":", "&&", "||", "??", "("))
        ):
            nxt = masked[i + 1 :].lstrip()[:2]
            if not nxt.startswith(("?", ":", "&&", "||", "??", ".", ")")):
                return i
    return len(masked)


def _split(params: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(params):
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            out.append(params[start:i])
            start = i + 1
    out.append(params[start:])
    return [p for p in out if p.strip()]


def _reads(body: str, param: str, scope: Mapping[str, Helper]) -> bool:
    if param not in body:
        return False  # both tests below need the parameter's name written in the body
    p = re.escape(param)
    if "env" in body and _reads_env(body, p):
        return True
    for local, helper in scope.items():
        for m in re.finditer(rf"(?<![\w$.]){re.escape(local)}\s*(?:<[^()]*?>)?\s*\(", body):
            args = arguments(body, m.end())
            if helper.index < len(args):
                s, e = args[helper.index]
                if re.fullmatch(rf"\s*{p}\s*(?:as\s+[\w$.]+\s*)?", body[s:e]):
                    return True
    return False


def _reads_env(body: str, p: str) -> bool:
    """Whether ``body`` reads the environment variable the parameter (``p``, escaped) names."""
    direct = re.compile(
        rf"(?:(?:process|Bun)\s*\??\.\s*env|import\s*\.\s*meta\s*\??\.\s*env)\s*(?:\?\.)?\s*"
        rf"\[\s*{p}\s*(?:as\s+[\w$.]+\s*)?\](?!\s*(?:=(?!=)|\+\+|--|[-+*/|&?]=))"
        rf"|Deno\s*\.\s*env\s*\.\s*get\s*\(\s*{p}\s*\)"
    )
    for m in direct.finditer(body):
        if not body[max(0, m.start() - 8) : m.start()].rstrip().endswith("delete"):
            return True  # a read: not `process.env[p] = v` nor `delete process.env[p]`
    return False


def _bound(masked: str, path: str, helpers_: Mapping[str, Helper]) -> dict[str, Helper]:
    """Local name -> helper, for the helpers in scope in this file."""
    out = {h.name: h for h in helpers_.values() if h.path == path and h.language == "javascript"}
    if not helpers_:
        return out
    for regex in (_IMPORT, _REQUIRE):
        for m in regex.finditer(masked):
            source = module_name(m.group("src").split("?")[0] + "")
            for part in m.group("names").split(","):
                bits = re.split(r"\s+as\s+|\s*:\s*", part.strip())
                if not bits or not bits[0]:
                    continue
                helper = helpers_.get(bits[0].removeprefix("type "))
                if (
                    helper is not None
                    and helper.language == "javascript"
                    and helper.module == source
                ):
                    out[bits[-1].strip()] = helper
    return out
