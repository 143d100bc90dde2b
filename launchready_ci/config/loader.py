"""Find, parse and validate launchready.yml, with errors that say file:line:column."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from launchready_ci.config.model import Config, Ignore, Position
from launchready_ci.config.yamlpos import LoadedYaml, format_key_path, load_yaml
from launchready_ci.errors import ConfigError, ConfigProblem, UsageError

__all__ = [
    "CONFIG_CANDIDATES",
    "config_home",
    "find_config",
    "load",
    "schema",
    "validate_document",
]

#: Where launchready.yml is looked up, in order, when --config is not given.
CONFIG_CANDIDATES = (
    ".github/launchready.yml",
    ".github/launchready.yaml",
    "launchready.yml",
    "launchready.yaml",
)

_RULE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*/([a-z][a-z0-9-]*|\*)$")

#: Sections that configure the run itself rather than one check.
_RUN_KEYS = {"version", "fail_on", "baseline", "ignore"}


@cache
def schema(name: str = "launchready") -> Mapping[str, Any]:
    """A JSON Schema shipped inside the package (``config/schema/<name>.schema.json``)."""
    text = resources.files("launchready_ci.config").joinpath(f"schema/{name}.schema.json")
    data: Mapping[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return data


def find_config(root: Path, explicit: str | None) -> Path | None:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_absolute() and not path.exists():
            path = root / explicit
        if not path.is_file():
            raise UsageError(f"config file {explicit!r} not found")
        return path
    for candidate in CONFIG_CANDIDATES:
        path = root / candidate
        if path.is_file():
            return path
    return None


def config_home(start: Path) -> Path:
    """The folder whose launchready.yml applies to ``start``: ``start`` itself or the
    nearest parent, up to the repository's top (the folder holding ``.git``), with one of
    :data:`CONFIG_CANDIDATES`; ``start`` when none has. So a run from a subfolder uses
    the repository's config instead of silently running defaults."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / candidate).is_file() for candidate in CONFIG_CANDIDATES):
            return folder
        if (folder / ".git").exists():
            break  # the repository's top: a config above it is another project's
    return start


