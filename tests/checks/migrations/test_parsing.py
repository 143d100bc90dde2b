"""Hostile SQL: parsing never takes the process down, and costs linear work.

Each test here failed before its fix: a deep expression killed ``migrations check`` with
SIGSEGV (no report at all), a NUL byte silently ended the file (0 findings for
``SELECT 1;\\0DROP TABLE members;``), and every statement copied the rest of the file and
the file's sets, so N copies of one ALTER TABLE took time and memory quadratic in N.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.checks.migrations.check import lint
from launchready_ci.checks.migrations.sql import SqlError, statements
from tests.helpers import make_repo

LAUNCHREADY = str(Path(sys.executable).parent / "launchready")


def _check(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process: a crash in the parser must show as a crash here."""
    return subprocess.run(
        [LAUNCHREADY, "migrations", "check", "--root", str(root), "--no-summary", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("terms", [5_000, 50_000])
def test_a_deep_expression_is_a_parse_error_with_a_report(tmp_path: Path, terms: int) -> None:
    root = tmp_path / "repo"
    sql = "SET lock_timeout = '2s';\n" + "SELECT 1" + " + 1" * terms + ";\n"
    make_repo(root, {"db/migrations/0001_deep.sql": sql})
    out = _check(root, "--json", str(tmp_path / "r.json"), "--sarif", str(tmp_path / "r.sarif"))
    assert out.returncode == 1, (out.returncode, out.stderr[-2000:])  # a finding, no crash
    report = json.loads((tmp_path / "r.json").read_text())
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "migrations/parse-error"]
    assert finding["location"]["start_line"] == 2
    assert "nested too deeply" in finding["message"]
    assert json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]


def test_a_nul_byte_is_a_parse_error_at_its_line() -> None:
    with pytest.raises(SqlError) as err:
        list(statements("m.sql", "SELECT 1;\nSELECT 2;\0DROP TABLE members;\n", set()))
    assert err.value.line == 2
    assert "NUL" in err.value.message


def test_statements_share_state_and_hold_only_their_own_text() -> None:
    """Per-statement work independent of the file's length: no statement keeps a copy of
    the rest of the file or of the file's growing sets (both were copied per statement)."""
    n = 4000
    text = "".join(f"ALTER TABLE members ADD COLUMN c{i} int;\n" for i in range(n))
    stmts = []
    for stmt in statements("m.sql", text, set()):
        stmts.append(stmt)
    assert len(stmts) == n
    assert [s.line for s in stmts[:3]] == [1, 2, 3] and stmts[-1].line == n
    assert all(s.state is stmts[0].state for s in stmts)
    assert sum(len(s.sql) for s in stmts) <= len(text)
    assert len(stmts[0].state.added_columns) == n


def _calls(text: str) -> int:
    """Python and C function calls made while reading every statement of ``text``."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        for _ in statements("m.sql", text, set()):
            pass
    finally:
        sys.setprofile(None)
    return count


def test_work_grows_linearly_with_the_number_of_statements() -> None:
    one = "ALTER TABLE members ADD COLUMN bio text;\n"
    small, large = _calls(one * 500), _calls(one * 2000)
    assert large < 4.4 * small, (small, large)


_FRAGMENTS = [
    "ALTER TABLE members ",
    "ADD COLUMN c int ",
    "NOT NULL ",
    "DEFAULT uuid() ",
    "REFERENCES t (id) ",
    "ALTER COLUMN c TYPE varchar(10) ",
    "CREATE INDEX i ON members (c) ",
    "UPDATE members SET a = 1, a = 2 ",
    "BEGIN",
    "COMMIT",
    ";",
    "\n",
    "(",
    ")",
    "'x'",
    '"😀"',
    "$$ body $$",
    "-- comment\n",
    "\0",
    "1 + ",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=20), max_size=40))
def test_any_text_is_statements_or_a_parse_error(parts: list[str]) -> None:
    """The property: a result or a clear SqlError, never another exception; every lint
    rule runs on whatever parses."""
    text = "".join(parts)
    try:
        for stmt in statements("m.sql", text, set(), wrapped=True):
            list(lint(stmt))
    except SqlError as exc:
        assert exc.line >= 1 and exc.message
