"""``format:`` and ``default:`` in the inventory: parsed into a Format, and every mistake
reported at its own file:line:column with the key path."""

from __future__ import annotations

import pytest

from launchready_ci.checks.env_inventory.formats import Format
from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.errors import ConfigError

PATH = "env-inventory.yml"


def test_formats_are_parsed() -> None:
    inventory = load_inventory(
        "version: 1\nvariables:\n"
        "  A:\n    format: https-url\n"
        "  B:\n    format: {enum: [debug, info]}\n"
        "  C:\n    format:\n      regex: '[0-9]+'\n"
        "  D: {}\n",
        PATH,
    )
    e = inventory.entries
    assert e["A"].format == Format("https-url")
    assert e["B"].format == Format("enum", choices=("debug", "info"))
    assert e["C"].format == Format("regex", pattern="[0-9]+")
    assert e["D"].format is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nvariables:\n  A:\n    format: integer\n",
            "env-inventory.yml:4:13: expected one of: url, https-url",
        ),
        (
            "version: 1\nvariables:\n  A:\n    format:\n      regex: '(unclosed'\n",
            "env-inventory.yml:5:14: the regex does not compile: missing ): (unclosed\n"
            "  ==> at key: variables.A.format.regex",
        ),
        (
            "version: 1\nvariables:\n  A:\n    format: {enum: [on, off]}\n",
            "env-inventory.yml:4:21: expected a string, got a boolean",
        ),
        (
            "version: 1\nvariables:\n  A:\n    format: {choices: [a]}\n",
            "env-inventory.yml:4:14: unknown key 'choices'",
        ),
        (
            "version: 1\nvariables:\n  A:\n    format: {enum: [a], regex: a}\n",
            "env-inventory.yml:4:13: invalid value (maxProperties: 1)",
        ),
        (
            "version: 1\nvariables:\n  A:\n    format: {enum: []}\n",
            "env-inventory.yml:4:20: invalid value (minItems: 1)",
        ),
        (
            "version: 1\nvariables:\n  TOKEN:\n    secret: true\n    default: abc\n",
            "env-inventory.yml:5:5: a secret has no default\n  ==> at key: variables.TOKEN.default",
        ),
        (
            "version: 1\nvariables:\n  PORT:\n    format: int\n    default: 80.5\n",
            "env-inventory.yml:5:5: the default is not an integer\n"
            "  ==> at key: variables.PORT.default\n  ==> the format is int",
        ),
    ],
)
def test_errors_carry_file_line_and_key_path(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_inventory(text, PATH)
    assert str(info.value).startswith(expected), str(info.value)


def test_every_problem_is_reported_in_line_order() -> None:
    with pytest.raises(ConfigError) as info:
        load_inventory(
            "version: 1\nvariables:\n"
            "  A:\n    secret: true\n    default: x\n"
            "  B:\n    format: {regex: '['}\n",
            PATH,
        )
    assert [(p.line, p.key_path) for p in info.value.problems] == [
        (5, "variables.A.default"),
        (7, "variables.B.format.regex"),
    ]


def test_defaults_that_fit_are_accepted() -> None:
    inventory = load_inventory(
        "version: 1\nvariables:\n"
        "  PORT: {format: int, default: 8080}\n"
        "  DEBUG: {format: bool, default: false}\n"
        "  BASE: {format: https-url, default: 'https://clubhouse.app'}\n"
        "  TIMEOUT: {format: duration, default: 30s}\n"
        "  MODE: {secret: false, default: x}\n",
        PATH,
    )
    assert inventory.entries["PORT"].default == 8080


def test_a_secret_default_is_never_repeated() -> None:
    leaked = "Planted" + "DefaultQx7Vb2"
    text = f"version: 1\nvariables:\n  A:\n    secret: true\n    default: {leaked}\n"
    with pytest.raises(ConfigError) as info:
        load_inventory(text, PATH)
    assert "Planted" not in str(info.value)
    assert "DefaultQx7" not in repr(info.value)


def test_a_misfit_default_is_never_repeated() -> None:
    leaked = "Planted" + "NotAUrlQx7Vb2"
    text = f"version: 1\nvariables:\n  A:\n    format: url\n    default: {leaked}\n"
    with pytest.raises(ConfigError) as info:
        load_inventory(text, PATH)
    assert "Planted" not in str(info.value)


def test_the_shipped_example_inventory_loads() -> None:
    from tests.helpers import EXAMPLE

    path = EXAMPLE / "env-inventory.yml"
    inventory = load_inventory(path.read_bytes(), "env-inventory.yml")
    assert inventory.entries["APP_BASE_URL"].format == Format("https-url")