def load(root: Path, explicit: str | None = None) -> Config:
    """Load the config for ``root``; an absent file gives the empty config."""
    path = find_config(root, explicit)
    if path is None:
        return Config()
    display = _display(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {display}: {exc.strerror}") from None
    doc = load_yaml(raw, display)
    data = {} if doc.data is None else doc.data
    problems: list[ConfigProblem] = []
    try:
        validate_document(doc, data, schema("launchready"), display)
    except ConfigError as exc:
        problems.extend(exc.problems)
    # Rule ids are checked even when the schema found problems, so that one run shows
    # every mistake; only well-formed ignore entries are looked at.
    raw_ignores = data.get("ignore") if isinstance(data, dict) else None
    ignores = tuple(_ignores(raw_ignores if isinstance(raw_ignores, list) else [], doc, display))
    problems.extend(_rule_id_problems(ignores, display))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ConfigError(problems)
    sections = {
        key: MappingProxyType(dict(value)) for key, value in data.items() if key not in _RUN_KEYS
    }
    positions = {key: Position(display, line, col) for key, (line, col) in doc.positions.items()}
    return Config(
        path=display,
        fail_on=data.get("fail_on"),
        baseline=data.get("baseline"),
        ignores=ignores,
        sections=MappingProxyType(sections),
        positions=MappingProxyType(positions),
    )


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _ignores(items: Iterable[Any], doc: LoadedYaml, path: str) -> Iterable[Ignore]:
    for i, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("rule"), str)):
            continue
        line, col = doc.positions.get(f"ignore[{i}]", (0, 0))
        yield Ignore(
            rule=item["rule"],
            paths=_strings(item.get("paths")),
            targets=_strings(item.get("targets")),
            reason=str(item.get("reason") or ""),
            position=Position(path, line, col) if line else None,
            key_path=f"ignore[{i}].rule",
        )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _rule_id_problems(ignores: Iterable[Ignore], path: str) -> list[ConfigProblem]:
    from launchready_ci.rules import all_rules

    registry = all_rules()
    domains = {rid.split("/")[0] for rid in registry}
    problems = []
    for ignore in ignores:
        if not _RULE_PATTERN.match(ignore.rule):
            continue  # the schema already reports the format
        known = (
            ignore.rule.split("/")[0] in domains
            if ignore.rule.endswith("/*")
            else registry.get(ignore.rule) is not None
        )
        if known:
            continue
        choices = [*registry, *(f"{d}/*" for d in domains)]
        pos = ignore.position
        problems.append(
            ConfigProblem(
                path,
                pos.line if pos else None,
                pos.column if pos else None,
                ignore.key_path or "ignore[].rule",
                f"unknown rule id {ignore.rule!r}",
                _did_you_mean(ignore.rule, choices) or "`launchready rules` lists every rule id",
            )
        )
    return problems


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def validate_document(doc: LoadedYaml, data: Any, schema_: Mapping[str, Any], path: str) -> None:
    """Validate ``data`` against ``schema_``; raise one ConfigError listing every problem.

    Messages never repeat the offending value: a config file may hold a pasted secret.
    """
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema_)
    problems: list[ConfigProblem] = list(_not_text(data, (), doc, path))
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        problems.extend(_problems(error, doc, path))
    if problems:
        raise ConfigError(problems)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_text(
    value: Any, parts: tuple[Any, ...], doc: LoadedYaml, path: str
) -> Iterator[ConfigProblem]:
    """Strings that are not text: a lone surrogate (YAML's ``"\\uD800"``) cannot be
    encoded, so a host name or a file name holding one would fail far from its line."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _not_text(key, parts, doc, path)
            yield from _not_text(item, (*parts, key), doc, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _not_text(item, (*parts, index), doc, path)
    elif isinstance(value, str) and _SURROGATE.search(value):
        key_path = format_key_path(parts)
        line, col = doc.positions.get(key_path, doc.positions.get("", (1, 1)))
        yield ConfigProblem(
            path,
            line,
            col,
            key_path or "(top level)",
            "holds a lone surrogate (\\uD800-\\uDFFF), which is not text",
        )


def _problems(error: Any, doc: LoadedYaml, path: str) -> list[ConfigProblem]:
    parts = tuple(error.absolute_path)
    key_path = format_key_path(parts)
    line, col = doc.positions.get(key_path, doc.positions.get("", (1, 1)))
    sch = error.schema if isinstance(error.schema, Mapping) else {}
    described = sch.get("description")
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = list(sch.get("properties", {}))
        out = []
        for extra in error.instance:
            if extra in allowed:
                continue
            sub = format_key_path((*parts, extra))
            kline, kcol = doc.key_positions.get(sub, (line, col))
            hint = _did_you_mean(extra, allowed) or (
                f"allowed keys: {', '.join(allowed)}" if allowed else None
            )
            out.append(ConfigProblem(path, kline, kcol, sub, f"unknown key {extra!r}", hint))
        return out
    if kind == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        return [
            ConfigProblem(path, line, col, key_path or "(top level)", f"missing required key {k!r}")
            for k in missing
        ]
    if kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        message = f"expected {_article(expected)}, got {_json_type(error.instance)}"
    elif kind == "enum":
        options = ", ".join(map(str, error.validator_value))
        message = f"expected one of: {options}"
        if isinstance(error.instance, str):
            hint = _did_you_mean(error.instance, map(str, error.validator_value))
            return [ConfigProblem(path, line, col, key_path, message, hint)]
    elif kind == "const":
        message = f"expected {json.dumps(error.validator_value)}"
    elif kind == "pattern":
        message = "value has the wrong format"
    elif kind == "minLength":
        message = "must not be empty"
    else:
        message = f"invalid value ({kind}: {json.dumps(error.validator_value, default=str)})"
    hint = f"expected {described}" if described else None
    return [ConfigProblem(path, line, col, key_path, message, hint)]


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
