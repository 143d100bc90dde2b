"""`launchready migrations check` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import make_repo, run_cli


def test_reports_each_problem_on_its_line_with_sarif(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint, email text);\n",
            "db/migrations/0002_index.sql": "CREATE INDEX users_email_idx ON users (email);\n",
        },
    )
    sarif = tmp_path / "m.sarif"
    result = run_cli("migrations", "check", "--root", str(root), "--sarif", str(sarif))
    assert result.returncode == 1, result.stderr
    assert "db/migrations/0002_index.sql:1: error migrations/index-not-concurrent" in result.stdout
    assert "scanned: 2 migration files, 2 statements" in result.stdout
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["migrations/index-not-concurrent"]


def test_run_skips_it_until_configured_and_says_how(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"migrations/0001.sql": "CREATE INDEX i ON t (c);\n"})
    result = run_cli("run", "--root", str(root))
    assert result.returncode == 0, result.stdout
    assert "migrations: {}" in result.stdout  # the snippet that enables it


def test_no_migrations_is_skipped_not_clean(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hi\n"})
    result = run_cli("migrations", "check", "--root", str(root))
    assert result.returncode == 0
    assert "skipped" in result.stdout and "no SQL migrations match" in result.stdout


def test_a_bad_config_value_exits_2(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"launchready.yml": "migrations:\n  paths: db/*.sql\n"})
    result = run_cli("migrations", "check", "--root", str(root))
    assert result.returncode == 2
    assert "launchready.yml:2" in result.stderr and "Traceback" not in result.stderr
