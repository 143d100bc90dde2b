"""Inputs cannot forge step outputs or workflow commands.

An input is a string the workflow author controls, often from an expression over event
data (a branch name, a pull request title). A line break in it must not end the value it
was meant for: in ``$GITHUB_OUTPUT`` the next line would set another output (``status=0``
turns findings into a pass), in the log it would start a workflow command (``::error``,
``::add-mask::``, ``::stop-commands::``). Inputs that hold one value reject line breaks;
every output is written in the heredoc form with a random delimiter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.actions.actions_harness import EXAMPLE, ROOT, Uploads, run_action

FORGED = re.compile(r"^::(error|warning|notice|add-mask|stop-commands)\b.*forged", re.M)


def _run(action: str, workspace: Path, runner_temp: Path, **inputs: str):
    return run_action(
        ROOT / action,
        {"working-directory": EXAMPLE, **inputs},
        workspace=workspace,
        runner_temp=runner_temp,
        handlers=Uploads().handlers,
    )


def _printed(run) -> str:
    return run.stdout + "".join(s.stderr for s in run.steps)


def test_a_report_path_cannot_forge_the_status(cold_install, workspace, runner_temp) -> None:
    # The example has committed keys: this run must never report a pass.
    run = _run(".", workspace, runner_temp, sarif="x.sarif\nstatus=0\nresult=passed")
    assert run.failed
    assert run.outputs["result"] != "passed"
    assert run.outputs["exit-code"] == "2", run.outputs
    assert "sarif" in _printed(run) and "line break" in _printed(run)
    assert not list((workspace / EXAMPLE).glob("x.sarif*")), "nothing is written for bad input"


@pytest.mark.parametrize(
    ("action", "name"),
    [
        (".", "working-directory"),
        (".", "fail-on"),
        (".", "config"),
        ("actions/env-inventory", "mode"),
        ("actions/env-inventory", "environment"),
        ("actions/secret-scan", "scan"),
        ("actions/smoke-test", "expect-version"),
    ],
)
def test_a_line_break_in_an_input_is_an_error_not_a_command(
    cold_install, workspace, runner_temp, action: str, name: str
) -> None:
    value = EXAMPLE if name == "working-directory" else "x"
    run = _run(action, workspace, runner_temp, **{name: f"{value}\n::error title=forged::owned"})
    assert not FORGED.search(_printed(run)), _printed(run)
    assert run.failed and run.outputs["exit-code"] == "2"
    assert f"{name} must be a single line" in _printed(run)


@pytest.mark.parametrize("name", ["deployed", "rollback-of", "target", "environment"])
def test_the_rollback_refuses_a_line_break(cold_install, workspace, runner_temp, name) -> None:
    results = workspace / EXAMPLE / "smoke-results.json"
    results.write_text("{}", encoding="utf-8")
    run = run_action(
        ROOT / "actions" / "rollback",
        {
            "working-directory": EXAMPLE,
            "smoke-results": "smoke-results.json",
            "dry-run": "true",
            name: "abc123\n::error title=forged::owned",
        },
        workspace=workspace,
        runner_temp=runner_temp,
        handlers=Uploads().handlers,
    )
    assert not FORGED.search(_printed(run)), _printed(run)
    assert run.failed
    assert f"{name} must be a single line" in _printed(run)


def test_multi_line_inputs_stay_multi_line(cold_install, workspace, runner_temp) -> None:
    """connect-to is one rule per line by design: its lines are rules, never commands."""
    run = _run(
        "actions/domain-check",
        workspace,
        runner_temp,
        **{"connect-to": "a.test:443:127.0.0.1:1\n::error title=forged::owned"},
    )
    assert not FORGED.search(_printed(run)), _printed(run)
    assert "single line" not in _printed(run)


def test_every_output_is_written_in_the_heredoc_form(cold_install, workspace, runner_temp) -> None:
    run = _run(".", workspace, runner_temp, **{"fail-on": "never"})
    assert not run.failed, _printed(run)
    files = sorted((runner_temp / "_runner_file_commands").glob("*-github_output"))
    lines = [ln for f in files for ln in f.read_text(encoding="utf-8").splitlines()]
    heads = [ln for ln in lines if re.match(r"^[A-Za-z_][\w-]*(=|<<)", ln)]
    assert heads, lines
    plain = [ln for ln in heads if re.match(r"^[A-Za-z_][\w-]*=", ln)]
    assert plain == [], f"outputs written as name=value: {plain}"
    delimiters = [ln.split("<<", 1)[1] for ln in heads]
    assert all(re.fullmatch(r"ghadelimiter_[0-9a-f-]{32,}", d) for d in delimiters), delimiters
    assert len(set(delimiters)) == len(delimiters), "a delimiter was reused"
