"""`migrations.since` / `--since`: on a repository with a history, only the migrations
added after a commit, tag or date are linted; the older ones shipped and are read only
for what they define. Real git repositories in a temp dir, through the real CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import git, make_repo, run_cli

OLD = {
    "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint, email text, nid uuid);\n",
    "db/migrations/0002_old_index.sql": "CREATE INDEX users_email_idx ON users (email);\n",
}
NEW_INDEX = "SET lock_timeout = '2s';\nCREATE INDEX users_id_idx ON users (id);\n"
SAME_TYPE = "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN nid TYPE uuid;\n"


def _commit(root: Path, message: str, date: str | None = None) -> str:
    env = dict(os.environ)
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", message], check=True, env=env)
    return git(root, "rev-parse", "HEAD").strip()


def _errors(stdout: str) -> list[str]:
    return [line.split(": ")[0] for line in stdout.splitlines() if ": error " in line]


def _history(tmp_path: Path) -> Path:
    """Two shipped migrations (tagged v1), then two added after the tag."""
    root = make_repo(tmp_path / "r", OLD)
    git(root, "tag", "v1")
    (root / "db/migrations/0003_index.sql").write_text(NEW_INDEX)
    (root / "db/migrations/0004_same_type.sql").write_text(SAME_TYPE)
    _commit(root, "two more")
    return root


def test_only_migrations_added_after_the_tag_are_linted(tmp_path: Path) -> None:
    root = _history(tmp_path)
    (root / "launchready.yml").write_text("migrations:\n  since: v1\n")
    result = run_cli("run", "--root", str(root))
    assert result.returncode == 1, result.stdout + result.stderr
    # 0002's blocking index shipped with v1: history, not a finding. 0003's is new.
    assert _errors(result.stdout) == ["db/migrations/0003_index.sql:2"], result.stdout
    # what 0001 defined is still known: the same type again is no rewrite
    assert "0004_same_type.sql" not in result.stdout
    assert "2 SQL migrations" in result.stdout
    assert "2 older than v1" in result.stdout and "history" in result.stdout

    (root / "launchready.yml").write_text("migrations: {}\n")
    everything = run_cli("migrations", "check", "--root", str(root))
    assert "db/migrations/0002_old_index.sql:1" in everything.stdout  # without since


def test_the_option_overrides_the_config_and_takes_a_commit(tmp_path: Path) -> None:
    root = _history(tmp_path)
    (root / "launchready.yml").write_text("migrations:\n  since: v1\n")
    first = git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    git(root, "tag", "-d", "v1")  # the config now names nothing; the option decides
    result = run_cli("migrations", "check", "--root", str(root), "--since", first[:10])
    assert result.returncode == 1, result.stderr
    assert _errors(result.stdout) == ["db/migrations/0003_index.sql:2"], result.stdout
    assert f"older than {first[:10]} read as history" in result.stdout


def test_a_date_means_the_last_commit_before_it(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {}, commit=False)
    for rel, text in OLD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    _commit(root, "2023", "2023-03-01T12:00:00Z")
    (root / "db/migrations/0003_index.sql").write_text(NEW_INDEX)
    _commit(root, "2024", "2024-06-01T12:00:00Z")
    args = ("migrations", "check", "--root", str(root))
    in_2024 = run_cli(*args, "--since", "2024-01-01")
    assert _errors(in_2024.stdout) == ["db/migrations/0003_index.sql:2"], in_2024.stdout
    assert "older than 2024-01-01 (" in in_2024.stdout  # the commit it stands for
    # before the first commit nothing existed: every migration is new
    before = run_cli(*args, "--since", "2020-01-01")
    assert "db/migrations/0002_old_index.sql:1" in before.stdout, before.stdout
    # after the last one: nothing new, said so (not "clean")
    after = run_cli(*args, "--since", "2025-01-01")
    assert after.returncode == 0, after.stdout
    assert "no migration added since 2025-01-01" in after.stdout
    assert "3 earlier ones are history" in after.stdout


def test_a_migration_not_committed_yet_is_new(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", OLD)
    (root / "db/migrations/0003_index.sql").write_text(NEW_INDEX)  # untracked
    result = run_cli("migrations", "check", "--root", str(root), "--since", "HEAD")
    assert _errors(result.stdout) == ["db/migrations/0003_index.sql:2"], result.stdout


def test_a_pull_request_range_takes_precedence(tmp_path: Path) -> None:
    root = _history(tmp_path)
    base = git(root, "rev-parse", "HEAD~1").strip()
    result = run_cli(
        "migrations", "check", "--root", str(root), "--pr", f"{base}..HEAD", "--since", "HEAD"
    )
    assert _errors(result.stdout) == ["db/migrations/0003_index.sql:2"], result.stdout


def test_a_subfolder_root_compares_its_own_paths(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {f"api/{rel}": text for rel, text in OLD.items()})
    git(root, "tag", "v1")
    (root / "api/db/migrations/0003_index.sql").write_text(NEW_INDEX)
    _commit(root, "more")
    result = run_cli("migrations", "check", "--root", str(root / "api"), "--since", "v1")
    assert _errors(result.stdout) == ["db/migrations/0003_index.sql:2"], result.stdout


def test_what_git_cannot_name_is_an_error_with_its_place(tmp_path: Path) -> None:
    root = _history(tmp_path)
    (root / "launchready.yml").write_text("migrations:\n  paths: ['db/**/*.sql']\n  since: v9\n")
    result = run_cli("run", "--root", str(root))
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "launchready.yml:3" in out and "migrations.since" in out and "'v9'" in out
    assert "Traceback" not in out

    option = run_cli("migrations", "check", "--root", str(root), "--since", "no-such-ref")
    assert option.returncode == 2
    assert "--since 'no-such-ref' is not a commit" in option.stderr
    assert "Traceback" not in option.stderr

    not_a_string = root / "launchready.yml"
    not_a_string.write_text("migrations:\n  since: 20240101\n")
    typed = run_cli("run", "--root", str(root))
    assert typed.returncode == 2 and "launchready.yml:2" in typed.stderr


def test_outside_a_repository_since_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / "db/migrations").mkdir(parents=True)
    (root / "db/migrations/0001.sql").write_text(NEW_INDEX)
    result = run_cli("migrations", "check", "--root", str(root), "--since", "v1")
    assert result.returncode == 2 and "not inside a git repository" in result.stderr
