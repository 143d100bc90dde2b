"""Nothing launchready prints can be read as a workflow command.

Under GitHub Actions the runner reads every line of stdout and stderr: a line that
starts with ``::`` (after white space) or holds ``##[`` is a command. Hostile strings
are planted in every place a user-controlled string reaches the output (file names, SQL
and Django identifiers, rollback inputs, config keys, click's own usage errors, what a
server answers, uptime check names), each command is run through the real entry point
with ``GITHUB_ACTIONS=true``, and both streams are parsed the way the runner parses
them (:func:`tests.helpers.log_commands`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checks.secrets.test_history import fake_key
from tests.helpers import LogCommand, log_commands, make_repo, run_cli

#: One of each way to start a command: after a newline, after a lone carriage return,
#: indented, the legacy form mid-line, and an ANSI sequence that would erase the line.
HOSTILE = (
    "x\n::warning title=FORGED::pwned-1\r::add-mask::FORGED-2"
    "\n  ::stop-commands::FORGED-3 ##[add-mask]FORGED-4\x1b[2K"
)
#: The same without line breaks, for places that cannot hold one (file names on disk
#: can, identifiers in a YAML key cannot be indented...): mid-line legacy commands.
ONE_LINE = "y ##[add-mask]FORGED-5 ##[error]pwned-6 \x1b]0;title\x07"


def _forged(command: LogCommand) -> bool:
    """A command launchready did not mean: anything indented or in the legacy form, any
    other command than an annotation, a mask or the terminal report's group, or one whose
    title or data is planted."""
    if command.line != command.line.lstrip() or not command.line.startswith("::"):
        return True
    if command.name not in ("error", "warning", "notice", "add-mask", "group", "endgroup"):
        return True
    if command.name in ("add-mask", "group", "endgroup"):  # the terminal report's fold
        return "FORGED" in command.data or "pwned" in command.data
    return "FORGED" in command.properties.get("title", "") or command.data.startswith("pwned")


def assert_no_forged_command(*streams: str) -> None:
    for stream in streams:
        assert "\x1b" not in stream and "\x07" not in stream, stream
        forged = [c.line for c in log_commands(stream) if _forged(c)]
        assert forged == [], "\n".join(forged)


def _actions(tmp_path: Path, **extra: str) -> dict[str, str]:
    summary = tmp_path / "summary.md"
    return {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), **extra}


def test_a_hostile_file_name_in_the_secrets_report(tmp_path: Path) -> None:
    key = fake_key()
    root = make_repo(
        tmp_path / "r",
        {f"app/{HOSTILE}.py": f"STRIPE = '{key}'\n", f"app/{ONE_LINE}.py": f"K = '{key}'\n"},
    )
    for args in (["run"], ["secrets", "scan"]):
        done = run_cli(*args, "--root", str(root), env=_actions(tmp_path))
        assert done.returncode == 1, done.stderr
        assert "pwned-1" in done.stdout  # reported, as text
        assert_no_forged_command(done.stdout, done.stderr)
        # The annotation still points at the file: the runner decodes its name whole.
        files = {c.properties.get("file") for c in log_commands(done.stdout)}
        assert f"app/{HOSTILE}.py".replace("\x1b", "\\x1b") in files


def test_hostile_sql_and_django_identifiers(tmp_path: Path) -> None:
    quoted = HOSTILE.replace('"', '""')
    django = (
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.AddField(\n"
        f"            model_name='member', name={HOSTILE!r},\n"
        "            field=models.CharField(max_length=10),\n"
        "        ),\n"
        "        migrations.RemoveField(\n"
        f"            model_name={ONE_LINE!r}, name='email',\n"
        "        ),\n"
        "    ]\n"
    )
    root = make_repo(
        tmp_path / "r",
        {
            "db/migrations/0001.sql": f'CREATE TABLE "{quoted}" (id bigint);\n',
            "db/migrations/0002.sql": (
                f'CREATE INDEX "{quoted}" ON "{quoted}" (id);\n'
                f'ALTER TABLE "{quoted}" ADD COLUMN "{ONE_LINE}" text NOT NULL;\n'
            ),
            "app/migrations/0001_initial.py": django,
        },
    )
    done = run_cli("migrations", "check", "--root", str(root), env=_actions(tmp_path))
    assert done.returncode == 1, done.stderr
    assert "pwned-1" in done.stdout
    assert_no_forged_command(done.stdout, done.stderr)


def test_hostile_rollback_inputs(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"launchready.yml": "rollback:\n  strategy: command\n  command: 'true'\n"},
        commit=False,
    )
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"passed": False, "runs": 3, "failed_runs": 3, "steps": []}))
    for option in ("--deployed", "--rollback-of", "--target", "--environment"):
        done = run_cli(
            "rollback", "--root", str(repo), "--smoke-results", str(results),
            "--deployed", "b" * 40, option, HOSTILE, "--dry-run",
            env=_actions(tmp_path, GITHUB_REPOSITORY="acme/clubhouse"),
        )  # fmt: skip
        assert done.returncode in (0, 1, 2), done.stderr
        assert_no_forged_command(done.stdout, done.stderr)


def test_a_hostile_config_key_and_value(tmp_path: Path) -> None:
    config = json.dumps({HOSTILE: 1, "secrets": {"paths": [ONE_LINE, 3]}})
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    done = run_cli("run", "--root", str(repo), env=_actions(tmp_path))
    assert done.returncode == 2
    assert "pwned-1" in done.stderr
    assert_no_forged_command(done.stdout, done.stderr)


@pytest.mark.parametrize(
    "args",
    [
        [f"--{HOSTILE}"],
        ["run", f"--{HOSTILE}"],
        [HOSTILE],
        ["run", "--fail-on", HOSTILE],
        ["rules", HOSTILE],
        ["run", "--root", HOSTILE],
    ],
    ids=["group-option", "option", "command", "choice", "rule-id", "root"],
)
def test_clicks_own_usage_errors(tmp_path: Path, args: list[str]) -> None:
    done = run_cli(*args, env=_actions(tmp_path))
    assert done.returncode == 2
    assert_no_forged_command(done.stdout, done.stderr)


def test_what_a_server_answers_in_the_smoke_report(tmp_path: Path) -> None:
    from tests.servers import hostile_server

    config = (
        "smoke:\n  runs: 1\n  journeys:\n    - name: home\n      steps:\n"
        "        - url: /reflect\n          expect: {status: 200, body: {contains: welcome}}\n"
        "        - url: /reflect-header\n          follow_redirects: false\n"
        "          expect: {headers: {location: {starts_with: /ok}}}\n"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    with hostile_server("reflect", body=HOSTILE + ONE_LINE) as server:
        done = run_cli(
            "smoke", "run", "--root", str(repo), "--base-url", server.base_url,
            env=_actions(tmp_path),
        )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pwned-1" in done.stdout
    assert_no_forged_command(done.stdout, done.stderr)


def test_what_a_server_answers_in_the_uptime_report(tmp_path: Path) -> None:
    from tests.servers import hostile_server

    config = json.dumps(
        {
            "uptime": {
                "checks": [
                    {"name": "home", "url": "/reflect", "expect": {"body": {"contains": "ok!"}}}
                ]
            }
        }
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config})
    with hostile_server("reflect", body=HOSTILE) as server:
        done = run_cli(
            "monitor", "run", "--root", str(repo), "--base-url", server.base_url,
            "--no-incidents", "--history", str(tmp_path / "history.json"),
            env=_actions(tmp_path),
        )  # fmt: skip
    assert "pwned-1" in done.stdout + done.stderr
    assert_no_forged_command(done.stdout, done.stderr)
