"""The inventory file: errors say file:line:column; values never reach a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.errors import ConfigError
from launchready_ci.findings import CheckStatus
from tests.checks.casefile import Case, materialise, run_case

PATH = "env-inventory.yml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "env-inventory.yml:1:1: expected an object, got null"),
        ("variables: {}\n", "env-inventory.yml:1:1: missing required key 'version'"),
        ("version: 2\nvariables: {}\n", "env-inventory.yml:1:10: expected 1"),
        ("version: 1\nvariables: [A]\n", "env-inventory.yml:2:12: expected an object"),
        (
            "version: 1\nvariables:\n  OK: {}\n  my-var: {}\n",
            "env-inventory.yml:4:3: not a valid variable name",
        ),
        (
            "version: 1\nvariables:\n  A:\n    ownr: x\n",
            "env-inventory.yml:4:5: unknown key 'ownr'",
        ),
        (
            "version: 1\nvariables:\n  A:\n    secret: maybe\n",
            "env-inventory.yml:4:13: expected a boolean, got a string",
        ),
        (
            "version: 1\nvariables:\n  A:\n    required_in: production\n",
            "env-inventory.yml:4:18: expected an array, got a string",
        ),
        ("version: 1\nvariables:\n  A: {\n", "env-inventory.yml:4:1: invalid YAML"),
        ("version: 1\nvariables:\n  A: 1\n  A: 2\n", "env-inventory.yml:4:3: duplicate key 'A'"),
    ],
)
def test_errors_carry_file_line_column(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_inventory(text, PATH)
    assert str(info.value).startswith(expected), str(info.value)


def test_error_hints_use_schema_descriptions() -> None:
    with pytest.raises(ConfigError) as info:
        load_inventory("version: 1\nvariables:\n  A:\n    secret: maybe\n", PATH)
    assert "==> expected true if the value is a credential" in str(info.value)


def test_error_messages_never_repeat_a_value() -> None:
    leaked = "sk_live_51HxxxxxxxxxxxxxxxxxxxxxXYZ"
    with pytest.raises(ConfigError) as info:
        load_inventory(f"version: 1\nvariables:\n  A:\n    default: [{leaked}]\n", PATH)
    assert leaked not in str(info.value)


def test_a_valid_inventory_keeps_every_field_and_position() -> None:
    inv = load_inventory(
        "version: 1\nvariables:\n"
        "  DATABASE_URL:\n"
        "    purpose: members db\n    owner: '@ops'\n    secret: false\n"
        "    required_in: [production]\n    format: url\n    default: postgres://localhost\n"
        "    stored_in: vault\n    rotation: yearly\n"
        "  BARE:\n",
        PATH,
    )
    db = inv.entries["DATABASE_URL"]
    assert (db.line, db.column, db.owner, db.secret, db.required_in) == (
        3,
        3,
        "@ops",
        False,  # a secret cannot have a default
        ("production",),
    )
    assert "postgres://localhost" not in repr(db)
    bare = inv.entries["BARE"]
    assert (bare.line, bare.owner, bare.purpose, bare.secret) == (12, None, None, None)


def test_the_runner_reports_an_invalid_inventory_as_errored(tmp_path: Path) -> None:
    case = Case(
        "test",
        "invalid",
        {PATH: "version: 1\nvariables:\n  A:\n    secret: maybe\n"},
        {},
        (),
        (),
        None,
    )
    materialise(case, tmp_path, "env")
    result = run_case(tmp_path, "env")
    assert result.status is CheckStatus.ERRORED
    assert (result.reason or "").startswith("env-inventory.yml:4:13: expected a boolean")


def test_findings_hold_names_never_values(tmp_path: Path) -> None:
    values = ["sk_live_4eC39HqLyjWDarjtT1zdp7dcXYZ", "hunter2-super-secret", "postgres://u:pw@db"]
    case = Case(
        "test",
        "values",
        {
            ".env.example": f"STRIPE_SECRET_KEY={values[0]}\nDB_PASSWORD='{values[1]}'\n",
            "app.py": f"import os\nos.environ.get('DATABASE_URL', '{values[2]}')\n",
            PATH: (
                "version: 1\nvariables:\n"
                f"  NEXT_PUBLIC_TOKEN:\n    secret: true\n"
                f"  DEFAULTED:\n    secret: false\n    default: {values[1]}\n"
                f"  UNUSED:\n    default: '{values[2]}'\n"
            ),
        },
        {},
        (),
        (),
        None,
    )
    materialise(case, tmp_path, "env")
    result = run_case(tmp_path, "env")
    assert {f.rule_id for f in result.findings} >= {
        "env/not-in-inventory",
        "env/unused-entry",
        "env/missing-owner",
        "env/public-prefix-secret",
    }
    text = repr(result.findings)
    for value in values:
        assert value not in text


def test_outside_a_git_work_tree_the_files_are_walked(tmp_path: Path) -> None:
    from launchready_ci.checks.env_inventory.readers import read_uses

    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("process.env.VENDORED\n")
    (tmp_path / ".env.example").write_text("WALKED=1\n")
    (tmp_path / "app.py").write_text("import os\nos.getenv('ALSO_WALKED')\n")
    names = sorted(u.name for u in read_uses(tmp_path))
    assert names == ["ALSO_WALKED", "WALKED"]
