"""Docker Compose files: the variables each service is given, and how.

Files: ``compose.yml``, ``docker-compose.yml`` and their variants (``compose.*.yaml``,
``docker-compose.prod.yml`` ...). Parsed as YAML (merge keys and anchors included).

For every service under ``services:``, ``environment:`` (a mapping, or a list of
``X=value`` / ``X``) and ``build.args`` (same forms) give:

- ``X`` alone, ``X:`` with no value, or ``X: ${X}``: PASS (the value comes from the
  shell that runs compose, or from the ``.env`` next to the file);
- any other value: LITERAL, CREDENTIAL (a URL with a password) or SET (empty, or using
  an interpolation), and each ``${Y}`` / ``$Y`` inside it is a PASS use of ``Y``.

``env_file:`` (a path, a list of paths, or ``- path: ...`` items) names env files; the
reader returns their repository paths, and :func:`..read_uses` reads those that are in
the repository (and not git-ignored) with :func:`.dotenv.read_env_file`.

Compose interpolates ``${X}``, ``${X:-default}`` and ``$X`` anywhere in the file
(``image: app:${TAG:-latest}``, ``ports: ["${PORT:-3000}:3000"]``, ``command:``): each
is a PASS use of ``X`` wherever it is; ``$$`` is a literal dollar sign. Not seen: files
given with ``-f`` or ``COMPOSE_FILE`` under other names, ``extends:`` from other files,
and the old version-1 format without ``services:``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

import yaml

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers import _yaml
from launchready_ci.checks.env_inventory.readers._values import SHELL_REF, LineIndex, value_kind

__all__ = ["is_compose", "read", "scan"]

_NAME = re.compile(r"(?:docker-)?compose(?:[.\-][^/]*)?\.ya?ml", re.IGNORECASE)


def is_compose(filename: str) -> bool:
    return _NAME.fullmatch(filename) is not None


def read(text: str, path: str) -> Iterator[Use]:
    uses, _ = scan(text, path)
    yield from uses


def scan(text: str, path: str) -> tuple[list[Use], list[str]]:
    """The uses of a compose file, and the repository paths of its ``env_file:`` files."""
    root = _yaml.compose(text)
    reader = _Reader(text, path)
    env_files: list[str] = []
    for _, service in _yaml.items(_yaml.get(root, "services")):
        reader.variables(_yaml.get(service, "environment"))
        reader.variables(_yaml.get(_yaml.get(service, "build"), "args"))
        env_files.extend(_env_files(_yaml.get(service, "env_file"), path))
    if "$" in text and root is not None:
        reader.interpolations(root)
    uses = sorted(set(reader.found), key=lambda u: (u.line, u.column, u.name, u.kind))
    return uses, list(dict.fromkeys(env_files))


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.index = LineIndex(text)
        self.found: list[Use] = []
        self.handled: set[int] = set()  # value nodes read as environment entries

    def add(self, name: str, offset: int, kind: str) -> None:
        if NAME_PATTERN.fullmatch(name):
            line, column = self.index.position(offset)
            self.found.append(Use(name, self.path, line, column, kind))

    def variables(self, node: yaml.Node | None) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in _yaml.items(node):
                at = key.start_mark.index + (1 if key.style in ('"', "'") else 0)
                if not isinstance(value, yaml.ScalarNode):
                    continue
                self.handled.add(id(value))
                if value.tag == _yaml.NULL_TAG:
                    self.add(key.value, at, UseKind.PASS)
                else:
                    self.assignment(key.value, at, value.value, value, item=False)
        elif isinstance(node, yaml.SequenceNode):
            for entry in node.value:
                if not isinstance(entry, yaml.ScalarNode):
                    continue
                self.handled.add(id(entry))
                at = entry.start_mark.index + (1 if entry.style in ('"', "'") else 0)
                name, eq, value = entry.value.partition("=")
                if eq:
                    self.assignment(name, at, value, entry, item=True)
                else:
                    self.add(name.strip(), at, UseKind.PASS)

    def interpolations(self, root: yaml.Node) -> None:
        """Every ``${X}`` / ``$X`` in any value or key of the file, as PASS."""
        for node, _ in _yaml.scalars(root):
            if "$" not in node.value or id(node) in self.handled:
                continue
            start = node.start_mark.index
            raw = self.text[start : node.end_mark.index]
            for m in SHELL_REF.finditer(raw):
                if m.start() > 0 and raw[m.start() - 1] == "$":
                    continue  # $$ is a literal dollar sign
                group = "braced" if m.group("braced") is not None else "bare"
                self.add(m.group(group), start + m.start(group), UseKind.PASS)

    def assignment(
        self, name: str, at: int, value: str, node: yaml.ScalarNode, *, item: bool
    ) -> None:
        """``name`` given ``value`` by ``node`` (a mapping value, or an ``X=v`` item)."""
        whole = SHELL_REF.fullmatch(value.strip())
        if whole is not None and (whole.group("braced") or whole.group("bare")) == name:
            self.add(name, at, UseKind.PASS)
            return
        self.add(name, at, value_kind(value, SHELL_REF))
        start = node.start_mark.index
        raw = self.text[start : node.end_mark.index]
        for m in SHELL_REF.finditer(raw, raw.find("=") + 1 if item else 0):
            if m.start() > 0 and raw[m.start() - 1] == "$":
                continue  # $$ is a literal dollar sign
            group = "braced" if m.group("braced") is not None else "bare"
            self.add(m.group(group), start + m.start(group), UseKind.PASS)


def _env_files(node: yaml.Node | None, compose_path: str) -> Iterator[str]:
    entries: list[yaml.Node] = []
    if isinstance(node, yaml.ScalarNode):
        entries = [node]
    elif isinstance(node, yaml.SequenceNode):
        entries = list(node.value)
    base = posixpath.dirname(compose_path)
    for entry in entries:
        target = _yaml.get(entry, "path") if isinstance(entry, yaml.MappingNode) else entry
        if not isinstance(target, yaml.ScalarNode) or target.tag == _yaml.NULL_TAG:
            continue
        value = target.value.strip()
        if not value or "$" in value or posixpath.isabs(value):
            continue
        rel = posixpath.normpath(posixpath.join(base, value))
        if rel != ".." and not rel.startswith("../"):
            yield rel
