"""`launchready migrations dry-run` against a real PostgreSQL (see conftest.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, run_cli

_names = itertools.count()


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A new, empty database for one test."""
    import psycopg

    name = f"dry_run_{next(_names)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    yield postgres_url.replace("/postgres?", f"/{name}?")


USERS = (
    "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
    "INSERT INTO users SELECT g, 'm' || g FROM generate_series(1, 1000) g;\n"
)


def _run(root: Path, url: str, *args: str) -> tuple[int, str, list[dict[str, object]]]:
    out = root.parent / "dry.json"
    env = {"LAUNCHREADY_DATABASE_URL": url}
    result = run_cli(
        "migrations", "dry-run", "--root", str(root), "--json", str(out), *args, env=env
    )
    findings = json.loads(out.read_text())["findings"] if out.exists() else []
    return result.returncode, result.stdout + result.stderr, findings


def _places(findings: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (f["rule_id"], f["location"]["path"], f["location"]["start_line"])  # type: ignore[index]
        for f in findings
    ]


def test_the_locks_each_statement_takes_are_reported(tmp_path: Path, database: str) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            "db/migrations/0002_plan.sql": (
                "SET lock_timeout = '2s';\n"
                "ALTER TABLE users ADD COLUMN plan text;\n"
                "CREATE INDEX users_plan_idx ON users (plan);\n"
            ),
            "db/migrations/0003_email.sql": "CREATE INDEX users_email_idx ON users (email);\n",
            "db/migrations/0004_safe.sql": (
                "CREATE INDEX CONCURRENTLY users_id_email_idx ON users (id, email);\n"
            ),
        },
    )
    code, output, findings = _run(root, database)
    assert code == 0, output
    assert _places(findings) == [
        ("migrations/observed-lock", "db/migrations/0002_plan.sql", 2),
        ("migrations/observed-lock", "db/migrations/0003_email.sql", 1),
    ]
    modes = [dict(f["properties"])["mode"] for f in findings]  # type: ignore[call-overload]
    assert modes == ["AccessExclusiveLock", "ShareLock"]
    assert "AccessExclusiveLock on users (blocks reads and writes" in output


def test_a_failing_statement_is_an_error_on_its_line(tmp_path: Path, database: str) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            "db/migrations/0002_plan.sql": (
                "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
            ),
        },
    )
    code, output, findings = _run(root, database)
    assert code == 1, output
    assert _places(findings) == [("migrations/dry-run-error", "db/migrations/0002_plan.sql", 2)]
    assert "SQLSTATE 23502" in output  # not_null_violation: the table has rows


def test_pr_mode_applies_earlier_migrations_and_observes_the_new_ones(
    tmp_path: Path, database: str
) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            "db/migrations/0002_old.sql": "CREATE INDEX old_idx ON users (email);\n",
        },
    )
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "db/migrations/0003_bio.sql").write_text("ALTER TABLE users ADD COLUMN bio text;\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bio")
    code, output, findings = _run(root, database, "--pr", f"{base}..HEAD")
    assert code == 0, output
    assert _places(findings) == [("migrations/observed-lock", "db/migrations/0003_bio.sql", 1)]
    assert "1 SQL migrations run" in output


def test_the_connection_string_is_never_printed(tmp_path: Path, postgres_url: str) -> None:
    root = make_repo(tmp_path / "r", {"db/migrations/0001_users.sql": USERS})
    secret = "Sup3r-Secret-" + "Pw-9x2"
    with_password = postgres_url.replace("postgres@", f"postgres:{secret}@")
    wrong_port = with_password.rsplit("port=", 1)[0] + "port=1"
    for url in (with_password, wrong_port):
        code, output, findings = _run(root, url)
        assert secret not in output and secret not in json.dumps(findings)
        assert "Traceback" not in output
    assert code == 1 and "cannot connect to the database" in output


def test_a_rewrite_of_a_seeded_table_is_detected(tmp_path: Path, database: str) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            "db/migrations/0002_ids.sql": (
                "SET lock_timeout = '2s';\n"
                "ALTER TABLE users ADD COLUMN joined timestamptz DEFAULT now();\n"
                "ALTER TABLE users ALTER COLUMN id TYPE numeric;\n"
            ),
        },
    )
    code, output, findings = _run(root, database)
    assert code == 1, output
    rewrites = [p for p in _places(findings) if p[0] == "migrations/observed-rewrite"]
    # now() is stable: no rewrite on line 2; the type change rewrites the 1,000 rows.
    assert rewrites == [("migrations/observed-rewrite", "db/migrations/0002_ids.sql", 3)]
