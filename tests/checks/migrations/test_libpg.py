"""The parser called without importing pglast answers exactly as pglast does, and leaves
to pglast what it cannot answer (errors, text that is not UTF-8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pglast import parser

from launchready_ci.checks.migrations import libpg

SQL = [
    "SELECT 1",
    "ALTER TABLE members ADD COLUMN bio text NOT NULL DEFAULT '';",
    'CREATE TABLE "Ünïcödé 😀" (id bigint PRIMARY KEY, "a""b" int);\nSELECT \'€\' AS x;',
    "CREATE INDEX CONCURRENTLY i ON t (lower(email)) WHERE deleted_at IS NULL; -- note",
    "DO $$ BEGIN RAISE NOTICE 'x'; END $$; /* comment */ UPDATE t SET a = 1",
    f"CREATE TABLE {'member_' * 10}events (id bigint);",
    "",
    "   ",
]
BAD = ["SELEC 1", "SELECT 'unterminated", "CREATE TABLE (", 'SELECT "x']


def _pglast_tokens(sql: str) -> list[tuple[str, bool]]:
    return [(sql[t.start : t.end + 1], t.name == "IDENT") for t in parser.scan(sql)]


def _our_tokens(sql: str) -> list[tuple[str, bool]] | None:
    data = sql.encode()
    tokens = libpg.scan(data)
    if tokens is None:
        return None
    return [(data[t.start : t.end].decode(), t.ident) for t in tokens]


@pytest.mark.parametrize("sql", SQL)
def test_the_same_tree_and_tokens_as_pglast(sql: str) -> None:
    assert libpg.parse_json(sql.encode()) == parser.parse_sql_json(sql).encode()
    assert _our_tokens(sql) == _pglast_tokens(sql)


@pytest.mark.parametrize("sql", BAD)
def test_an_error_is_left_to_pglast(sql: str) -> None:
    with pytest.raises(parser.ParseError):
        parser.parse_sql_json(sql)
    assert libpg.parse_json(sql.encode()) is None


def test_text_that_is_not_utf8_is_left_to_pglast() -> None:
    data = "SELECT '\ud800'".encode("utf-8", "surrogatepass")
    assert libpg.parse_json(data) is None
    assert libpg.scan(data) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*"ab \"'$;()-\n/*é😀", "SELECT ", "x1", "$$"])).map("".join))
def test_any_text_tokens_as_pglast(sql: str) -> None:
    try:
        expected = _pglast_tokens(sql)
    except parser.ParseError:
        expected = None
    if "\0" not in sql:
        assert _our_tokens(sql) == expected


def test_a_sql_history_is_checked_without_importing_pglast(tmp_path: Path) -> None:
    """pglast's node classes and enums cost 25-30 ms of start-up that the check does not
    use (it reads libpg_query's JSON)."""
    code = (
        "import sys\n"
        "from launchready_ci.checks.migrations.sql import statements\n"
        "from launchready_ci.checks.migrations.check import lint\n"
        f"sql = 'CREATE TABLE {'x' * 70} (id int);\\nALTER TABLE t ADD COLUMN c int;'\n"
        "found = [f for s in statements('m.sql', sql, set()) for f in lint(s)]\n"
        "assert any(f.rule_id == 'migrations/identifier-too-long' for f in found), found\n"
        "print(sorted(m for m in sys.modules if m.startswith('pglast')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "[]", out.stdout
