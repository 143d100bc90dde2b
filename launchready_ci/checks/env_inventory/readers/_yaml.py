"""YAML as nodes with positions, for the compose and workflow readers.

:func:`launchready_ci.config.yamlpos.load_yaml` is made for configuration and refuses
merge keys (``<<: *defaults``), which compose files use all the time; and the workflow
reader needs the exact text span of each scalar to place ``${{ secrets.X }}`` on its
line inside a ``run: |`` block. So these readers work on PyYAML's composed nodes: every
node carries its start and end offsets, comments are not nodes, and aliases are shared
nodes (nothing is expanded, so alias bombs cost nothing).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import yaml

__all__ = ["MERGE_TAG", "NULL_TAG", "compose", "get", "items", "scalars"]

MERGE_TAG = "tag:yaml.org,2002:merge"
NULL_TAG = "tag:yaml.org,2002:null"
_MAX_DEPTH = 32


#: libyaml's parser when PyYAML was built with it (about ten times faster); its marks
#: count characters like the pure-Python one's.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """The root node of a one-document YAML text; None when it is not valid YAML."""
    try:
        loader = _LOADER(text)
    except yaml.YAMLError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node: yaml.Node | None = loader.get_single_node()
        return node
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    finally:
        loader.dispose()


def items(
    node: yaml.Node | None, depth: int = 0, seen: set[int] | None = None
) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    """The (key, value) pairs of a mapping with scalar keys, merge keys (``<<``) applied
    as YAML 1.1 does: keys written in the mapping win over merged ones. Each merged
    mapping is expanded once, so nested merges cannot blow up."""
    if not isinstance(node, yaml.MappingNode) or depth > _MAX_DEPTH:
        return []
    seen = set() if seen is None else seen
    seen.add(id(node))
    own: list[tuple[yaml.ScalarNode, yaml.Node]] = []
    merged: list[tuple[yaml.ScalarNode, yaml.Node]] = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                if id(source) not in seen:
                    merged.extend(items(source, depth + 1, seen))
        else:
            own.append((key, value))
    names = {k.value for k, _ in own}
    out = list(own)
    for key, value in merged:
        if key.value not in names:
            names.add(key.value)
            out.append((key, value))
    return out


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of ``key`` in a mapping node, or None."""
    for k, v in items(node):
        if k.value == key:
            return v
    return None


def scalars(node: yaml.Node | None) -> Iterator[tuple[yaml.ScalarNode, str | None]]:
    """Every scalar under ``node`` (keys and values), each with the key it is the value
    of (None for keys and list items); a node shared by aliases comes once."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str | None]] = [(node, None)] if node is not None else []
    while stack:
        current, parent = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            yield current, parent
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, None) for item in reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                label = key.value if isinstance(key, yaml.ScalarNode) else None
                stack.extend(((value, label), (key, None)))
