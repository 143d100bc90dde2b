from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.config import load
from launchready_ci.errors import ConfigError, UsageError
from tests.helpers import run_cli


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path, text: str) -> list[str]:
    write(root, "launchready.yml", text)
    with pytest.raises(ConfigError) as info:
        load(root)
    return [p.render() for p in info.value.problems]


def test_no_config_is_the_empty_config(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config.path is None
    assert config.sections == {}


def test_lookup_order_prefers_dot_github(tmp_path: Path) -> None:
    write(tmp_path, "launchready.yml", "fail_on: notice\n")
    assert load(tmp_path).fail_on == "notice"
    write(tmp_path, ".github/launchready.yml", "fail_on: warning\n")
    config = load(tmp_path)
    assert config.fail_on == "warning"
    assert config.path == ".github/launchready.yml"
    write(tmp_path, "custom.yml", "fail_on: never\n")
    assert load(tmp_path, "custom.yml").fail_on == "never"


def test_explicit_config_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load(tmp_path, "nope.yml")


def test_unknown_key_points_at_the_key_and_suggests(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "version: 1\nsecrest:\n  exclude: []\n")
    assert msg.startswith("launchready.yml:2:1: unknown key 'secrest'")
    assert "did you mean 'secrets'?" in msg


def test_nested_unknown_key_has_key_path(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "secrets:\n  exlude: [a]\n")
    assert "launchready.yml:2:3: unknown key 'exlude'" in msg
    assert "at key: secrets.exlude" in msg
    assert "did you mean 'exclude'?" in msg


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "env:\n  inventory: 3\n")
    assert "launchready.yml:2:14: expected a string, got a number" in msg
    assert "at key: env.inventory" in msg
    assert "expected path of the inventory file" in msg


def test_enum_with_did_you_mean(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "fail_on: warnings\n")
    assert "expected one of: error, warning, notice, never" in msg
    assert "did you mean 'warning'?" in msg


def test_unknown_rule_id_in_ignore_suggests_the_right_one(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "ignore:\n  - rule: secrets/private-kee\n")
    assert msg.startswith("launchready.yml:2:5: unknown rule id 'secrets/private-kee'")
    assert "did you mean 'secrets/private-key'?" in msg


def test_schema_problems_and_unknown_rule_ids_are_reported_together(tmp_path: Path) -> None:
    found = problems(tmp_path, "fail_on: sometimes\nignore:\n  - rule: secret/private-key\n")
    assert len(found) == 2
    assert found[1].startswith("launchready.yml:3:5: unknown rule id 'secret/private-key'")
    assert "at key: ignore[0].rule" in found[1]


def test_domain_wildcard_ignore_is_accepted(tmp_path: Path) -> None:
    write(tmp_path, "launchready.yml", "ignore:\n  - rule: secrets/*\n    paths: [a/**]\n")
    (ignore,) = load(tmp_path).ignores
    assert ignore.rule == "secrets/*"
    assert ignore.paths == ("a/**",)
    assert ignore.position is not None and ignore.position.line == 2


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(tmp_path, "fail_on: 3\nbogus: 1\nsecrets: []\n")
    assert len(found) == 3


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "secrets:\n  exclude: [a, b\n")
    assert msg.startswith("launchready.yml:")
    assert "invalid YAML" in msg


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "fail_on: error\nfail_on: never\n")
    assert "launchready.yml:2:1: duplicate key 'fail_on'" in msg


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    (msg,) = problems(tmp_path, "- a\n- b\n")
    assert "expected an object, got a list" in msg


def test_error_messages_never_repeat_the_value(tmp_path: Path) -> None:
    planted = "sk_live_" + "PlantedConfigValue0000000000"
    found = problems(
        tmp_path, f"fail_on: {planted}\nbaseline: 42\nenv:\n  inventory: [{planted}]\n"
    )
    assert found
    assert all(planted not in p for p in found)


def test_cli_config_error_exits_2_without_traceback(tmp_path: Path) -> None:
    write(tmp_path, "launchready.yml", "secrest: {}\n")
    proc = run_cli("run", "--root", str(tmp_path))
    assert proc.returncode == 2
    assert "launchready.yml:1:1: unknown key 'secrest'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_cli_missing_explicit_config_exits_2(tmp_path: Path) -> None:
    proc = run_cli("run", "--root", str(tmp_path), "--config", "missing.yml")
    assert proc.returncode == 2
    assert "config file 'missing.yml' not found" in proc.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            'domain:\n  apex: example.com\n  hosts:\n    - {name: "ww\\uD800w.example.com"}\n',
            "4:14",
        ),
        ('rollback:\n  strategy: workflow\n  workflow: "dep\\uDFFFloy.yml"\n', "3:13"),
        ('"k\\uD800ey": 1\n', "1:1"),
    ],
    ids=["domain-host", "rollback-workflow", "a-key"],
)
def test_a_lone_surrogate_is_a_problem_at_its_line(tmp_path: Path, text: str, where: str) -> None:
    # YAML's "\uD800" escape gives a string that cannot be encoded: an internal error
    # far from the line (a host name to resolve, a workflow file to dispatch) before.
    found = problems(tmp_path, text)
    assert any(f"launchready.yml:{where}" in p and "lone surrogate" in p for p in found), found
