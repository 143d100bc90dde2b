"""Go: the variables kelseyhightower/envconfig reads, derived from struct fields.

``envconfig.Process(prefix, &cfg)`` (and ``MustProcess``) reads one variable per exported
field of ``cfg``'s struct, recursively, named as envconfig names them:

- the field name, or ``FieldName`` split into words at case changes with
  ``split_words:"true"`` (``RateLimitEmailSent`` -> ``RATE_LIMIT_EMAIL_SENT``,
  ``URIAllowList`` -> ``URI_ALLOW_LIST``), or the ``envconfig:"X"`` tag;
- ``PREFIX_`` in front (the upper-cased prefix, when it is not empty), and for a field of
  a nested struct the key of the struct field in front of it (``GOTRUE_SMTP_HOST``); an
  embedded (anonymous) struct adds nothing;
- a field with an ``envconfig:"X"`` tag is also read as plain ``X`` when the prefixed
  name is unset (envconfig's "alt" lookup): both names are uses;
- ``ignored:"true"`` fields, unexported fields, and fields of a struct type that decodes
  itself (a ``Decode``, ``Set``, ``UnmarshalText`` or ``UnmarshalBinary`` method) are
  not descended into; the last are one variable.

The struct type comes from the second argument: a variable declared with ``new(T)``,
``&T{}``, ``T{}``, ``var x T`` or a parameter ``x *T``; ``T`` may be qualified by its
package (``conf.GlobalConfiguration``), which picks the type of that name in a folder of
that name when several folders define one. Types are looked up in every Go file given.
Each variable is located at its field. Not seen: a prefix that is not a string literal
(read as no prefix), structs built by reflection or generics, and other envconfig forks'
tag names.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._scan import closing
from launchready_ci.checks.env_inventory.readers._values import LineIndex

__all__ = ["MARKER", "read_repo"]

# No pattern starts with \b or a look-behind: they would stop the regex engine from
# skipping ahead to its literal prefix, which makes a scan of a large repository 30x slower.

#: Files that import the package; the repository pass runs only when one exists.
MARKER = "kelseyhightower/envconfig"

_PROCESS = re.compile(
    r"\b(?P<pkg>\w+)\s*\.\s*(?:Must)?Process\s*\(\s*"
    r"(?:\"(?P<prefix>[^\"\n]*)\"|`(?P<raw>[^`]*)`|(?P<expr>[^,()]+))\s*,\s*&?\s*(?P<var>\w+)\s*\)"
)
_TYPE = re.compile(r"type\s+(?P<name>[A-Za-z_]\w*)\s+struct\s*\{")
_DECODER = re.compile(
    r"func\s*\(\s*(?:\w+\s+)?\*?\s*(?P<type>[A-Za-z_]\w*)\s*\)\s*"
    r"(?:Decode|Set|UnmarshalText|UnmarshalBinary)\s*\("
)
_FIELD = re.compile(
    r"^[ \t]*(?P<names>[A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)[ \t]+"
    r"(?P<type>\*?[\w.\[\]*]+(?:[ \t]*struct[ \t]*\{)?)[ \t]*(?P<tag>`[^`\n]*`)?",
)
_EMBEDDED = re.compile(r"^[ \t]*(?P<type>\*?[A-Za-z_][\w.]*)[ \t]*(?P<tag>`[^`\n]*`)?[ \t]*$")
_TAG = re.compile(r'(\w+):"([^"]*)"')
_WORDS = re.compile(r"([^A-Z]+|[A-Z]+[^A-Z]+|[A-Z]+)")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][^A-Z]+)")


@dataclass(frozen=True)
class _Field:
    name: str
    type: str  # as written: "*conf.Foo", "[]string", "struct{" for an inline struct
    tags: Mapping[str, str]
    path: str
    offset: int  # of the field name
    embedded: bool = False
    inline: _Struct | None = None


@dataclass(frozen=True)
class _Struct:
    name: str
    folder: str
    fields: tuple[_Field, ...]


class _Repo:
    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self._masked: dict[str, str] = {}
        self._declared: dict[str, list[str]] = {}  # type name -> files that declare it
        self._parsed: set[str] = set()
        self.structs: dict[str, list[_Struct]] = {}
        self.decoders: set[tuple[str, str]] = set()  # (folder, type)
        self._indexes: dict[str, LineIndex] = {}
        for path, text in files.items():
            if "struct" not in text:
                continue
            folder = posixpath.dirname(path)
            if "Decode" in text or "Unmarshal" in text or "Set(" in text:
                for m in _DECODER.finditer(text):
                    self.decoders.add((folder, m.group("type")))
            for m in _TYPE.finditer(text):
                self._declared.setdefault(m.group("name"), []).append(path)

    def masked(self, path: str) -> str:
        if path not in self._masked:
            self._masked[path] = _mask(self.files[path])
        return self._masked[path]

    def _parse(self, path: str) -> None:
        if path in self._parsed:
            return
        self._parsed.add(path)
        masked = self.masked(path)
        folder = posixpath.dirname(path)
        for m in _TYPE.finditer(masked):
            end = closing(masked, m.end() - 1)
            end = len(masked) if end < 0 else end
            fields = tuple(self._fields(path, m.end(), end))
            self.structs.setdefault(m.group("name"), []).append(
                _Struct(m.group("name"), folder, fields)
            )

    def _fields(self, path: str, start: int, end: int) -> Iterator[_Field]:
        masked, text = self.masked(path), self.files[path]
        pos = start
        while pos < end:
            line_end = masked.find("\n", pos, end)
            line_end = end if line_end < 0 else line_end
            line = masked[pos:line_end]
            raw = text[pos:line_end]
            m = _FIELD.match(line)
            if m and not line.strip().startswith("}"):
                tags = (
                    dict(_TAG.findall(raw[m.start("tag") : m.end("tag")])) if m.group("tag") else {}
                )
                typ = m.group("type").replace(" ", "").replace("\t", "")
                inline = None
                next_pos = line_end + 1
                if typ.endswith("struct") and "{" in line[m.end("type") :]:
                    typ += "{"
                if typ.endswith("struct{"):
                    brace = pos + line.index("{", m.start("type"))
                    close = closing(masked, brace)
                    close = len(masked) - 1 if close < 0 else close
                    inline = _Struct(
                        "", posixpath.dirname(path), tuple(self._fields(path, brace + 1, close))
                    )
                    tail = masked[close + 1 : masked.find("\n", close)]
                    tags = dict(_TAG.findall(text[close + 1 : close + 1 + len(tail)]))
                    next_pos = close + 1
                for name_m in re.finditer(r"[A-Za-z_]\w*", m.group("names")):
                    yield _Field(
                        name_m.group(0),
                        typ,
                        tags,
                        path,
                        pos + m.start("names") + name_m.start(),
                        inline=inline,
                    )
                pos = next_pos
                continue
            e = _EMBEDDED.match(line)
            if e and line.strip() and not line.strip().startswith("}"):
                tags = (
                    dict(_TAG.findall(raw[e.start("tag") : e.end("tag")])) if e.group("tag") else {}
                )
                typ = e.group("type")
                short = typ.lstrip("*").rsplit(".", 1)[-1]
                yield _Field(short, typ, tags, path, pos + e.start("type"), embedded=True)
            pos = line_end + 1

    def position(self, path: str, offset: int) -> tuple[int, int]:
        index = self._indexes.get(path)
        if index is None:
            index = self._indexes[path] = LineIndex(self.files[path])
        return index.position(offset)

    def lookup(self, typ: str, folder: str) -> _Struct | None:
        """The struct a field type names (``Foo``, ``*Foo``, ``pkg.Foo``), if known."""
        bare = typ.lstrip("*")
        if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?", bare):
            return None  # slices, maps, channels, functions: leaves
        pkg, _, name = bare.rpartition(".")
        for declaring in self._declared.get(name, ()):
            self._parse(declaring)
        candidates = self.structs.get(name) or []
        if not candidates:
            return None
        if pkg:
            named = [s for s in candidates if posixpath.basename(s.folder) == pkg]
            return (named or candidates)[0]
        same = [s for s in candidates if s.folder == folder]
        return (same or candidates)[0]

    def decodes(self, typ: str, folder: str) -> bool:
        bare = typ.lstrip("*")
        pkg, _, name = bare.rpartition(".")
        return any(
            t == name and (not pkg or posixpath.basename(f) == pkg or f == folder)
            for f, t in self.decoders
        )


def read_repo(files: Mapping[str, str]) -> Iterator[Use]:
    """Every variable the ``envconfig.Process`` calls of ``files`` (path -> text) read."""
    callers = [p for p, text in files.items() if MARKER in text]
    if not callers:
        return
    repo = _Repo(files)
    seen: set[tuple[str, str, int]] = set()
    for path in callers:
        masked, text = repo.masked(path), files[path]
        alias = _alias(text)
        for m in _PROCESS.finditer(masked):
            if m.group("pkg") != alias:
                continue
            group = "prefix" if m.group("prefix") is not None else "raw"
            prefix = text[m.start(group) : m.end(group)] if m.group(group) is not None else ""
            if m.group("expr") is not None:
                prefix = _constant(masked, text, m.group("expr").strip()) or ""
            typ = _type_of(masked[: m.start()], m.group("var"))
            if typ is None:
                continue
            struct = repo.lookup(typ, posixpath.dirname(path))
            if struct is None:
                continue
            for use in _walk(repo, struct, prefix.upper(), set()):
                key = (use.name, use.path, use.line)
                if key not in seen:
                    seen.add(key)
                    yield use


def _walk(repo: _Repo, struct: _Struct, prefix: str, stack: set[str]) -> Iterator[Use]:
    if struct.name and struct.name in stack:
        return  # a type that contains itself
    inner_stack = stack | {struct.name}
    for field in struct.fields:
        if not field.name[:1].isupper() or field.tags.get("ignored") == "true":
            continue
        alt = field.tags.get("envconfig", "").upper()
        key = _split(field.name) if field.tags.get("split_words") == "true" else field.name
        if alt:
            key = alt
        full = f"{prefix}_{key}".upper() if prefix else key.upper()
        folder = posixpath.dirname(field.path)
        nested = field.inline or (
            None if repo.decodes(field.type, folder) else repo.lookup(field.type, folder)
        )
        if nested is not None:
            inner = prefix if field.embedded else full
            yield from _walk(repo, nested, inner, inner_stack)
            continue
        if field.embedded:
            continue  # an embedded type we cannot see
        line, column = repo.position(field.path, field.offset)
        for name in dict.fromkeys([full, alt] if alt else [full]):
            if name and NAME_PATTERN.fullmatch(name):
                yield Use(name, field.path, line, column, UseKind.READ)


def _split(name: str) -> str:
    """envconfig's split_words: ``URIAllowList`` -> ``URI_Allow_List``."""
    words = _WORDS.findall(name)
    out: list[str] = []
    for word in words:
        m = _ACRONYM.fullmatch(word)
        out.extend([m.group(1), m.group(2)] if m else [word])
    return "_".join(out) if out else name


