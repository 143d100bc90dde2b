"""The starter workflows in workflow-templates/, run with act as a user would copy them.
The migrations job's service container is played by the test session's PostgreSQL.

A user's repository is built in a temp dir: a pull request whose first commit adds a fake
Stripe key and whose second removes it. The template is copied into its
.github/workflows/, and `launchready/launchready-ci@v1` is mapped to a snapshot of this
working tree with ``--local-repository`` (the other remote actions to the offline stubs),
then act runs the pull_request event.
"""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

import pytest

from tests.actions.test_act import (
    act_binary,
    annotations,
    printed,
    remote_actions,
    run_act,
    snapshot,
)
from tests.helpers import git

pytestmark = pytest.mark.act

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "workflow-templates/launchready-pr.yml"


def _fake_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "sk_" + "live_" + "".join(secrets.choice(alphabet) for _ in range(28))


REPOSITORY = "acme/clubhouse"


def _command(act: str, base_dir: Path, source: Path, event: Path, *extra: str) -> list[str]:
    command = [
        act, "pull_request",
        "-e", str(event),
        "-W", ".github/workflows/launchready-pr.yml",
        "-P", "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--pull=false",
        "--no-cache-server",
        "--action-cache-path", str(base_dir / "act-cache"),
        "--defaultbranch", "main",
        "--local-repository", f"launchready/launchready-ci@v1={source}",
        *extra,
    ]  # fmt: skip
    for action, stub in sorted(remote_actions(source).items()):
        command += ["--local-repository", f"{action}={stub}"]
    return command


def _event(path: Path, base: str, head: str, head_repository: str) -> Path:
    pull = {
        "number": 7,
        "commits": 2,
        "base": {"sha": base, "ref": "main", "repo": {"full_name": REPOSITORY}},
        "head": {"sha": head, "ref": "feature", "repo": {"full_name": head_repository}},
    }
    path.write_text(json.dumps({"pull_request": pull, "number": 7}))
    return path


@pytest.fixture(scope="module")
def user_repo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, Path, str, str, str, str]:
    """(base dir, source snapshot, repo, key, base sha, head sha, commit that adds the key)."""
    base_dir = tmp_path_factory.mktemp("template")
    source = snapshot(base_dir / "launchready-ci")
    repo = base_dir / "user-repo"
    (repo / "app").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    # act names the repository after its origin remote (GITHUB_REPOSITORY).
    git(repo, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    (repo / "app" / "settings.py").write_text("DEBUG = False\n")
    (repo / "db" / "migrations").mkdir(parents=True)
    (repo / "db" / "migrations" / "0001_users.sql").write_text(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
    )
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "launchready-pr.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    key = _fake_key()
    (repo / "app" / "settings.py").write_text(f'DEBUG = False\nSTRIPE_KEY = "{key}"\n')
    (repo / "db" / "migrations" / "0002_index.sql").write_text(
        "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add a key and an index")
    added = git(repo, "rev-parse", "HEAD").strip()
    (repo / "app" / "settings.py").write_text("DEBUG = False\n")
    git(repo, "commit", "-q", "-am", "remove the key")
    head = git(repo, "rev-parse", "HEAD").strip()
    return base_dir, source, repo, key, base, head, added


@pytest.fixture(scope="module")
def pr_run(user_repo, postgres_url: str) -> tuple[str, str, str, int]:
    base_dir, source, repo, key, base, head, added = user_repo
    event = _event(base_dir / "event.json", base, head, REPOSITORY)
    command = _command(
        act_binary(), base_dir, source, event,
        # act runs no service containers on the host: the session's PostgreSQL plays the
        # job's, on 127.0.0.1. The template's URL has the port of job.services, empty
        # here, and libpq then takes PGPORT.
        "--env", f"PGPORT={postgres_url.rsplit('port=', 1)[1]}",
    )  # fmt: skip
    code, log = run_act(command, repo, base_dir / "act.log")
    return log, key, added, code


def test_a_fork_pull_request_skips_the_upload_and_still_fails(user_repo) -> None:
    """A fork's token is read-only: no SARIF upload (a notice says why), the findings
    still fail the job."""
    base_dir, source, repo, _, base, head, _ = user_repo
    event = _event(base_dir / "fork-event.json", base, head, "someone/clubhouse")
    command = _command(act_binary(), base_dir, source, event, "-j", "secrets")
    code, log = run_act(command, repo, base_dir / "fork-act.log")
    assert code != 0
    job = _job(log, "secrets")
    assert "🏁  Job failed" in job, log[-4000:]
    assert any(a.startswith("::error file=app/settings.py,line=2") for a in annotations(job))
    assert "::notice title=launchready-ci::SARIF not uploaded: on a pull request from a fork" in job
    assert not [x for x in printed(job) if x.startswith("upload-sarif stub:")]


def _job(log: str, name: str) -> str:
    return "\n".join(
        x for x in log.splitlines() if x.startswith(f"[launchready pull request/{name}")
    )


def test_the_secrets_job_fails_on_the_key_the_pull_request_removed(
    pr_run: tuple[str, str, str, int],
) -> None:
    log, _, added, code = pr_run
    assert code != 0, "a key in the pull request's commits must fail the workflow"
    secrets_job = _job(log, "secrets")
    assert "🏁  Job failed" in secrets_job, log[-4000:]
    errors = [
        a for a in annotations(secrets_job) if a.startswith("::error file=app/settings.py,line=2")
    ]
    assert errors and "secrets/provider-credential" in errors[0] and added[:12] in errors[0]
    assert any(
        x.startswith("upload-sarif stub: category=launchready-secret-scan ")
        for x in printed(secrets_job)
    )
    # The scope line: both commits of the pull request were read, not the working tree.
    assert any("scanned: " in x and ", 2 commits: " in x for x in printed(secrets_job))


def test_the_env_job_passes_without_an_inventory(pr_run: tuple[str, str, str, int]) -> None:
    log = pr_run[0]
    assert "🏁  Job succeeded" in _job(log, "environment variables"), log[-4000:]


def test_the_key_is_not_in_the_log(pr_run: tuple[str, str, str, int]) -> None:
    log, key, _, _ = pr_run
    assert key not in log and key[8:20] not in log


def test_the_migrations_job_fails_on_an_index_that_blocks_writes(
    pr_run: tuple[str, str, str, int],
) -> None:
    job = _job(pr_run[0], "SQL migrations")
    assert "🏁  Job failed" in job, pr_run[0][-4000:]
    errors = [
        a
        for a in annotations(job)
        if a.startswith("::error file=db/migrations/0002_index.sql,line=2")
    ]
    assert errors and "migrations/index-not-concurrent" in errors[0]
    # The dry run on the "service container": the base's migration built users, which
    # got 10,000 rows, then the index took a SHARE lock on it.
    assert any(
        a.startswith("::warning file=db/migrations/0002_index.sql,line=2")
        and "migrations/observed-lock" in a
        for a in annotations(job)
    ), job[-3000:]
    assert "users seeded with 10,000 rows" in job
    assert any(
        x.startswith("upload-sarif stub: category=launchready-migration-safety ")
        for x in printed(job)
    )
