"""GitHub Actions workflows: ``env:`` blocks and ``${{ secrets.X }}`` / ``${{ vars.X }}``.

Files: ``.github/workflows/*.yml`` and ``*.yaml``. Parsed as YAML; positions come from
the parser, so YAML comments are never read.

- ``env:`` at workflow, job, job ``container`` and step level: ``X: ${{ secrets.Y }}``
  or ``X: ${{ vars.Y }}`` (the whole value) is PASS for ``X``, and SECRET_REF / VAR_REF
  for ``Y`` when it is another name (the stored secret must exist under its own name);
  any other value is LITERAL, CREDENTIAL (a URL with a password) or
  SET (empty, or using another ``${{ }}`` expression). ``$X`` in a value is literal
  text: GitHub does not expand it.
- ``secrets.X`` and ``vars.X`` (also ``secrets['X']``) inside any other ``${{ }}``
  expression or ``if:`` condition: SECRET_REF / VAR_REF, on the line of the reference,
  also inside ``run: |`` blocks.

Service containers (``jobs.<id>.services``) are throwaway CI databases and caches: their
``env:`` is not read. Not seen: variables a ``run:`` script exports or writes to
``$GITHUB_ENV``, ``env:`` given as one expression (``env: ${{ fromJSON(...) }}``),
``secrets: inherit`` and reusable workflows' declared ``secrets:``, and dynamic access
(``secrets[format('{0}_KEY', matrix.env)]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers import _yaml
from launchready_ci.checks.env_inventory.readers._values import EXPRESSION, LineIndex, value_kind

__all__ = ["is_workflow", "read"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_REFERENCE = re.compile(
    rf"(?<![\w.])(?P<store>secrets|vars)\s*(?:\.\s*(?P<a>{_NAME})|\[\s*'(?P<b>{_NAME})'\s*\])"
)
_WHOLE_REFERENCE = re.compile(
    rf"\$\{{\{{\s*(?:secrets|vars)\s*(?:\.\s*{_NAME}|\[\s*'{_NAME}'\s*\])\s*\}}\}}"
)
_KINDS = {"secrets": UseKind.SECRET_REF, "vars": UseKind.VAR_REF}


def is_workflow(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    return folder == ".github/workflows" and name.endswith((".yml", ".yaml"))


def read(text: str, path: str) -> Iterator[Use]:
    root = _yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return
    index = LineIndex(text)
    found: list[Use] = []

    def add(name: str, offset: int, kind: str) -> None:
        if NAME_PATTERN.fullmatch(name):
            line, column = index.position(offset)
            found.append(Use(name, path, line, column, kind))

    covered: set[int] = set()  # values taken whole by an env key
    for block in _env_blocks(root):
        for key, value in _yaml.items(block):
            if not isinstance(value, yaml.ScalarNode):
                continue
            at = key.start_mark.index + (1 if key.style in ('"', "'") else 0)
            if value.tag == _yaml.NULL_TAG:
                add(key.value, at, UseKind.SET)
            elif _WHOLE_REFERENCE.fullmatch(value.value.strip()):
                covered.add(id(value))
                add(key.value, at, UseKind.PASS)
                start = value.start_mark.index
                raw = text[start : value.end_mark.index]
                ref = _REFERENCE.search(raw)
                if ref is not None:
                    group = "a" if ref.group("a") is not None else "b"
                    if ref.group(group) != key.value:
                        add(ref.group(group), start + ref.start(group), _KINDS[ref.group("store")])
            else:
                add(key.value, at, value_kind(value.value, EXPRESSION))
    if "secrets" in text or "vars" in text:
        for node, parent in _yaml.scalars(root):
            if id(node) in covered or node.tag == _yaml.NULL_TAG:
                continue
            start = node.start_mark.index
            raw = text[start : node.end_mark.index]
            if "secrets" not in raw and "vars" not in raw:
                continue
            spans = [(0, len(raw))] if parent == "if" else _expressions(raw)
            for begin, end in spans:
                for m in _REFERENCE.finditer(raw, begin, end):
                    group = "a" if m.group("a") is not None else "b"
                    add(m.group(group), start + m.start(group), _KINDS[m.group("store")])
    found.sort(key=lambda u: (u.line, u.column))
    yield from found


def _expressions(raw: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in EXPRESSION.finditer(raw)]


def _env_blocks(root: yaml.Node) -> Iterator[yaml.Node | None]:
    yield _yaml.get(root, "env")
    for _, job in _yaml.items(_yaml.get(root, "jobs")):
        yield _yaml.get(job, "env")
        yield _yaml.get(_yaml.get(job, "container"), "env")
        steps = _yaml.get(job, "steps")
        if isinstance(steps, yaml.SequenceNode):
            for step in steps.value:
                yield _yaml.get(step, "env")