def _alias(text: str) -> str:
    m = re.search(r'(?m)^\s*(?:import\s+)?(\w+)?\s*"github\.com/kelseyhightower/envconfig"', text)
    return m.group(1) if m and m.group(1) else "envconfig"


def _type_of(before: str, var: str) -> str | None:
    """The declared type of ``var`` from the last declaration before the call."""
    v = re.escape(var)
    patterns = (
        rf"\b{v}\s*:?=\s*new\s*\(\s*(?P<t>[\w.]+)\s*\)",
        rf"\b{v}\s*:?=\s*&?\s*(?P<t>[\w.]+)\s*\{{",
        rf"\bvar\s+{v}\s+\*?(?P<t>[\w.]+)",
        rf"[(,]\s*{v}\s+\*?(?P<t>[\w.]+)\s*[,)]",
    )
    best: tuple[int, str] | None = None
    for pattern in patterns:
        for m in re.finditer(pattern, before):
            if best is None or m.start() > best[0]:
                best = (m.start(), m.group("t"))
    return best[1] if best else None


def _constant(masked: str, text: str, name: str) -> str | None:
    m = re.search(rf"\b{re.escape(name)}\s*=\s*\"([^\"\n]*)\"", masked)
    if m is None:
        return None
    start = m.start(1)
    return text[start : start + len(m.group(1))]


_TOKENS = re.compile(
    r"//[^\n]*|/\*.*?(?:\*/|\Z)|`[^`]*(?:`|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?",
    re.S,
)
_NOT_NEWLINE = re.compile(r"[^\n]")


def _spaces(text: str) -> str:
    return _NOT_NEWLINE.sub(" ", text) if "\n" in text else " " * len(text)


def _blank(m: re.Match[str]) -> str:
    token = m.group(0)
    if token[0] in "`\"'" and len(token) > 1:
        closed = token[-1] == token[0]
        inner = token[1:-1] if closed else token[1:]
        return token[0] + _spaces(inner) + (token[-1] if closed else "")
    return _spaces(token)


def _mask(text: str) -> str:
    """Comments and the inside of strings, runes and raw strings blanked (newlines kept,
    so offsets stay valid): braces in them do not count. Tags are read from the text."""
    return _TOKENS.sub(_blank, text)
