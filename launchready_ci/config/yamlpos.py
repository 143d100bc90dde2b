"""Load YAML into plain JSON-like data and remember where every value came from.

Used for launchready.yml and for every other YAML file a check validates, so that every
error can say file:line:column. Never raises anything but :class:`ConfigError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from launchready_ci.errors import ConfigError, ConfigProblem

__all__ = ["LoadedYaml", "format_key_path", "load_yaml"]

#: Documents that expand to more values than this (alias bombs) are refused.
MAX_VALUES = 200_000
MAX_DEPTH = 64


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay strings, as in JSON."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_JSON_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class LoadedYaml:
    data: Any
    #: key path (see :func:`format_key_path`) -> (line, column), 1-based, of the value.
    positions: dict[str, tuple[int, int]]
    #: key path -> (line, column) of the *key* of a mapping entry.
    key_positions: dict[str, tuple[int, int]]


def format_key_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``("ignore", 0, "rule")`` -> ``ignore[0].rule``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def load_yaml(text: str | bytes, path: str) -> LoadedYaml:
    def fail(
        message: str, line: int | None = None, col: int | None = None, key: str = ""
    ) -> ConfigError:
        return ConfigError([ConfigProblem(path, line, col, key, message)])

    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"not UTF-8 text (byte {exc.start})") from None
    try:
        node = _compose(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise fail(
            f"invalid YAML: character #x{exc.character:04x} is not allowed", line, col
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context and exc.context not in problem:
            problem = f"{problem} ({exc.context})"
        if mark is None:
            raise fail(f"invalid YAML: {problem}") from None
        raise fail(f"invalid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {type(exc).__name__}") from None
    except RecursionError:
        raise fail("invalid YAML: nested too deeply") from None
    if node is None:
        return LoadedYaml(None, {}, {})
    walker = _Walker(path)
    data = walker.walk(node, (), 0)
    return LoadedYaml(data, walker.positions, walker.key_positions)


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


class _Walker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.cache: dict[int, Any] = {}

    def error(self, node: yaml.Node, message: str, key: tuple[str | int, ...]) -> ConfigError:
        m = node.start_mark
        return ConfigError(
            [ConfigProblem(self.path, m.line + 1, m.column + 1, format_key_path(key), message)]
        )

    def walk(self, node: yaml.Node, key: tuple[str | int, ...], depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.error(node, f"nested more than {MAX_DEPTH} levels deep", key)
        kp = format_key_path(key)
        self.positions.setdefault(kp, (node.start_mark.line + 1, node.start_mark.column + 1))
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.error(node, f"more than {MAX_VALUES} values (alias expansion?)", key)
        if id(node) in self.cache and isinstance(node, yaml.ScalarNode):
            return self.cache[id(node)]
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node, key)
            self.cache[id(node)] = value
            return value
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self.error(node, f"unsupported YAML tag {node.tag}", key)
            return [self.walk(item, (*key, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise self.error(node, f"unsupported YAML tag {node.tag}", key)
            out: dict[str, Any] = {}
            for key_node, value_node in self._pairs(node, key):
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error(key_node, "a mapping key must be a plain string", key)
                k = self._scalar(key_node, key)
                if not isinstance(k, str):
                    k = key_node.value  # `on:`, `1:` and friends: keep the text as written
                if k in out:
                    raise self.error(key_node, f"duplicate key {k!r}", key)
                sub = (*key, k)
                self.key_positions[format_key_path(sub)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[k] = self.walk(value_node, sub, depth + 1)
            return out
        raise self.error(node, "unsupported YAML node", key)  # pragma: no cover

    def _pairs(
        self, node: yaml.MappingNode, key: tuple[str | int, ...]
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.error(key_node, "merge keys (<<) are not supported here", key)
            pairs.append((key_node, value_node))
        return pairs

    def _scalar(self, node: yaml.ScalarNode, key: tuple[str | int, ...]) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            raise self.error(node, f"invalid value ({type(exc).__name__})", key) from None
        if not isinstance(value, _JSON_SCALARS):
            raise self.error(node, f"unsupported YAML value of type {type(value).__name__}", key)
        return value
