"""`launchready migrations dry-run` against a real PostgreSQL (see conftest.py)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, run_cli

_names = itertools.count()


def _new_database(postgres_url: str) -> str:
    import psycopg

    name = f"dry_run_{next(_names)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    return postgres_url.replace("/postgres?", f"/{name}?")


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A new, empty database for one test."""
    yield _new_database(postgres_url)


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
    assert sorted(_places(findings)) == [
        ("migrations/observed-lock", "db/migrations/0002_plan.sql", 2),
        ("migrations/observed-lock", "db/migrations/0003_email.sql", 1),
    ]
    seen = {
        f["location"]["path"]: (dict(f["properties"])["mode"], f["severity"])  # type: ignore[call-overload,index]
        for f in findings
    }
    # 0002 set lock_timeout: its ACCESS EXCLUSIVE lock is a notice when it was brief
    # (under 100 ms). How long it was depends on the machine's load, so the severity is
    # checked against the time the finding reports, not assumed.
    plan = next(f for f in findings if f["location"]["path"] == "db/migrations/0002_plan.sql")  # type: ignore[index]
    held_ms = float(re.search(r"(?:for|held it) ([0-9.]+) ms", str(plan["message"])).group(1))  # type: ignore[union-attr]
    brief = held_ms < 100
    assert seen == {
        "db/migrations/0002_plan.sql": ("AccessExclusiveLock", "notice" if brief else "warning"),
        "db/migrations/0003_email.sql": ("ShareLock", "warning"),
    }
    if brief:
        assert "took AccessExclusiveLock on users for" in output
        assert "after the file set lock_timeout: a brief lock" in output
    else:
        assert "took AccessExclusiveLock on users and held it" in output
    assert "took ShareLock on users and held it" in output
    assert "until COMMIT: every write of users waits" in output


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


def test_the_connection_string_is_never_printed(tmp_path: Path, database: str) -> None:
    root = make_repo(tmp_path / "r", {"db/migrations/0001_users.sql": USERS})
    secret = "Sup3r-Secret-" + "Pw-9x2"
    # Its own database: the act-run template test uses the cluster's `postgres` one.
    with_password = database.replace("postgres@", f"postgres:{secret}@")
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


def test_seeded_rows_make_the_dry_run_fail_like_production(tmp_path: Path, database: str) -> None:
    """The base branch creates the table empty; --seed-rows fills it before the new
    migration, so the rewrite is seen on rows and NOT NULL without a default fails."""
    schema = (
        "CREATE TYPE plan AS ENUM ('free', 'paid');\n"
        "CREATE TABLE teams (id serial PRIMARY KEY);\n"
        "CREATE TABLE members (id bigserial PRIMARY KEY, email varchar(40) NOT NULL UNIQUE,\n"
        "  team_id int NOT NULL REFERENCES teams, plan plan NOT NULL, joined date NOT NULL,\n"
        "  settings jsonb NOT NULL, token uuid NOT NULL, active boolean NOT NULL,\n"
        "  score numeric NOT NULL, tags text[] NOT NULL);\n"
    )
    root = make_repo(tmp_path / "r", {"db/migrations/0001_members.sql": schema})
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "db/migrations/0002_ids.sql").write_text(
        "SET lock_timeout = '2s';\nALTER TABLE members ALTER COLUMN score TYPE float8;\n"
    )
    (root / "db/migrations/0003_bio.sql").write_text(
        "ALTER TABLE members ADD COLUMN bio text NOT NULL;\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "new")
    code, output, findings = _run(root, database, "--pr", f"{base}..HEAD", "--seed-rows", "500")
    assert code == 1, output
    assert _places(findings) == [
        ("migrations/observed-rewrite", "db/migrations/0002_ids.sql", 2),
        ("migrations/dry-run-error", "db/migrations/0003_bio.sql", 1),
        ("migrations/observed-lock", "db/migrations/0002_ids.sql", 2),
    ]
    assert "members seeded with 500 rows" in output
    assert "SQLSTATE 23502" in output  # not_null_violation, as on production's rows

    code, output, findings = _run(root, database.replace("dry_run", "nope"), "--seed-rows", "0")
    assert code == 1 and "cannot connect" in output


def test_without_seed_rows_an_empty_table_hides_the_not_null_failure(
    tmp_path: Path, database: str
) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_t.sql": "CREATE TABLE t (id int);\n",
            "db/migrations/0002_t.sql": "ALTER TABLE t ADD COLUMN c text NOT NULL;\n",
        },
    )
    code, output, findings = _run(root, database, "--seed-rows", "0")
    assert code == 0, output
    assert [p[0] for p in _places(findings)] == ["migrations/observed-lock"], output


