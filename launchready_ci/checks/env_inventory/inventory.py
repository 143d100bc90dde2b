"""Load and validate the inventory file (``env-inventory.yml``) with file:line errors.

The format is described by ``config/schema/env-inventory.schema.json``::

    version: 1
    variables:
      STRIPE_SECRET_KEY:
        purpose: Charge cards for memberships
        owner: "@payments"
        secret: true
        required_in: [production, staging]
        format: {regex: "sk_(live|test)_[A-Za-z0-9]+"}
        stored_in: GitHub environment secrets
        rotation: yearly, and when someone with access leaves

``format`` is a name or an ``{enum: [...]}`` / ``{regex: ...}`` mapping (see
:mod:`.formats`). Beyond the schema, a regex must compile, a ``secret: true`` entry has
no ``default``, and a default must fit the entry's format; each problem is reported at
its own line.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from launchready_ci.checks.env_inventory.formats import (
    Format,
    FormatError,
    check_format,
    parse_format,
)
from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Entry, Inventory
from launchready_ci.config.loader import schema, validate_document
from launchready_ci.config.yamlpos import LoadedYaml, format_key_path, load_yaml
from launchready_ci.errors import ConfigError, ConfigProblem

__all__ = ["SCHEMA_NAME", "load_inventory", "parse_inventory"]

SCHEMA_NAME = "env-inventory"


def load_inventory(text: str | bytes, path: str) -> Inventory:
    """Parse inventory ``text``; ``path`` is how errors and findings name the file.

    Raises :class:`ConfigError` (with file:line:column) for anything but a valid inventory.
    """
    doc = load_yaml(text, path)
    _check_names(doc, path)
    validate_document(doc, doc.data, schema(SCHEMA_NAME), path)
    _check_entries(doc, path)
    return parse_inventory(doc, path)


def _check_names(doc: LoadedYaml, path: str) -> None:
    """Bad variable names, each at its own line.

    The schema's ``propertyNames`` says the same, but a schema error would point at the
    ``variables:`` line rather than at the offending name.
    """
    data = doc.data
    variables = data.get("variables") if isinstance(data, Mapping) else None
    if not isinstance(variables, Mapping):
        return
    problems = []
    for name in variables:
        if NAME_PATTERN.fullmatch(name):
            continue
        key = format_key_path(("variables", name))
        line, col = doc.key_positions.get(key, doc.positions.get("variables", (1, 1)))
        problems.append(
            ConfigProblem(
                path,
                line,
                col,
                key,
                "not a valid variable name",
                "expected letters, digits and _, not starting with a digit",
            )
        )
    if problems:
        raise ConfigError(problems)


def _check_entries(doc: LoadedYaml, path: str) -> None:
    """What the schema cannot say well: regexes compile, secrets have no default, and a
    default fits the format. Messages never repeat the default (it might be a value
    someone pasted by mistake)."""
    problems: list[ConfigProblem] = []
    for name, raw in doc.data["variables"].items():
        item: Mapping[str, Any] = raw or {}
        fmt: Format | None = None
        if "format" in item:
            try:
                fmt = parse_format(item["format"])
            except FormatError as exc:
                parts: tuple[str, ...] = ("variables", name, "format")
                if exc.key:
                    parts = (*parts, exc.key)
                key = format_key_path(parts)
                line, col = doc.positions.get(key, (None, None))
                problems.append(ConfigProblem(path, line, col, key, exc.message))
        if "default" not in item:
            continue
        key = format_key_path(("variables", name, "default"))
        line, col = doc.key_positions.get(key, (None, None))
        if item.get("secret") is True:
            problems.append(
                ConfigProblem(
                    path,
                    line,
                    col,
                    key,
                    "a secret has no default",
                    "remove the default: a secret's value lives only where secrets are "
                    "stored, never in the repository (and rotate it if it was real)",
                )
            )
        elif fmt is not None:
            default = item["default"]
            text = str(default).lower() if isinstance(default, bool) else str(default)
            problem = check_format(fmt, text)
            if problem:
                problems.append(
                    ConfigProblem(
                        path,
                        line,
                        col,
                        key,
                        f"the default {problem}",
                        f"the format is {fmt.describe()}",
                    )
                )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ConfigError(problems)


def parse_inventory(doc: LoadedYaml, path: str) -> Inventory:
    """Build the model from a document that already passed the schema."""
    entries: dict[str, Entry] = {}
    for name, raw in doc.data["variables"].items():
        item: Mapping[str, Any] = raw or {}
        line, col = doc.key_positions.get(format_key_path(("variables", name)), (1, 1))
        entries[name] = Entry(
            name=name,
            line=line,
            column=col,
            purpose=item.get("purpose"),
            owner=item.get("owner"),
            secret=item.get("secret"),
            required_in=tuple(item.get("required_in", ())),
            format=parse_format(item["format"]) if "format" in item else None,
            default=item.get("default"),
            stored_in=item.get("stored_in"),
            rotation=item.get("rotation"),
            provided=item.get("provided"),
        )
    return Inventory(path=path, entries=MappingProxyType(entries))
