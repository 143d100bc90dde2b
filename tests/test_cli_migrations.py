"""`launchready migrations check` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import git, make_repo, run_cli


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
    assert "scanned: 2 SQL migrations (2 statements), 0 Django/Alembic" in result.stdout
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == [
        "migrations/index-not-concurrent",
        "migrations/missing-lock-timeout",  # the build waits for its SHARE lock
    ]


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


def test_pr_mode_lints_only_the_pull_requests_migrations(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint, email text);\n",
            "db/migrations/0002_old.sql": "CREATE INDEX old_idx ON users (email);\n",
        },
    )
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "db/migrations/0003_teams.sql").write_text("CREATE TABLE teams (id bigint);\n")
    (root / "db/migrations/0004_indexes.sql").write_text(
        "CREATE INDEX teams_id_idx ON teams (id);\nCREATE INDEX users_id_idx ON users (id);\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "teams")
    head = git(root, "rev-parse", "HEAD").strip()
    result = run_cli("migrations", "check", "--pr", f"{base}..HEAD", "--root", str(root))
    assert result.returncode == 1, result.stderr
    # 0002 was merged before; teams is created by the pull request itself, so it is new.
    places = [line.split(": ")[0] for line in result.stdout.splitlines() if ": error " in line]
    assert places == ["db/migrations/0004_indexes.sql:2"], result.stdout
    assert "2 SQL migrations" in result.stdout

    event = tmp_path / "event.json"
    pull = {"base": {"sha": base}, "head": {"sha": head}}
    event.write_text(json.dumps({"pull_request": pull}))
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    by_event = run_cli("migrations", "check", "--event", "--root", str(root), env=env)
    assert by_event.returncode == 1 and "0004_indexes.sql:2" in by_event.stdout


def test_a_pull_request_without_migrations_is_skipped(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"migrations/0001.sql": "CREATE INDEX i ON t (c);\n"})
    (root / "README.md").write_text("docs\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "docs")
    result = run_cli("migrations", "check", "--pr", "HEAD~1..HEAD", "--root", str(root))
    assert result.returncode == 0 and "no migration added or changed" in result.stdout


def test_a_file_wide_ignore_covers_every_line_and_an_unused_one_is_reported(
    tmp_path: Path,
) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint, email text);\n",
            "db/migrations/0002_index.sql": (
                "-- launchready: ignore-file[migrations/index-not-concurrent] built at night\n"
                "SET lock_timeout = '2s';\n"
                "CREATE INDEX users_email_idx ON users (email);\n"
                "\n"
                "CREATE INDEX users_id_idx ON users (id);\n"
                "ALTER TABLE users RENAME COLUMN email TO mail;\n"
            ),
            "db/migrations/0003_ok.sql": (
                "-- launchready: ignore-file[migrations/breaking-change] nothing breaks here\n"
                "CREATE TABLE plans (id bigint);\n"
            ),
        },
    )
    out = tmp_path / "m.json"
    result = run_cli("migrations", "check", "--root", str(root), "--json", str(out))
    findings = json.loads(out.read_text())["findings"]
    live = [
        (f["rule_id"], f["location"]["path"], f["location"]["start_line"])
        for f in findings
        if not f.get("suppressed")
    ]
    assert sorted(live) == [
        ("launchready/unused-ignore", "db/migrations/0003_ok.sql", 1),
        ("migrations/breaking-change", "db/migrations/0002_index.sql", 6),
    ], result.stdout
    assert "File-wide ignore of migrations/breaking-change matches no finding" in result.stdout


def test_the_target_postgres_version_changes_the_advice(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "launchready.yml": "migrations:\n  postgres_version: 11\n",
            "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint, plan text);\n",
            "db/migrations/0002_nn.sql": (
                "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN plan SET NOT NULL;\n"
            ),
        },
    )
    result = run_cli("migrations", "check", "--root", str(root))
    assert "before PostgreSQL 12 (postgres_version 11) no CHECK spares it" in result.stdout
    (root / "launchready.yml").write_text("migrations:\n  postgres_version: 7\n")
    result = run_cli("migrations", "check", "--root", str(root))
    assert result.returncode == 2 and "postgres_version" in result.stderr + result.stdout