def test_a_failing_down_migration_is_reported(tmp_path: Path, database: str) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            # dbmate: both parts in one file; the down names the wrong table.
            "db/migrations/0002_invites.sql": (
                "-- migrate:up\n"
                "CREATE TABLE invites (id bigint PRIMARY KEY, user_id bigint);\n"
                "\n"
                "-- migrate:down\n"
                "DROP TABLE invitations;\n"
            ),
        },
    )
    code, output, findings = _run(root, database)
    assert code == 1, output
    assert _places(findings) == [("migrations/rollback-fails", "db/migrations/0002_invites.sql", 5)]
    assert 'the down migration fails: table "invitations" does not exist' in output


def test_a_down_migration_that_leaves_something_behind(tmp_path: Path, database: str) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            # golang-migrate: NAME.up.sql and NAME.down.sql; the down forgets the index.
            "db/migrations/0002_codes.up.sql": (
                "CREATE TABLE codes (id bigint);\nCREATE INDEX codes_id_idx ON codes (id);\n"
                "CREATE TYPE code_kind AS ENUM ('a');\n"
            ),
            "db/migrations/0002_codes.down.sql": "DROP TABLE codes;\n",
            # goose, with a down that works.
            "db/migrations/0003_bio.sql": (
                "-- +goose Up\nALTER TABLE users ADD COLUMN bio text;\n"
                "-- +goose Down\nALTER TABLE users DROP COLUMN bio;\n"
            ),
        },
    )
    code, output, findings = _run(root, database, "--seed-rows", "0")
    assert code == 1, output
    rollback = [p for p in _places(findings) if p[0] == "migrations/rollback-fails"]
    assert rollback == [("migrations/rollback-fails", "db/migrations/0002_codes.up.sql", 3)]
    assert 'type "code_kind" already exists' in output
    assert "the down migration leaves something behind" in output


def test_downs_that_work_are_proven_and_can_be_skipped(
    tmp_path: Path, database: str, postgres_url: str
) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_codes.up.sql": "CREATE TABLE codes (id bigint);\n",
            "db/migrations/0001_codes.down.sql": "DROP TABLE codes;\n",
        },
    )
    code, output, findings = _run(root, database)
    assert code == 0 and findings == [], output
    assert "rollback proven for 1 (down, then up again)" in output
    # On a database of its own, so that the run succeeds for the right reason.
    code, output, findings = _run(root, _new_database(postgres_url), "--no-rollback")
    assert code == 0 and findings == [], output
    assert "rollback proven" not in output and "1 SQL migrations run" in output


