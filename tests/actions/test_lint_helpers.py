"""The helpers behind scripts/lint-actions.sh and the composite harness, on small inputs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.actions.actions_harness import ROOT, ExpressionError, evaluate, parse_output_file

EXTRACT = ROOT / "scripts" / "extract_run_scripts.py"


def _extract(tmp_path: Path, text: str, *flags: str) -> tuple[int, list[Path], str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "input.yml"
    source.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(EXTRACT), "--out", str(tmp_path / "out"), *flags, str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, [Path(p) for p in proc.stdout.split()], proc.stderr


COMPOSITE = """
runs:
  using: composite
  steps:
    - name: greet
      shell: bash
      env:
        WHO: ${{ inputs.who }}
      run: echo "hello $WHO"
    - shell: pwsh
      run: Write-Output hi
    - uses: actions/cache@0000000000000000000000000000000000000000 # v1.0.0
    - shell: bash
      run: |
        echo "${{ inputs.who }}"
"""


def test_extract_writes_bash_blocks_with_their_origin(tmp_path: Path) -> None:
    code, files, _ = _extract(tmp_path, COMPOSITE)
    assert code == 0
    assert len(files) == 2, "the pwsh step and the uses: step are left out"
    first = files[0].read_text()
    assert first.startswith("#!/usr/bin/env bash\n# ")
    assert "input.yml:9: step 1 (greet)" in first
    assert files[1].read_text().endswith('echo "${GITHUB_EXPRESSION}"\n')


def test_extract_forbids_expressions_in_run(tmp_path: Path) -> None:
    code, _, err = _extract(tmp_path, COMPOSITE, "--forbid-expressions")
    assert code == 1
    assert re.search(r"input\.yml:14: step 4: \$\{\{ inputs\.who \}\} inside run:", err), err


def test_extract_follows_workflow_and_job_default_shells(tmp_path: Path) -> None:
    workflow = """
on: push
defaults:
  run:
    shell: sh
jobs:
  linux:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
  windows:
    runs-on: windows-latest
    defaults:
      run:
        shell: pwsh
    steps:
      - run: Write-Output two
"""
    code, files, _ = _extract(tmp_path, workflow)
    assert code == 0
    assert [f.read_text().splitlines()[0] for f in files] == ["#!/usr/bin/env sh"]
    # Without defaults, a Windows job runs pwsh and a Linux job bash.
    bare = workflow.replace("defaults:\n  run:\n    shell: sh\n", "").replace(
        "    defaults:\n      run:\n        shell: pwsh\n", ""
    )
    code, files, _ = _extract(tmp_path / "bare", bare)
    assert code == 0
    assert [f.read_text().splitlines()[0] for f in files] == ["#!/usr/bin/env bash"]


def test_extracted_shell_errors_reach_shellcheck(tmp_path: Path) -> None:
    shellcheck = Path(sys.executable).parent / "shellcheck"
    if not shellcheck.exists():
        pytest.skip("shellcheck is not in this venv")
    bad = COMPOSITE.replace('echo "hello $WHO"', "echo $WHO")
    _, files, _ = _extract(tmp_path, bad)
    proc = subprocess.run(
        [str(shellcheck), *map(str, files)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and "SC2086" in proc.stdout


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("inputs.upload-sarif == 'true'", True),
        ("inputs.upload-sarif == 'TRUE'", True),
        ("inputs.fail-on != ''", False),
        ("steps.run.outputs.result || 'error'", "error"),
        ("steps.run.outputs.status == '2' && 'error'", "error"),
        ("!cancelled() && inputs.upload-sarif == 'true'", True),
        ("steps['run'].outputs.status", "2"),
        ("vars.MISSING == 'true'", False),
        ("(1 < 2) && !false", True),
    ],
)
def test_harness_expressions(expression: str, expected: object) -> None:
    context = {
        "inputs": {"upload-sarif": "true", "fail-on": ""},
        "steps": {"run": {"outputs": {"status": "2"}}},
        "vars": {},
    }
    assert evaluate(expression, context) == expected


def test_harness_refuses_what_it_does_not_know() -> None:
    with pytest.raises(ExpressionError):
        evaluate("hashFiles('x')", {})
    with pytest.raises(ExpressionError):
        evaluate("secrets.TOKEN", {})


def test_harness_reads_multiline_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("a=1\nnotes<<EOF_1\nline one\nb=2\nEOF_1\nc=x=y\n", encoding="utf-8")
    assert parse_output_file(out) == {"a": "1", "notes": "line one\nb=2", "c": "x=y"}


# --- starter workflow and pre-commit hooks -----------------------------------------------


def test_starter_workflow_has_its_properties_file() -> None:
    templates = ROOT / "workflow-templates"
    for workflow in templates.glob("*.yml"):
        props = json.loads(workflow.with_suffix(".properties.json").read_text(encoding="utf-8"))
        assert {"name", "description", "iconName", "categories", "filePatterns"} <= set(props)
        assert isinstance(props["categories"], list) and props["categories"]
        for pattern in props["filePatterns"]:
            re.compile(pattern)
        text = workflow.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        if "push" in data[True]:  # PyYAML reads the `on:` key as True
            assert "$default-branch" in text, workflow.name
        assert data["permissions"] == {"contents": "read"}
        for job in data["jobs"].values():
            uploads = any(
                s.get("with", {}).get("upload-sarif") == "true" for s in job.get("steps", [])
            )
            assert ("security-events" in job.get("permissions", {})) == uploads
            checkout = next(s for s in job["steps"] if "actions/checkout@" in s.get("uses", ""))
            assert checkout["with"]["persist-credentials"] is False


def test_pre_commit_hooks_run_the_cli() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} >= {"launchready", "launchready-secrets"}
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False and hook["always_run"] is True
        entry = hook["entry"].split()
        assert entry[0] == "launchready"
        if hook["id"] == "launchready-secrets":
            assert entry[1:] == ["secrets", "scan", "--staged"]
        proc = subprocess.run(
            [sys.executable, "-m", "launchready_ci", *entry[1:], "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
