"""The quick validity check agrees with jsonschema whenever it answers: a document it
calls valid has no jsonschema error, and the project's own configs take the quick path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from launchready_ci.config.loader import schema
from launchready_ci.config.quickcheck import surely_valid
from tests.helpers import REPO

CONFIGS = sorted(
    p
    for p in [*REPO.glob("examples/**/launchready.yml"), *REPO.glob("tests/**/launchready.yml")]
    if ".venv" not in p.parts
)
INVENTORIES = sorted(REPO.glob("examples/**/env-inventory.yml")) + sorted(
    REPO.glob("tests/checks/env_inventory/fixtures/**/env-inventory.yml")
)


def _errors(name: str, data: Any) -> list[Any]:
    return list(Draft202012Validator(schema(name)).iter_errors(data))


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(REPO)))
def test_the_projects_configs_take_the_quick_path(path: Path) -> None:
    data = _load(path)
    assert not _errors("launchready", data)
    assert surely_valid(schema("launchready"), data)


@pytest.mark.parametrize("path", INVENTORIES, ids=lambda p: str(p.relative_to(REPO)))
def test_inventories_agree(path: Path) -> None:
    data = _load(path)
    if surely_valid(schema("env-inventory"), data):
        assert not _errors("env-inventory", data)


def test_a_rollback_strategy_needs_its_setting() -> None:
    """``if``/``then`` is evaluated, not skipped."""
    rollback = schema("launchready")
    assert not surely_valid(rollback, {"rollback": {"strategy": "command"}})
    assert _errors("launchready", {"rollback": {"strategy": "command"}})


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["error", "warning", "never", "secrets/*", "migrations/parse-error", "**/*.sql", "1s"]
    ),
    st.dates(),
)
VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8) | st.sampled_from(["enabled", "paths"]), children),
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, documents: list[Any]) -> Any:
    """A valid document with a few parts replaced, removed or added."""
    doc = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        if not path:
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8) | st.sampled_from(["strategy", "x"]))] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return doc


_DOCS = {
    "launchready": [_load(p) for p in CONFIGS],
    "env-inventory": [d for d in (_load(p) for p in INVENTORIES) if isinstance(d, dict)],
}


@pytest.mark.parametrize("name", sorted(_DOCS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_quick_yes_is_always_a_jsonschema_yes(name: str, data: st.DataObject) -> None:
    doc = data.draw(mutated(_DOCS[name]))
    if surely_valid(schema(name), doc):
        assert not _errors(name, doc), doc


@settings(max_examples=300, deadline=None)
@given(doc=VALUES)
def test_a_quick_yes_on_anything(doc: Any) -> None:
    for name in _DOCS:
        if surely_valid(schema(name), doc):
            assert not _errors(name, doc), doc
