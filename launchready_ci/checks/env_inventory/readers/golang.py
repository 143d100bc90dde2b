"""Go: environment reads found by regular expressions over lexed code.

A small lexer blanks out ``//`` and ``/* */`` comments and notes where string text is
(interpreted ``"..."``, raw ```...```, runes); a match must start in code.

Seen: ``os.Getenv("X")`` and ``os.LookupEnv("X")`` with a literal name (also in
backquotes), struct tags ``env:"X"`` of caarlos0/env and sethvargo/go-envconfig
(``Port int `env:"PORT" envDefault:"8080"```), viper (``viper.BindEnv("key", "X")``, and
with ``viper.AutomaticEnv()`` every ``viper.GetString("key")``: ``SetEnvPrefix`` and a
``SetEnvKeyReplacer(strings.NewReplacer(".", "_"))`` applied), and helper functions
(``func getenvDefault(key, fallback string) string { ... os.Getenv(key) ... }``, see
:func:`helpers`). ``os.Getenv(prefix + "_URL")`` is a DYNAMIC use. kelseyhightower/envconfig
is read over the whole repository by :mod:`.go_envconfig`. Not seen: ``os`` imported
under another name, prefixes set by ``envPrefix`` or ``env.Options``, viper keys that
are not string literals, and ``os.Environ()`` loops. A file that mentions none of
:data:`MARKERS` is not lexed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._scan import arguments, closing
from launchready_ci.checks.env_inventory.readers._values import LineIndex
from launchready_ci.checks.env_inventory.readers.helpers import Helper

__all__ = ["MARKERS", "calls", "helpers", "read"]

MARKERS = ("os.Getenv", "os.LookupEnv", 'env:"', "viper", "kelseyhightower/envconfig")
# No pattern starts with a look-behind (it stops the engine from skipping to the
# literal); the character before a match is tested in code.
_CALL = re.compile(
    r"os\s*\.\s*(?:Getenv|LookupEnv)\s*\(\s*"
    r"(?:\"(?P<a>[A-Za-z_][A-Za-z0-9_]*)\"|`(?P<b>[A-Za-z_][A-Za-z0-9_]*)`"
    r"|(?P<expr>[^()\n]*\+[^()\n]*))\s*\)"
)
_FUNC = re.compile(r"func\s+(?P<name>[A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?\((?P<params>[^)]*)\)")
_VIPER = re.compile(
    r"viper\s*\.\s*(?P<fn>SetEnvPrefix|BindEnv|AutomaticEnv|SetEnvKeyReplacer|Get\w*|IsSet)"
    r"\s*\((?P<args>[^()]*(?:\([^()]*\)[^()]*)*)\)"
)
_LITERAL = re.compile(r'\s*(?:"([^"\\\n]*)"|`([^`]*)`)\s*')
_TAG = re.compile(r"(?:^|[\s`])env:\"(?P<name>[A-Za-z_][A-Za-z0-9_]*)[\",]")


def read(text: str, path: str) -> Iterator[Use]:
    if not any(marker in text for marker in MARKERS):
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
        if m.start() > 0 and (masked[m.start() - 1].isalnum() or masked[m.start() - 1] in "_."):
            continue
        if m.group("expr") is not None:
            pattern = _dynamic(text[m.start("expr") : m.end("expr")])
            if pattern is not None:
                line, column = index.position(m.start("expr"))
                found.append(Use(pattern, path, line, column, UseKind.DYNAMIC))
            continue
        group = "a" if m.group("a") is not None else "b"
        add(m.group(group), m.start(group))
    if "viper" in text:
        for name, offset in _viper(text, masked):
            add(name, offset)
    for start, end in raws:
        tag = text[start:end]
        if 'env:"' in tag:
            for t in _TAG.finditer(tag):
                add(t.group("name"), start + t.start("name"))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _dynamic(expr: str) -> str | None:
    """``prefix + "_URL"`` as ``{prefix}_URL``, when a literal part is in it."""
    parts, literal = [], False
    for part in expr.split("+"):
        q = _LITERAL.fullmatch(part)
        if q is not None:
            parts.append(q.group(1) if q.group(1) is not None else q.group(2))
            literal = True
        elif re.fullmatch(r"\s*[\w.]+\s*", part):
            parts.append("{" + part.strip() + "}")
        else:
            return None
    return "".join(parts) if literal else None


def _viper(text: str, masked: str) -> Iterator[tuple[str, int]]:
    """(variable, offset) of what viper reads from the environment in this file."""
    prefix, automatic, replace = "", False, False
    calls_: list[tuple[str, list[tuple[str, int]]]] = []
    for m in _VIPER.finditer(masked):
        args = [
            (q.group(1) if q.group(1) is not None else q.group(2), m.start("args") + q.start())
            for q in re.finditer(r'"([^"\\\n]*)"|`([^`]*)`', text[m.start("args") : m.end("args")])
        ]
        fn = m.group("fn")
        if fn == "SetEnvPrefix" and args:
            prefix = args[0][0].upper() + "_" if args[0][0] else ""
        elif fn == "AutomaticEnv":
            automatic = True
        elif fn == "SetEnvKeyReplacer":
            replace = True
        else:
            calls_.append((fn, args))

    def env_name(key: str) -> str:
        name = prefix + key.upper()
        return name.replace(".", "_").replace("-", "_") if replace else name

    for fn, args in calls_:
        if fn == "BindEnv" and args:
            if len(args) > 1:
                for name, offset in args[1:]:
                    yield name, offset + 1
            else:
                yield env_name(args[0][0]), args[0][1] + 1
        elif automatic and (fn.startswith("Get") or fn == "IsSet") and args:
            yield env_name(args[0][0]), args[0][1] + 1


def helpers(text: str, path: str, known: Mapping[str, Helper]) -> list[Helper]:
    """The functions of this file whose parameter reaches ``os.Getenv``/``os.LookupEnv``
    or a known helper (of the same package)."""
    if not any(m in text for m in ("os.Getenv", "os.LookupEnv")) and not any(
        name in text for name in known
    ):
        return []
    masked, _, _ = _mask(text)
    folder = path.rpartition("/")[0]
    found: dict[str, Helper] = {}
    changed = True
    while changed:
        changed = False
        scope = {
            **{
                h.name: h
                for h in known.values()
                if h.language == "go" and h.path.rpartition("/")[0] == folder
            },
            **found,
        }
        for m in _FUNC.finditer(masked):
            name = m.group("name")
            if name in found:
                continue
            params = _param_names(m.group("params"))
            brace = masked.find("{", m.end())
            if brace < 0:
                continue
            body = masked[brace : closing(masked, brace) + 1]
            for index, param in enumerate(params):
                p = re.escape(param)
                if re.search(rf"os\s*\.\s*(?:Getenv|LookupEnv)\s*\(\s*{p}\s*\)", body) or any(
                    _passes(body, local, h.index, param) for local, h in scope.items()
                ):
                    found[name] = Helper(name, index, param, path, "go")
                    changed = True
                    break
    return list(found.values())


def calls(text: str, path: str, helpers_: Mapping[str, Helper]) -> Iterator[Use]:
    """Calls of helpers of the same package (``f("X")``) or another (``pkg.F("X")``)."""
    folder = path.rpartition("/")[0]
    scope: dict[str, Helper] = {}
    for h in helpers_.values():
        if h.language != "go":
            continue
        home = h.path.rpartition("/")[0]
        if home == folder:
            scope[h.name] = h
        elif h.name[:1].isupper():
            scope[f"{home.rpartition('/')[2]}.{h.name}"] = h
    if not scope or not any(local.rpartition(".")[2] in text for local in scope):
        return
    masked, _, _ = _mask(text)
    index = LineIndex(text)
    found: list[Use] = []
    for local, helper in scope.items():
        callee = r"\s*\.\s*".join(re.escape(part) for part in local.split("."))
        pattern = re.compile(rf"(?<![\w.]){callee}\s*\(")
        for m in pattern.finditer(masked):
            args = arguments(masked, m.end())
            if helper.index >= len(args):
                continue
            start, end = args[helper.index]
            q = _LITERAL.fullmatch(text[start:end])
            if q is None:
                continue
            name = q.group(1) if q.group(1) is not None else q.group(2)
            offset = start + len(text[start:end]) - len(text[start:end].lstrip()) + 1
            if NAME_PATTERN.fullmatch(name):
                line, column = index.position(offset)
                found.append(Use(name, path, line, column, UseKind.READ))
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _param_names(params: str) -> list[str]:
    """``key, fallback string`` -> [key, fallback]; ``k string, n int`` -> [k, n]."""
    names = []
    for part in params.split(","):
        words = part.split()
        if words:
            names.append(words[0])
    return [n for n in names if re.fullmatch(r"[A-Za-z_]\w*", n)]


def _passes(body: str, local: str, index: int, param: str) -> bool:
    for m in re.finditer(rf"(?<![\w.]){re.escape(local)}\s*\(", body):
        args = arguments(body, m.end())
        if index < len(args) and body[args[index][0] : args[index][1]].strip() == param:
            return True
    return False


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
