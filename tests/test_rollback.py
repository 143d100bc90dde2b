"""`launchready rollback` against a local server that plays GitHub's REST API and records
what we send (tests/github_api.py), real git repositories, and the real membership app
for the live-version guard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.apps import membership_app
from tests.github_api import FakeGitHub, github_api
from tests.helpers import git, make_repo, run_cli
from tests.helpers import parse_output_file as _outputs

TOKEN = "ghs_test_token_0123456789"
GOOD = "a" * 40
BAD = "b" * 40


def _results(tmp_path: Path, *, runs: int = 3, failed: int = 3, **extra: Any) -> str:
    path = tmp_path / "smoke-results.json"
    data = {"passed": failed == 0, "runs": runs, "failed_runs": failed, "steps": [], **extra}
    path.write_text(json.dumps(data))
    return str(path)


def _repo(tmp_path: Path, rollback: str, extra: str = "") -> Path:
    return make_repo(
        tmp_path / "repo", {"launchready.yml": f"rollback:\n{rollback}{extra}"}, commit=False
    )


def _rollback(
    repo: Path, api: FakeGitHub | None, *args: str, env: dict[str, str] | None = None
) -> Any:
    full = {"GITHUB_REPOSITORY": "acme/clubhouse", **(env or {})}
    if api is not None:
        full.update({"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": api.url})
    return run_cli("rollback", "--root", str(repo), "--deployed", BAD, *args, env=full)


def test_deployment_strategy_marks_the_failure_and_deploys_the_last_good_ref(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path, "  strategy: deployment\n")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    with github_api() as api:
        api.add_deployment("c" * 40)  # an older good one: the newest is the target
        api.add_deployment(GOOD)
        api.add_deployment("d" * 40, states=["failure"])
        failed = api.add_deployment(BAD, states=["in_progress"])
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path), env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        posts = [r for r in api.requests if r.method == "POST"]
        assert [r.path for r in posts] == [
            f"/repos/acme/clubhouse/deployments/{failed}/statuses",
            "/repos/acme/clubhouse/deployments",
        ]
        assert posts[0].json["state"] == "failure"
        created = posts[1].json
        assert created["ref"] == GOOD and created["environment"] == "production"
        assert created["payload"] == {
            "launchready": {"rollback_of": BAD, "key": f"production:{BAD}"}
        }
        assert created["required_contexts"] == [] and created["auto_merge"] is False
        for sent in api.requests:  # GitHub's documented headers on every call
            assert sent.headers["authorization"] == f"Bearer {TOKEN}"
            assert sent.headers["accept"] == "application/vnd.github+json"
            assert sent.headers["x-github-api-version"] == "2022-11-28"

        # The same failed deploy again (a re-run): nothing more is sent.
        again = _rollback(repo, api, "--smoke-results", _results(tmp_path))
        assert again.returncode == 0, again.stdout + again.stderr
        assert "already triggered" in again.stdout
        assert len([r for r in api.requests if r.method == "POST"]) == 2
    values = _outputs(outputs)
    assert values["outcome"] == "rolled-back" and values["rolled-back"] == "true"
    assert values["target"] == GOOD
    text = summary.read_text()
    assert "rolled back" in text and "| ✅ | failed runs | 3 of 3 runs failed" in text
    for output in (done.stdout, done.stderr, text, outputs.read_text()):
        assert TOKEN not in output


def test_workflow_strategy_dispatches_once_with_the_last_good_ref(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: workflow\n  workflow: deploy.yml\n")
    with github_api() as api:
        api.add_deployment(GOOD)
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path))
        assert done.returncode == 0, done.stdout + done.stderr
        dispatch = api.sent("POST", "/dispatches")
        assert len(dispatch) == 1
        assert dispatch[0].path == "/repos/acme/clubhouse/actions/workflows/deploy.yml/dispatches"
        assert dispatch[0].json == {"ref": "main", "inputs": {"ref": GOOD, "rollback-of": BAD}}
        again = _rollback(repo, api, "--smoke-results", _results(tmp_path))
        assert "already triggered for production:" in again.stdout
        assert len(api.sent("POST", "/dispatches")) == 1


def test_github_is_retried_on_429_and_5xx_then_fails_loudly(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: workflow\n  workflow: deploy.yml\n")
    with github_api() as api:
        api.add_deployment(GOOD)
        api.fail_next(429, 1, retry_after="0")
        api.fail_next(502, 1, retry_after="0")
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path), "--target", GOOD)
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(api.sent("POST", "/dispatches")) == 1

    with github_api() as api:
        api.fail_next(503, 20, retry_after="0")
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path), "--target", GOOD)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "after 5 attempts" in done.stdout and "503" in done.stdout
        assert "Traceback" not in done.stderr


def test_a_403_names_the_permission_the_job_lacks(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: workflow\n  workflow: deploy.yml\n")
    with github_api() as api:
        api.fail_next(403, 5, body={"message": "Resource not accessible by integration"})
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path), "--target", GOOD)
    assert done.returncode == 1
    assert "Resource not accessible by integration" in done.stdout
    assert "actions: write" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_a_rollback_is_never_rolled_back(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: workflow\n  workflow: deploy.yml\n")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"ref": BAD, "rollback-of": "e" * 40}}))
    with github_api() as api:
        api.add_deployment(GOOD)
        done = _rollback(
            repo, api, "--smoke-results", _results(tmp_path), env={"GITHUB_EVENT_PATH": str(event)}
        )
        assert done.returncode == 1
        assert "refused" in done.stdout and "was itself a rollback of eeeeeeeeeeee" in done.stdout
        assert api.sent("POST") == []


def test_too_few_failed_runs_do_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: deployment\n  min_failed_runs: 2\n")
    with github_api() as api:
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path, runs=3, failed=1))
        assert done.returncode == 0
        assert "1 of 3 runs failed; the rollback needs 2" in done.stdout
        assert api.requests == []


def test_nothing_to_do_when_the_target_is_already_live(tmp_path: Path) -> None:
    smoke = (
        "smoke:\n  readiness: {path: /version, version_header: X-Release}\n"
        "  journeys: [{name: home, steps: [{url: /}]}]\n"
    )
    repo = _repo(tmp_path, "  strategy: deployment\n", smoke)
    with github_api() as api, membership_app(version=GOOD[:12]) as app:
        api.add_deployment(GOOD)
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path, base_url=app.base_url))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "is live already" in done.stdout
        assert api.sent("POST") == []


def test_an_irreversible_migration_blocks_the_rollback_unless_forced(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "launchready.yml": "rollback:\n  strategy: command\n  command: echo rolled > out.txt\n",
            "db/migrations/0001_users.sql": "CREATE TABLE users (id bigint);\n",
        },
    )
    target = git(repo, "rev-parse", "HEAD").strip()
    (repo / "db/migrations/0002_drop_bio.sql").write_text(
        "-- launchready: irreversible (the bio column's data is gone)\n"
        "ALTER TABLE users DROP COLUMN bio;\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "drop bio")
    deployed = git(repo, "rev-parse", "HEAD").strip()
    args = ["rollback", "--root", str(repo), "--deployed", deployed, "--target", target]
    results = _results(tmp_path)
    done = run_cli(*args, "--smoke-results", results)
    assert done.returncode == 1
    assert "db/migrations/0002_drop_bio.sql marked `launchready: irreversible`" in done.stdout
    assert not (repo / "out.txt").exists()
    forced = run_cli(*args, "--smoke-results", results, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert (repo / "out.txt").read_text() == "rolled\n"


def test_command_strategy_gets_the_target_and_runs_once(tmp_path: Path) -> None:
    command = 'echo "$LAUNCHREADY_ROLLBACK_TARGET $LAUNCHREADY_ROLLBACK_FROM" >> ran.txt'
    repo = _repo(tmp_path, f"  strategy: command\n  command: '{command}'\n")
    state = tmp_path / "state.json"
    args = ["--smoke-results", _results(tmp_path), "--target", GOOD, "--state-file", str(state)]
    done = _rollback(repo, None, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / "ran.txt").read_text() == f"{GOOD} {BAD}\n"
    again = _rollback(repo, None, *args)
    assert again.returncode == 0 and "already triggered" in again.stdout
    assert (repo / "ran.txt").read_text().count("\n") == 1


def test_a_failing_command_fails_the_step(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: command\n  command: exit 7\n")
    done = _rollback(repo, None, "--smoke-results", _results(tmp_path), "--target", GOOD)
    assert done.returncode == 1
    assert "the command exited with status 7" in done.stdout


def test_dry_run_says_what_it_would_do_and_sends_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: deployment\n")
    with github_api() as api:
        api.add_deployment(GOOD)
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path), "--dry-run")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "would roll back" in done.stdout
        assert "create a deployment of aaaaaaaaaaaa to production" in done.stdout
        assert api.sent("POST") == []


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: workflow\n")  # the schema requires `workflow`
    done = _rollback(repo, None, "--smoke-results", _results(tmp_path))
    assert done.returncode == 2
    assert "launchready.yml:2:3: missing required key 'workflow'" in done.stderr
    repo2 = _repo(tmp_path / "two", "  strategy: deployment\n")
    done = _rollback(repo2, None, "--smoke-results", _results(tmp_path))
    assert done.returncode == 2 and "GITHUB_TOKEN" in done.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    done = run_cli("rollback", "--root", str(repo2), "--smoke-results", str(bad))
    assert done.returncode == 2 and "not a results file" in done.stderr


def test_a_manual_deploy_titled_with_the_sha_is_not_a_rollback_already_triggered(
    tmp_path: Path,
) -> None:
    """The guard matches the run-name the dispatched rollback gets, exactly: a deploy
    someone dispatched by hand as "deploy <sha>" names the commit too, and is not one."""
    repo = _repo(tmp_path, "  strategy: workflow\n  workflow: deploy.yml\n")
    with github_api() as api:
        api.add_deployment(GOOD)
        api.add_workflow_run("deploy.yml", display_title=f"deploy {BAD}", head_sha=BAD)
        api.add_workflow_run("deploy.yml", display_title=f"redeploy {BAD} (rollback of it?)")
        done = _rollback(repo, api, "--smoke-results", _results(tmp_path))
        assert done.returncode == 0, done.stdout + done.stderr
        assert "no rollback yet for production:" in done.stdout
        assert len(api.sent("POST", "/dispatches")) == 1
        again = _rollback(repo, api, "--smoke-results", _results(tmp_path))
        assert "already triggered for production:" in again.stdout
        assert len(api.sent("POST", "/dispatches")) == 1


def test_the_summary_lists_each_retry_and_wait(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "  strategy: workflow\n  workflow: deploy.yml\n")
    summary = tmp_path / "summary.md"
    with github_api() as api:
        api.fail_next(503, 2, retry_after="0")
        done = _rollback(
            repo, api, "--smoke-results", _results(tmp_path), "--target", GOOD,
            env={"GITHUB_STEP_SUMMARY": str(summary)},
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in summary.read_text().splitlines() if "| GitHub API |" in line]
    assert len(rows) == 2, summary.read_text()
    runs = "GET /repos/acme/clubhouse/actions/workflows/deploy.yml/runs"
    assert f"{runs}: 503, waited 0 s, then attempt 2 of 5" in rows[0]
    assert f"{runs}: 503, waited 0 s, then attempt 3 of 5" in rows[1]
    assert "GitHub API" in done.stdout


def test_with_fail_on_warning_an_over_budget_smoke_run_triggers_the_rollback(
    tmp_path: Path,
) -> None:
    """A real smoke run's results file, over budget in every run with fail_on: warning:
    passed is false and every run counts for the M-of-N guard."""
    config = (
        "fail_on: warning\nsmoke:\n  runs: 3\n  journeys:\n"
        "    - name: browse\n      steps:\n        - {url: /login, budget: 20ms}\n"
        "rollback:\n  strategy: command\n  command: 'true'\n  min_failed_runs: 2\n"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    results = tmp_path / "results.json"
    with membership_app() as app:
        app.state.delays["/login"] = 0.3
        smoke = run_cli(
            "smoke", "run", "--root", str(repo), "--base-url", app.base_url,
            "--results", str(results),
        )  # fmt: skip
    assert smoke.returncode == 1, smoke.stdout + smoke.stderr
    done = _rollback(repo, None, "--smoke-results", str(results), "--target", GOOD, "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 of 3 runs failed (needs 2)" in done.stdout and "would roll back" in done.stdout
