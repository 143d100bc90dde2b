"""Reading values: the process environment, dotenv, JSON and ``env -0`` files. Errors
name the file and a line or entry, never content; nothing is logged."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.checks.env_inventory.values import (
    PROCESS_ENVIRONMENT,
    ValueSource,
    load_values,
    parse_values,
)
from launchready_ci.errors import UsageError

SECRET = "Planted" + "ValueZx81Qw"


def test_none_reads_the_given_environ() -> None:
    source = load_values(None, {"A": "1", "B": SECRET})
    assert source.label == PROCESS_ENVIRONMENT == "the process environment"
    assert dict(source.values) == {"A": "1", "B": SECRET}


def test_repr_never_shows_values() -> None:
    source = load_values(None, {"B": SECRET})
    assert SECRET not in repr(source)
    assert SECRET not in str(source)
    assert isinstance(source, ValueSource)


def test_values_are_read_only(tmp_path: Path) -> None:
    source = load_values(None, {"A": "1"})
    with pytest.raises(TypeError):
        source.values["A"] = "2"  # type: ignore[index]


def test_dotenv(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    path.write_text(
        "# comment\n"
        "\n"
        "A=1\n"
        "export B='two words'\n"
        'C="line1\\nline2"\n'
        "D=${A}/x\n"
        "E=\n"
        "F\n"
        "G=with # not a comment\n"
        "H=x # a comment\n",
        encoding="utf-8",
    )
    source = load_values(str(path), {})
    assert source.label == str(path)
    assert dict(source.values) == {
        "A": "1",
        "B": "two words",
        "C": "line1\nline2",
        "D": "${A}/x",  # not expanded: platforms take env files literally
        "E": "",
        "F": "",
        "G": "with",  # python-dotenv: unquoted " #" starts a comment
        "H": "x",
    }


def test_dotenv_with_a_byte_order_mark() -> None:
    assert parse_values("\ufeffA=1\n".encode(), "x") == {"A": "1"}


def test_json_object_of_strings(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    path.write_text(json.dumps({"A": "1", "B": "x\ny"}), encoding="utf-8")
    assert dict(load_values(str(path), {}).values) == {"A": "1", "B": "x\ny"}


def test_jq_env_output(tmp_path: Path) -> None:
    jq = subprocess.run(["which", "jq"], capture_output=True, text=True, check=False)
    if jq.returncode != 0:
        pytest.skip("jq is not installed")
    out = subprocess.run(
        ["jq", "-n", "env"], capture_output=True, env={"A": "1", "B": "two\nlines"}, check=True
    ).stdout
    assert parse_values(out, "env.json") == {"A": "1", "B": "two\nlines"}


def test_env0_dump(tmp_path: Path) -> None:
    out = subprocess.run(
        ["env", "-0"], capture_output=True, env={"A": "1", "B": "two\nlines=x"}, check=True
    ).stdout
    path = tmp_path / "env.0"
    path.write_bytes(out)
    values = dict(load_values(str(path), {}).values)
    assert values["A"] == "1"
    assert values["B"] == "two\nlines=x"


def test_env0_skips_entries_that_are_not_variables() -> None:
    raw = b"A=1\0BASH_FUNC_f%%=() {  true\n}\0B=\0"
    assert parse_values(raw, "x") == {"A": "1", "B": ""}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"A=1\nB='unterminated\n", "env:2: not a NAME=value line"),
        (b"A=1\n'bad key=1\n", "env:2: not a NAME=value line"),
        (b"\xff\xfeA=1", "env: not UTF-8 text (byte 0)"),
        (b'{"A": 1}', "env: the value of 'A' is a JSON int, expected a string"),
        (b'{"A": null}', "env: the value of 'A' is a JSON null"),
        (b'{"A": "1",}', "env:1:11: invalid JSON (Expecting property name"),
        (b"A=1\0" + b"NOEQUALS\0", "env: entry 2 of the env -0 dump is not NAME=value"),
        (b"A=\xff\0", "env: entry 1 of the env -0 dump is not UTF-8"),
        (b"[1]", "env: expected a JSON object"),
    ],
)
def test_parse_errors(raw: bytes, expected: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_values(raw, "env")
    assert str(info.value).startswith(expected), str(info.value)


def test_a_json_list_value_is_refused() -> None:
    with pytest.raises(UsageError, match="the value of 'A' is a JSON list"):
        parse_values(b'{"A": ["x"]}', "env")


@pytest.mark.parametrize(
    "content",
    [
        f"A=1\nB='{SECRET}\n",  # unterminated quote
        f"{SECRET}\n'x=1\n",
        f'{{"A": "{SECRET}",}}',
        f'{{"A": ["{SECRET}"]}}',
    ],
)
def test_errors_never_hold_content(tmp_path: Path, content: str) -> None:
    path = tmp_path / "env"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_values(str(path), {})
    assert "Planted" not in str(info.value)
    assert "ValueZx" not in repr(info.value)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        load_values(str(tmp_path / "nope.env"), {})
    assert str(info.value) == f"cannot read {tmp_path / 'nope.env'}: No such file or directory"
    assert info.value.exit_code == 2
    with pytest.raises(UsageError, match="Is a directory"):
        load_values(str(tmp_path), {})


def test_python_dotenv_logs_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "env"
    path.write_text(f"A={SECRET}\nB='{SECRET}\n", encoding="utf-8")
    with pytest.raises(UsageError):
        load_values(str(path), {})
    path.write_text(f"A={SECRET}\n", encoding="utf-8")
    assert load_values(str(path), {}).values["A"] == SECRET
    assert not [r for r in caplog.records if r.name.startswith("dotenv")]
    assert SECRET not in caplog.text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_parse_values_gives_values_or_a_usage_error(raw: bytes) -> None:
    try:
        values = parse_values(raw, "env")
    except UsageError:
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
