"""The composite actions' steps, run with bash under real GITHUB_* files (no runner, no act).

Faster than tests/actions/test_act.py and closer to the scripts: the install path (cold,
warm, keyed by content), the exit-status contract, the SARIF upload after a failing run,
and the outputs of action.yml and every actions/<name>/action.yml.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.actions.actions_harness import (
    EXAMPLE,
    INSTALL,
    ROOT,
    Uploads,
    parse_output_file,
    run_action,
)

ACTIONS = [ROOT, *sorted(p.parent for p in (ROOT / "actions").glob("*/action.yml"))]
#: The actions that run checks and write reports (rollback acts on a smoke test's results;
#: uptime records probes and manages incidents).
CHECK_ACTIONS = [a for a in ACTIONS if a.name not in ("rollback", "uptime")]
SHARED_INPUTS = {
    "config",
    "fail-on",
    "working-directory",
    "sarif",
    "json",
    "upload-sarif",
    "python",
    "cache",
}
SHARED_OUTPUTS = {
    "result",
    "exit-code",
    "findings",
    "errors",
    "warnings",
    "notices",
    "sarif-file",
    "json-file",
}


def _meta(action_dir: Path) -> dict:
    return yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))


def _id(action_dir: Path) -> str:
    return action_dir.relative_to(ROOT).as_posix() or "action.yml"


# --- metadata ----------------------------------------------------------------------------


@pytest.mark.parametrize("action_dir", CHECK_ACTIONS, ids=_id)
def test_action_shares_the_input_and_output_names(action_dir: Path) -> None:
    meta = _meta(action_dir)
    assert set(meta["inputs"]) >= SHARED_INPUTS
    assert set(meta["outputs"]) >= SHARED_OUTPUTS
    for kind in ("inputs", "outputs"):
        for name, spec in meta[kind].items():
            assert spec.get("description"), f"{kind}.{name} has no description"
    root = _meta(ROOT)
    for name in set(meta["inputs"]) & set(root["inputs"]):
        assert meta["inputs"][name].get("default", "") == root["inputs"][name].get(
            "default", ""
        ) or (name in {"sarif", "json"}), f"input {name} has a different default than in action.yml"


@pytest.mark.parametrize("action_dir", ACTIONS, ids=_id)
def test_action_passes_inputs_through_env_only(action_dir: Path) -> None:
    meta = _meta(action_dir)
    assert meta["runs"]["using"] == "composite"
    for step in meta["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step
            assert step["shell"] == "bash"
            assert any(x in step["run"] for x in ("$GITHUB_ACTION_PATH/", '"$LAUNCHREADY"', "exit"))


# --- install-action.sh -------------------------------------------------------------------


def _install(
    runner_temp: Path, *args: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], list[str]]:
    out = runner_temp / "out"
    path = runner_temp / "path"
    out.write_text("")
    path.write_text("")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    base |= {"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(out), "GITHUB_PATH": str(path)}
    script = env.pop("script", str(INSTALL))
    proc = subprocess.run(
        ["bash", script, *args],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc, parse_output_file(out), path.read_text().splitlines()


def test_install_is_cold_once_then_warm(cold_install, runner_temp: Path) -> None:
    cold = parse_output_file(runner_temp / "cold-install-output")
    assert cold["warm"] == "false"
    assert "installing" in cold_install.stdout
    _, plan, _ = _install(runner_temp, "--plan")
    proc, warm, path = _install(runner_temp, LR_VENV=plan["venv"])
    assert proc.returncode == 0, proc.stderr
    assert warm["warm"] == "true"
    assert "reusing" in proc.stdout
    assert warm["venv"] == cold["venv"] == plan["venv"]
    venv = Path(warm["venv"])
    assert venv.parent == runner_temp and venv.name.startswith("launchready-venv-")
    assert plan["cache-key"].startswith("launchready-venv-")
    assert plan["cache-key"].endswith(venv.name.removeprefix("launchready-venv-"))
    # launchready comes from the action's checkout, not from PyPI nor the dev venv.
    assert Path(warm["launchready"]).is_relative_to(venv)
    version = subprocess.run(
        [warm["launchready"], "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("launchready ")
    # PATH gets a directory with launchready alone: the venv's python must not shadow the job's.
    assert path == [str(venv / "shim")]
    assert sorted(p.name for p in (venv / "shim").iterdir()) == ["launchready"]


def test_install_plan_installs_nothing(tmp_path: Path) -> None:
    proc, out, path = _install(tmp_path, "--plan")
    assert proc.returncode == 0, proc.stderr
    assert set(out) == {"venv", "cache-key", "cache-path", "setup-uv", "uv-version"}
    assert out["cache-path"] == out["venv"], "no managed Python: the venv alone is cached"
    assert re.fullmatch(r"\d+\.\d+\.\d+", out["uv-version"]), "the uv of requirements/test.txt"
    assert not Path(out["venv"]).exists() and path == []


def _copy_action_sources(dest: Path) -> Path:
    shutil.copytree(
        ROOT / "launchready_ci",
        dest / "launchready_ci",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy2(ROOT / "pyproject.toml", dest)
    shutil.copytree(ROOT / "requirements", dest / "requirements")
    (dest / "scripts").mkdir()
    shutil.copy2(INSTALL, dest / "scripts")
    shutil.copy2(INSTALL.parent / "action-lib.sh", dest / "scripts")
    return dest / "scripts" / INSTALL.name


def test_install_key_follows_the_package_sources(tmp_path: Path) -> None:
    script = _copy_action_sources(tmp_path / "action")
    keys = []
    for change in (None, "launchready_ci/__init__.py", "pyproject.toml", "requirements/action.txt"):
        if change:
            with (tmp_path / "action" / change).open("a") as fh:
                fh.write("\n# changed\n")
        proc, out, _ = _install(tmp_path, "--plan", script=str(script))
        assert proc.returncode == 0, proc.stderr
        keys.append(out["cache-key"])
    # A new __pycache__ must not change it.
    (tmp_path / "action" / "launchready_ci" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "action" / "launchready_ci" / "__pycache__" / "x.pyc").write_bytes(b"x")
    proc, out, _ = _install(tmp_path, "--plan", script=str(script))
    assert len(set(keys)) == 4 and out["cache-key"] == keys[-1]
    # Each extra has its own lock, so its own venv.
    proc, audit, _ = _install(tmp_path, "--plan", script=str(script), LR_EXTRAS="audit")
    assert proc.returncode == 0, proc.stderr
    assert audit["cache-key"] != keys[-1]


def test_install_with_a_missing_python_says_what_to_do(tmp_path: Path) -> None:
    proc, out, _ = _install(tmp_path, LR_PYTHON="no-such-python3")
    assert proc.returncode == 1
    assert "::error title=launchready-ci install::python 'no-such-python3' not found" in proc.stdout
    assert "actions/setup-python" in proc.stdout and out == {}


def _old_python(tmp_path: Path, name: str = "python3") -> Path:
    """A python3 that answers the plan as Python 3.10 does (ubuntu-22.04's)."""
    bin_dir = tmp_path / "old-bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / name
    fake.write_text(
        '#!/bin/sh\ncat >/dev/null\nprintf "old\\n/usr/bin/python3.10\\n3.10.12\\n0123456789abcdef0123\\n"\n'
    )
    fake.chmod(0o755)
    return fake


def test_install_with_an_old_python_says_what_to_do(tmp_path: Path) -> None:
    proc, _, _ = _install(tmp_path, LR_PYTHON=str(_old_python(tmp_path)))
    assert proc.returncode == 1
    assert (
        "::error title=launchready-ci install::launchready-ci needs Python >= 3.11,"
        " /usr/bin/python3.10 is 3.10.12: add actions/setup-python" in proc.stdout
    )


def _only_old_pythons(tmp_path: Path) -> str:
    """A PATH whose python3 and python are 3.10, with bash and the basic tools."""
    bin_dir = _old_python(tmp_path).parent
    _old_python(tmp_path, "python")
    for tool in ("bash", "sed", "head", "od", "tr", "dirname", "uname", "cat", "cut"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_without_a_python_311_uv_fetches_one(tmp_path: Path) -> None:
    proc, out, _ = _install(tmp_path, "--plan", PATH=_only_old_pythons(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    key = out["cache-key"].rsplit("-", 3)
    assert key[-2:] == ["cp312", f"uv{out['uv-version']}"], out["cache-key"]
    venv, managed = out["cache-path"].splitlines()
    assert venv == out["venv"] and Path(managed).name.startswith("launchready-python-")
    assert out["setup-uv"] == "true", "no uv on this PATH: the action sets it up"


def test_without_a_python_311_pip_alone_names_setup_python(tmp_path: Path) -> None:
    proc, out, _ = _install(
        tmp_path, "--plan", PATH=_only_old_pythons(tmp_path), LAUNCHREADY_INSTALLER="pip"
    )
    assert proc.returncode == 1 and out == {}
    assert "needs Python >= 3.11, the newest here is /usr/bin/python3.10 3.10.12" in proc.stdout
    assert "actions/setup-python" in proc.stdout


def test_install_refuses_an_unknown_extra(tmp_path: Path) -> None:
    proc, _, _ = _install(tmp_path, "--plan", LR_EXTRAS="gpu")
    assert proc.returncode == 1
    assert "unknown extras 'gpu' (expected audit, dry-run or nothing)" in proc.stdout


def test_install_rejects_an_unknown_installer(tmp_path: Path) -> None:
    proc, _, _ = _install(tmp_path, LAUNCHREADY_INSTALLER="conda")
    assert proc.returncode == 1
    assert "LAUNCHREADY_INSTALLER must be auto, uv or pip" in proc.stdout


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_install_with_uv(tmp_path: Path) -> None:
    proc, out, _ = _install(tmp_path, LAUNCHREADY_INSTALLER="uv")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "with uv" in proc.stdout and out["warm"] == "false"
    assert subprocess.run([out["launchready"], "--version"], check=False).returncode == 0


# --- the actions, end to end -------------------------------------------------------------


def _run(action_dir: Path, workspace: Path, runner_temp: Path, uploads: Uploads, **inputs: str):
    return run_action(
        action_dir,
        {"working-directory": EXAMPLE, **inputs},
        workspace=workspace,
        runner_temp=runner_temp,
        handlers=uploads.handlers,
    )


def test_findings_fail_the_job_after_the_sarif_upload(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ROOT, workspace, runner_temp, uploads, **{"upload-sarif": "true"})
    out = run.outputs
    assert run.failed, "the example's committed keys must fail the job"
    assert run.step("run").outcome == "success", "the run step records the status, never fails"
    assert run.step("Fail on findings").returncode == 1
    assert (out["exit-code"], out["result"]) == ("1", "failed")
    assert int(out["findings"]) >= 1 and int(out["errors"]) >= 1
    assert int(out["findings"]) == sum(int(out[k]) for k in ("errors", "warnings", "notices"))
    example = workspace / EXAMPLE
    assert Path(out["sarif-file"]) == example / "launchready.sarif"
    assert Path(out["json-file"]) == example / "launchready.json"
    assert json.loads(Path(out["sarif-file"]).read_text())["version"] == "2.1.0"
    json.loads(Path(out["json-file"]).read_text())
    # The upload ran although launchready exited 1, with the file the run wrote.
    assert uploads.sarif == [{"sarif_file": out["sarif-file"], "category": "launchready"}]
    assert run.step("Upload SARIF to code scanning").outcome == "success"
    # The cache step is keyed by the plan step, and the install found the venv warm.
    assert uploads.cache[0]["path"] == run.step("plan").outputs["cache-path"]
    assert uploads.cache[0]["key"] == run.step("plan").outputs["cache-key"]
    assert run.step("install").outputs["warm"] == "true"
    assert run.summary.strip(), "launchready wrote no step summary"
    assert re.search(r"^::error file=[^\n]*app/payments\.py", run.stdout, re.MULTILINE), run.stdout


def test_fail_on_never_passes_and_skips_the_upload_by_default(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ROOT, workspace, runner_temp, uploads, **{"fail-on": "never"})
    assert not run.failed, run.stdout
    assert run.outputs["exit-code"] == "0"
    assert int(run.outputs["findings"]) >= 1
    assert run.outputs["result"] != "failed"
    assert uploads.sarif == []
    assert run.step("Fail on findings").outcome == "skipped"


def test_a_config_error_fails_with_status_2_and_uploads_nothing(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(
        ROOT,
        workspace,
        runner_temp,
        uploads,
        config="no-such-config.yml",
        **{"upload-sarif": "true"},
    )
    assert run.failed
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["result"] == "error"
    assert uploads.sarif == []
    assert run.step("Fail on findings").returncode == 2


def test_a_missing_working_directory_fails_with_status_2(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ROOT, workspace, runner_temp, uploads, **{"working-directory": "no/such/dir"})
    assert run.failed and run.outputs["exit-code"] == "2"
    assert "working-directory no/such/dir does not exist" in run.stdout


def test_empty_report_inputs_write_no_reports(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(
        ROOT,
        workspace,
        runner_temp,
        uploads,
        sarif="",
        json="",
        **{"upload-sarif": "true", "fail-on": "never"},
    )
    assert not run.failed
    assert run.outputs["sarif-file"] == "" and run.outputs["json-file"] == ""
    assert uploads.sarif == []
    assert not list((workspace / EXAMPLE).glob("launchready*.sarif"))


def test_secret_scan_wrapper_runs_only_the_secrets_check(
    cold_install, workspace, runner_temp, uploads
) -> None:
    wrapper = _run(
        ROOT / "actions" / "secret-scan",
        workspace,
        runner_temp,
        uploads,
        scan="tree",
        **{"upload-sarif": "true"},
    )
    assert wrapper.step("install").outputs["warm"] == "true", "the session's venv is reused"
    assert wrapper.outputs["exit-code"] in ("0", "1")
    assert int(wrapper.outputs["findings"]) >= 1
    assert Path(wrapper.outputs["sarif-file"]).name == "launchready-secrets.sarif"
    assert uploads.sarif[-1]["category"] == "launchready-secret-scan"
    found = _findings(Path(wrapper.outputs["json-file"]))
    assert found and {rule.split("/")[0] for rule, _ in found} == {"secrets"}
    # The same findings as the root action with checks: secrets, in a fresh copy of the
    # example (a copy that holds the wrapper's reports has more: the secrets check scans
    # JSON reports too).
    fresh = workspace.parent / "fresh"
    shutil.copytree(
        workspace / EXAMPLE,
        fresh / EXAMPLE,
        ignore=shutil.ignore_patterns("launchready*.sarif", "launchready*.json"),
    )
    root = _run(ROOT, fresh, runner_temp, Uploads(), check="secrets", **{"fail-on": "never"})
    assert root.outputs["findings"] == wrapper.outputs["findings"]
    assert _findings(Path(root.outputs["json-file"])) == found


def _findings(report: Path) -> set[tuple[str, str]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {(f["rule_id"], f["fingerprint"]) for f in data["findings"]}


def test_a_second_run_does_not_scan_the_first_runs_reports(
    cold_install, workspace, runner_temp, uploads
) -> None:
    first = _run(ROOT, workspace, runner_temp, uploads, checks="secrets", **{"fail-on": "never"})
    second = _run(
        ROOT / "actions" / "secret-scan",
        workspace,
        runner_temp,
        uploads,
        scan="tree",
        **{"fail-on": "never"},
    )
    assert Path(first.outputs["json-file"]).exists()
    assert second.outputs["findings"] == first.outputs["findings"]


def test_secret_scan_refuses_an_unknown_scan_mode(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ROOT / "actions" / "secret-scan", workspace, runner_temp, uploads, scan="all")
    assert run.failed and run.outputs["exit-code"] == "2"
    assert "scan must be auto, tree, pr, push or history" in run.stdout


# --- actions/env-inventory ---------------------------------------------------------------

ENV_ACTION = ROOT / "actions" / "env-inventory"
DEPLOY = f"{EXAMPLE}/deploy"


def _deploy_values(name: str) -> dict[str, str]:
    lines = (ROOT / DEPLOY / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_inventory_check_mode_runs_the_static_env_check(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(
        ENV_ACTION, workspace, runner_temp, uploads, **{"fail-on": "never", "upload-sarif": "true"}
    )
    out = run.outputs
    assert not run.failed, run.stdout
    assert (out["exit-code"], out["result"]) == ("0", "passed-with-findings")
    assert Path(out["sarif-file"]).name == "launchready-env.sarif"
    found = _findings(Path(out["json-file"]))
    assert found and {rule.split("/")[0] for rule, _ in found} == {"env"}
    assert uploads.sarif == [{"sarif_file": out["sarif-file"], "category": "launchready-env-check"}]
    assert (out["missing"], out["shared"]) == ("", ""), "verify's counts are verify's alone"


def test_env_inventory_verify_mode_compares_two_value_files(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(
        ENV_ACTION,
        workspace,
        runner_temp,
        uploads,
        mode="verify",
        environment="production",
        compare="deploy/staging.env",
        **{"from": "deploy/production.env", "upload-sarif": "true"},
    )
    out = run.outputs
    assert run.failed and run.step("Fail on findings").returncode == 1
    assert (out["exit-code"], out["result"], out["findings"]) == ("1", "failed", "2")
    assert (out["missing"], out["invalid"], out["unsafe"], out["shared"]) == ("1", "0", "0", "1")
    assert uploads.sarif[-1]["category"] == "launchready-env-verify"
    rules = {rule for rule, _ in _findings(Path(out["json-file"]))}
    assert rules == {"env/missing-in-environment", "env/shared-secret"}
    assert re.search(
        r"^::error file=[^\n]*env-inventory\.yml[^\n]*NEXT_PUBLIC_API_URL", run.stdout, re.M
    )
    seen = run.stdout + "".join(s.stderr for s in run.steps) + run.summary + str(out)
    seen += Path(out["sarif-file"]).read_text() + Path(out["json-file"]).read_text()
    for name in ("production.env", "staging.env"):
        for value in _deploy_values(name).values():
            assert value not in seen, f"a value of {name} was printed"


def test_env_inventory_verify_mode_reads_the_steps_environment(
    cold_install, workspace, runner_temp, uploads
) -> None:
    # What a deploy job does: every variable mapped in the step's env: from secrets.
    values = _deploy_values("production.env") | {"NEXT_PUBLIC_API_URL": "https://api.clubhouse.app"}
    run = run_action(
        ENV_ACTION,
        {"working-directory": EXAMPLE, "mode": "verify", "environment": "production"},
        workspace=workspace,
        runner_temp=runner_temp,
        handlers=uploads.handlers,
        extra_env=values,
    )
    assert not run.failed, run.stdout
    assert (run.outputs["exit-code"], run.outputs["result"]) == ("0", "passed")
    assert run.outputs["missing"] == run.outputs["findings"] == "0"
    assert values["SESSION_SECRET"] not in run.stdout + run.summary


def test_env_inventory_verify_without_an_environment_is_a_usage_error(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ENV_ACTION, workspace, runner_temp, uploads, mode="verify")
    assert run.failed
    assert (run.outputs["exit-code"], run.outputs["result"]) == ("2", "error")
    assert "--environment" in "".join(s.stderr for s in run.steps)


def test_env_inventory_docs_mode_writes_the_table_to_the_summary(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ENV_ACTION, workspace, runner_temp, uploads, mode="docs", **{"upload-sarif": "true"})
    assert not run.failed, run.stdout + "".join(s.stderr for s in run.steps)
    assert run.outputs["exit-code"] == "0"
    assert (
        "| Variable | Purpose | Owner | Secret | Environments | Stored in | Format |" in run.summary
    )
    assert "| `DATABASE_URL` |" in run.summary
    assert run.outputs["sarif-file"] == "" and uploads.sarif == []


def test_env_inventory_rejects_an_unknown_mode(
    cold_install, workspace, runner_temp, uploads
) -> None:
    run = _run(ENV_ACTION, workspace, runner_temp, uploads, mode="lint")
    assert run.failed and run.outputs["exit-code"] == "2"
    assert (
        "::error title=launchready-ci::mode must be check, verify or docs, not lint" in run.stdout
    )


# --- the former input names ----------------------------------------------------------------


def test_the_former_input_names_still_work(cold_install, workspace, runner_temp, uploads) -> None:
    """checks (now check) and env-file (now from) keep working, with GitHub's deprecation
    warning from their deprecationMessage."""
    root = _run(ROOT, workspace, runner_temp, uploads, checks="secrets", **{"fail-on": "never"})
    assert {rule.split("/")[0] for rule, _ in _findings(Path(root.outputs["json-file"]))} == {
        "secrets"
    }
    verify = _run(
        ENV_ACTION,
        workspace,
        runner_temp,
        uploads,
        mode="verify",
        environment="production",
        **{"env-file": "deploy/production.env"},
    )
    assert verify.outputs["missing"] == "1", "the values came from the file"
    for action, old, new in ((ROOT, "checks", "check"), (ENV_ACTION, "env-file", "from")):
        inputs = _meta(action)["inputs"]
        assert new in inputs and new in inputs[old]["deprecationMessage"]