def test_a_schema_dump_replaces_the_earlier_migrations(tmp_path: Path, database: str) -> None:
    dump = tmp_path / "schema.sql"
    dump.write_text(
        "\\restrict abc\n"  # psql meta-commands, as pg_dump 17 writes them
        "SET statement_timeout = 0;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE TABLE public.users (id bigint NOT NULL, email text);\n"
        "\\unrestrict abc\n"
    )
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": "THIS IS NOT RUN;\n",
            "db/migrations/0002_plan.sql": "ALTER TABLE users ADD COLUMN plan text;\n",
        },
    )
    base = git(root, "rev-parse", "HEAD~0").strip()
    (root / "db/migrations/0003_x.sql").write_text("CREATE INDEX users_email ON users (email);\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "x")
    code, output, findings = _run(
        root, database, "--schema-dump", str(dump), "--pr", f"{base}..HEAD"
    )
    assert code == 0, output
    assert _places(findings) == [("migrations/observed-lock", "db/migrations/0003_x.sql", 1)]
    assert "schema loaded from schema.sql" in output and "users seeded with 1,000 rows" in output

    dump.write_text("CREATE TABLE ok (id int);\nCREATE TABLE broken (;\n")
    code, output, _ = _run(root, database, "--schema-dump", str(dump), "--pr", f"{base}..HEAD")
    assert code == 2 and "schema.sql:2: the schema dump is not PostgreSQL SQL" in output
    assert "Traceback" not in output


def test_a_bad_lock_timeout_is_a_usage_error(tmp_path: Path, database: str) -> None:
    root = make_repo(tmp_path / "r", {"db/migrations/0001_users.sql": USERS})
    code, output, _ = _run(root, database, "--lock-timeout", "soon")
    assert code == 2 and "--lock-timeout 'soon'" in output


def test_concurrently_in_a_file_the_tool_wraps_fails(tmp_path: Path, database: str) -> None:
    """Supabase runs each file in a transaction: the dry run does too."""
    root = make_repo(
        tmp_path / "r",
        {
            "supabase/migrations/20260101000000_users.sql": USERS,
            "supabase/migrations/20260102000000_idx.sql": (
                "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
            ),
        },
    )
    code, output, findings = _run(root, database)
    assert code == 1, output
    assert _places(findings) == [
        ("migrations/dry-run-error", "supabase/migrations/20260102000000_idx.sql", 1)
    ]
    assert "SQLSTATE 25001" in output  # active_sql_transaction


def test_check_with_dry_run_reports_both_in_one_report(tmp_path: Path, database: str) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001_users.sql": USERS,
            "db/migrations/0002_idx.sql": "CREATE INDEX users_email_idx ON users (email);\n",
        },
    )
    out = tmp_path / "both.json"
    result = run_cli(
        "migrations",
        "check",
        "--dry-run",
        "--root",
        str(root),
        "--json",
        str(out),
        env={"LAUNCHREADY_DATABASE_URL": database},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(out.read_text())["findings"]
    assert sorted(_places(findings)) == [
        ("migrations/index-not-concurrent", "db/migrations/0002_idx.sql", 1),
        ("migrations/missing-lock-timeout", "db/migrations/0002_idx.sql", 1),
        ("migrations/observed-lock", "db/migrations/0002_idx.sql", 1),
    ]
    result = run_cli("migrations", "check", "--dry-run", "--root", str(root), env={})
    assert result.returncode == 2
    assert "--dry-run needs --database-url URL or LAUNCHREADY_DATABASE_URL" in result.stderr


def test_pop_templates_are_filled_from_the_config(tmp_path: Path, database: str) -> None:
    """gobuffalo/pop (supabase/auth) names its schema with a Go template option: the dry
    run applies what pop would send, with ``migrations.placeholders``."""
    import psycopg

    ns = '{{ index .Options "Namespace" }}'
    root = make_repo(
        tmp_path / "r",
        {
            "launchready.yml": "version: 1\nmigrations:\n  placeholders: {Namespace: auth}\n",
            "migrations/00_init.up.sql": (
                f"CREATE SCHEMA IF NOT EXISTS {ns};\n"
                f"CREATE TABLE {ns}.users (id bigint PRIMARY KEY, email text);\n"
            ),
            "migrations/20260101000000_bio.up.sql": (
                f"SET lock_timeout = '2s';\nALTER TABLE {ns}.users ADD COLUMN bio text;\n"
            ),
        },
    )
    code, output, findings = _run(root, database, "--no-rollback")
    assert code == 0, output
    assert not [f for f in findings if f["rule_id"] == "migrations/dry-run-error"], findings
    assert "{{" not in output
    with psycopg.connect(database) as conn:
        assert conn.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_schema = 'auth' AND table_name = 'users' AND column_name = 'bio'"
        ).fetchone() == (1,)  # applied in the schema the config names
