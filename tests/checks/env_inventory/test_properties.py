"""Parsers of user input give a result or a clear error, never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.checks.env_inventory.model import NAME_PATTERN
from launchready_ci.checks.env_inventory.readers import dotenv, javascript, python
from launchready_ci.errors import ConfigError

_JS_BITS = st.sampled_from(
    [
        "process.env.",
        "import.meta.env.",
        "A_1",
        "[",
        "]",
        "'",
        '"',
        "`",
        "${",
        "}",
        "{",
        "/",
        "*",
        "//",
        "/*",
        "*/",
        "\\",
        "\n",
        " ",
        "=",
        ",",
        "...",
        ":",
        "?.",
        "x",
    ]
)
_YAML_BITS = st.sampled_from(
    [
        "version: 1\n",
        "variables:\n",
        "  A:\n",
        "    owner: x\n",
        "    secret: true\n",
        "    default: [",
        "]\n",
        "  - ",
        "{",
        "}",
        ": ",
        "&a ",
        "*a ",
        "<<: ",
        "!!str ",
        "\t",
        "\n",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_JS_BITS).map("".join) | st.text())
def test_javascript_reader_never_crashes(text: str) -> None:
    lines = text.split("\n")
    for use in javascript.read(text, "a.js"):
        assert NAME_PATTERN.fullmatch(use.name)
        assert 1 <= use.line <= len(lines)
        assert 1 <= use.column <= len(lines[use.line - 1])


@settings(max_examples=200)
@given(st.text())
def test_python_and_dotenv_readers_never_crash(text: str) -> None:
    for reader in (python.read, dotenv.read):
        for use in reader(text, "f"):
            assert NAME_PATTERN.fullmatch(use.name)
            assert use.line >= 1 and use.column >= 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_YAML_BITS).map("".join) | st.text() | st.binary())
def test_inventory_loader_gives_a_result_or_a_config_error(text: str | bytes) -> None:
    try:
        inventory = load_inventory(text, "env-inventory.yml")
    except ConfigError as exc:
        assert all(p.path == "env-inventory.yml" for p in exc.problems)
        assert exc.problems
    else:
        assert all(NAME_PATTERN.fullmatch(name) for name in inventory.entries)
