"""Property: any text given as launchready.yml yields a config or a clear ConfigError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.config import load
from launchready_ci.config.yamlpos import load_yaml
from launchready_ci.errors import ConfigError

KEYS = [
    "version",
    "fail_on",
    "baseline",
    "ignore",
    "secrets",
    "env",
    "rule",
    "paths",
    "exclude",
    "inventory",
    "enabled",
    "targets",
    "reason",
    "x",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["error", "never", "secrets/*", "env/x", "**"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)

# Raw text: YAML-ish fragments glued together, to hit the parser's error paths.
fragments = st.sampled_from(
    [
        "a: ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ": ",
        "\n",
        "  ",
        "&x ",
        "*x ",
        "!!binary ",
        "!!set ",
        "? ",
        "|",
        ">",
        "'",
        '"',
        "#",
        "%YAML 1.1\n",
        "---\n",
        "...\n",
        "<<: *x\n",
        "\t",
        "\x00",
        "fail_on",
        "secrets",
        "ignore",
        "rule",
        "2024-01-01",
        "~",
        "0x1F",
        ".inf",
        "é",
    ]
)
raw_text = st.lists(fragments | st.text(max_size=5), max_size=30).map("".join)


def check(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "launchready.yml").write_bytes(text if isinstance(text, bytes) else text.encode())
        try:
            load(root)
        except ConfigError as exc:
            rendered = exc.render()
            assert rendered.startswith("launchready.yml")
            assert "Traceback" not in rendered


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_any_yaml_document_gives_config_or_clear_error(doc: object) -> None:
    check(yaml.safe_dump(doc))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_text)
def test_any_text_gives_config_or_clear_error(text: str) -> None:
    check(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_give_config_or_clear_error(data: bytes) -> None:
    check(data)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    try:
        load_yaml("\n".join(lines), "bomb.yml")
    except ConfigError as exc:
        assert "more than" in exc.render()
    else:  # pragma: no cover
        raise AssertionError("alias bomb was accepted")


def test_deep_nesting_is_refused() -> None:
    try:
        load_yaml("[" * 5000 + "]" * 5000, "deep.yml")
    except ConfigError as exc:
        assert "deep.yml" in exc.render()
    else:  # pragma: no cover
        raise AssertionError("deep nesting was accepted")
