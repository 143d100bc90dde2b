"""The deploy workflow review on real repositories: what a deploy workflow is asked for,
secrets printed to the log, and zizmor's findings (the real zizmor, offline)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from launchready_ci.checks.workflows import deploy as r
from launchready_ci.checks.workflows.check import WorkflowsCheck
from launchready_ci.checks.workflows.deploy import deploy_jobs
from launchready_ci.checks.workflows.shell import echoed_secrets
from launchready_ci.checks.workflows.zizmor import Zizmor, find_zizmor
from launchready_ci.config.model import Config
from launchready_ci.context import RunContext
from launchready_ci.findings import CheckResult, CheckStatus, Severity
from launchready_ci.rules import Rule
from launchready_ci.runner import RunOptions, run
from tests.helpers import REPO, make_repo

DEPLOY_RULES = {rule.id for rule in WorkflowsCheck.rules} - {Zizmor.id}
WF = ".github/workflows"

GOOD = """\
name: Deploy
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: deploy-production
  cancel-in-progress: false
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    permissions:
      contents: read
      deployments: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - name: Deploy
        env:
          VERCEL_TOKEN: ${{ secrets.VERCEL_TOKEN }}
        run: |
          test -n "$VERCEL_TOKEN"
          npx vercel deploy --prod --token "$VERCEL_TOKEN" > deploy-url.txt
          echo "$VERCEL_TOKEN" | npx vercel login --stdin
      - name: Smoke test
        id: smoke
        uses: launchready/launchready-ci/actions/smoke-test@v1 # zizmor: ignore[unpinned-uses]
      - name: Roll back
        if: ${{ steps.smoke.outputs.passed == 'false' }}
        uses: launchready/launchready-ci/actions/rollback@v1 # zizmor: ignore[unpinned-uses]
"""

BAD = """\
name: Deploy
on:
  push:
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - name: Ship it
        run: |
          echo "deploying with ${{ secrets.STRIPE_KEY }}"
          flyctl deploy --remote-only
"""
#  line  2: on:   3: push   5: job ship   10: the deploy step   12: the echo

CI = """\
name: CI
on: [push, pull_request]
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -e . && pytest
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
"""

RELEASE_DRAFTER = """\
name: Release Drafter
on:
  push:
jobs:
  update_release_draft:
    runs-on: ubuntu-latest
    steps:
      - uses: release-drafter/release-drafter@v6
"""


def review(root: Path, zizmor: str | None = None) -> CheckResult:
    """Run the check in-process, through the runner, as `launchready audit` does."""
    ctx = RunContext(root=root, config=Config(), environ={})
    (result,) = run(ctx, RunOptions(), checks=[WorkflowsCheck(zizmor=zizmor)]).results
    assert result.status in (CheckStatus.PASSED, CheckStatus.FAILED), result.reason
    return result


def found(result: CheckResult, rules: set[str] = DEPLOY_RULES) -> list[tuple[str, str, int]]:
    return sorted(
        (f.rule_id, f.location.path or "", f.location.start_line or 0)
        for f in result.findings
        if f.rule_id in rules
    )


def zizmor_or_skip() -> str:
    exe = find_zizmor()
    if exe:
        return exe
    if os.environ.get("CI") == "true":
        pytest.fail("zizmor is missing (pip install zizmor)")
    pytest.skip("zizmor is missing (pip install zizmor)")


# --- (a) a good deploy, (b) a bad one, (d) workflows that do not deploy ----------------------


def test_a_good_deploy_workflow_passes_every_deploy_rule(tmp_path: Path) -> None:
    result = review(make_repo(tmp_path, {f"{WF}/deploy.yml": GOOD}))
    assert found(result) == []
    assert result.scope and result.scope.startswith("1 workflows, 1 deploys (deploy.yml)")


def test_a_bad_deploy_workflow_gets_each_rule_at_its_line(tmp_path: Path) -> None:
    result = review(make_repo(tmp_path, {f"{WF}/deploy.yml": BAD}))
    path = f"{WF}/deploy.yml"
    assert found(result) == sorted(
        [
            ("workflows/deploy-any-branch", path, 3),
            ("workflows/deploy-without-environment", path, 5),
            ("workflows/deploy-without-concurrency", path, 5),
            ("workflows/permissions-not-set", path, 5),
            ("workflows/deploy-without-smoke-test", path, 10),
            ("workflows/deploy-without-rollback", path, 10),
            ("workflows/secret-echoed", path, 12),
        ]
    )
    by_rule = {f.rule_id: f for f in result.findings}
    echoed = by_rule["workflows/secret-echoed"]
    assert echoed.severity is Severity.ERROR
    assert echoed.message == (
        "deploy.yml (Deploy), job ship, step 'Ship it': `echo` prints secrets.STRIPE_KEY "
        "to the job log"
    )
    assert by_rule["workflows/deploy-any-branch"].severity is Severity.WARNING
    for f in result.findings:
        assert "deploy.yml" in f.message and "ship" in f.message, f.message
    assert result.scope == (
        "1 workflows, 1 deploys (deploy.yml); zizmor not installed: its security audits did not run"
    )


def test_workflows_that_do_not_deploy_get_no_deploy_findings(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {f"{WF}/ci.yml": CI, f"{WF}/release-drafter.yaml": RELEASE_DRAFTER})
    result = review(root)
    assert found(result) == []
    assert result.status is CheckStatus.PASSED
    assert result.scope and result.scope.startswith("2 workflows, 0 deploys;")


def test_our_deploy_template_as_a_users_workflow_passes_every_rule(tmp_path: Path) -> None:
    template = (REPO / "workflow-templates" / "launchready-deploy.yml").read_text()
    assert "branches: [$default-branch]" in template
    root = make_repo(tmp_path, {f"{WF}/launchready-deploy.yml": template})
    assert found(review(root)) == []
    exe = find_zizmor()
    if exe:  # zizmor's part: pinned checkout, no persisted credentials, ignores honoured
        result = review(root, zizmor=exe)
        assert [f.message for f in result.findings] == []
        assert result.scope and result.scope.endswith(": 0 findings")


# --- triggers, reusable parts, a rollback elsewhere ----------------------------------------


@pytest.mark.parametrize(
    ("on", "severity"),
    [
        ("on: push", Severity.WARNING),
        ("on: [push, workflow_dispatch]", Severity.WARNING),
        ("on:\n  push:\n    branches: ['**']", Severity.WARNING),
        ("on:\n  push:\n    branches-ignore: [wip]", Severity.WARNING),
        ("on:\n  push:\n    paths: [app/**]", Severity.WARNING),
        ("on: pull_request", Severity.WARNING),
        ("on:\n  pull_request_target:\n    types: [labeled]", Severity.ERROR),
        ("on:\n  push:\n    branches: [main]", None),
        ("on:\n  push:\n    tags: ['v*']", None),
        ("on: workflow_dispatch", None),
    ],
)
def test_triggers(tmp_path: Path, on: str, severity: Severity | None) -> None:
    text = (
        f"{on}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: fly deploy\n"
    )
    result = review(make_repo(tmp_path, {f"{WF}/d.yml": text}))
    hits = [f for f in result.findings if f.rule_id == r.DeployAnyBranch.id]
    assert [f.severity for f in hits] == ([severity] if severity else [])
    if hits:
        line = hits[0].location.start_line
        assert line is not None
        assert text.splitlines()[line - 1].strip().startswith(("on", "push", "pull_request"))


def test_smoke_test_and_rollback_in_later_jobs_count(tmp_path: Path) -> None:
    text = """\
on: {push: {branches: [main]}}
permissions: {contents: read}
concurrency: deploy
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: kubectl -n prod apply -f k8s/
  verify:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: launchready smoke run --base-url https://app.example.com
  undo:
    needs: [deploy, verify]
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: kubectl -n prod rollout undo deployment/web
"""
    result = review(make_repo(tmp_path, {f"{WF}/k8s.yml": text}))
    assert found(result) == []


def test_a_smoke_test_before_the_deploy_does_not_count(tmp_path: Path) -> None:
    text = """\
on: {push: {branches: [main]}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Health check
        run: curl -f https://app.example.com/health
      - name: Deploy to production
        run: ./deploy.sh
"""
    result = review(make_repo(tmp_path, {f"{WF}/d.yml": text}))
    smoke = [f for f in result.findings if f.rule_id == r.DeployWithoutSmokeTest.id]
    assert [f.location.start_line for f in smoke] == [8]


def test_a_rollback_workflow_satisfies_the_rollback_rule(tmp_path: Path) -> None:
    rollback = (
        "name: Rollback\non: workflow_dispatch\npermissions: {}\njobs:\n  go:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - run: npx vercel rollback\n"
    )
    root = make_repo(tmp_path, {f"{WF}/deploy.yml": BAD, f"{WF}/rollback.yml": rollback})
    rules = {f.rule_id for f in review(root).findings}
    assert r.DeployWithoutRollback.id not in rules
    assert r.DeployWithoutSmokeTest.id in rules


def test_no_workflows_skips(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"README.md": "hi\n"})
    ctx = RunContext(root=root, config=Config(), environ={})
    (result,) = run(ctx, RunOptions(), checks=[WorkflowsCheck(zizmor=None)]).results
    assert result.status is CheckStatus.SKIPPED
    assert result.reason == "no workflows in .github/workflows"


def test_invalid_yaml_is_skipped_and_named_in_the_scope(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {f"{WF}/broken.yml": "on: [push\njobs: {}\n", f"{WF}/deploy.yml": BAD}
    )
    result = review(root)
    assert result.scope and "not valid YAML, skipped: broken.yml" in result.scope
    assert r.DeployAnyBranch.id in {f.rule_id for f in result.findings}


# --- secrets printed to the log ------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "env", "expected"),
    [
        ('echo "${{ secrets.STRIPE_KEY }}"', {}, [("echo", ("secrets.STRIPE_KEY",))]),
        ("echo '${{ toJSON(secrets) }}'", {}, [("echo", ("secrets",))]),
        ('echo "key=$API_KEY"', {"API_KEY": "${{ secrets.API }}"}, [("echo", ("$API_KEY",))]),
        (
            'printf "%s\\n" "${API_KEY}" >&2',
            {"API_KEY": "${{ secrets.API }}"},
            [("printf", ("$API_KEY",))],
        ),
        (
            'echo "$API_KEY" | tee key.txt',
            {"API_KEY": "${{ secrets.API }}"},
            [("echo", ("$API_KEY",))],
        ),
        (
            "Write-Host $env:API_KEY",
            {"API_KEY": "${{ secrets.API }}"},
            [("Write-Host", ("$API_KEY",))],
        ),
        ("printenv", {"TOKEN": "${{ github.token }}"}, [("printenv", ("$TOKEN",))]),
        ("env | sort", {"TOKEN": "${{ secrets.T }}"}, [("env", ("$TOKEN",))]),
        # xtrace prints command lines after expansion: only a secret expanded on one shows
        ("set -ex\n./deploy.sh", {"TOKEN": "${{ secrets.T }}"}, []),
        ("set -ux\ngh api /repos", {"GH_TOKEN": "${{ github.token }}"}, []),
        (
            'set -x\ncurl -H "Authorization: Bearer $TOKEN" x',
            {"TOKEN": "${{ secrets.T }}"},
            [("set -x", ("$TOKEN",))],
        ),
        ('set -x\nset +x\ncurl -H "$TOKEN" x', {"TOKEN": "${{ secrets.T }}"}, []),
        ("set -x\ncurl -H 'Authorization: ${{ secrets.T }}' x", {}, [("set -x", ("secrets.T",))]),
        # not printed: piped into a command, written to a file, single-quoted, not secret
        ('echo "${{ secrets.PW }}" | docker login -u me --password-stdin', {}, []),
        ('echo "token=${{ secrets.T }}" >> "$GITHUB_ENV"', {}, []),
        ("echo '$API_KEY'", {"API_KEY": "${{ secrets.API }}"}, []),
        ('echo "$HOME and $API_URL"', {"API_KEY": "${{ secrets.API }}"}, []),
        ('test -n "$API_KEY"', {"API_KEY": "${{ secrets.API }}"}, []),
        ("printenv", {"MODE": "production"}, []),
        ('echo "$OUTCOME"', {"OUTCOME": "${{ steps.secrets.outcome }}"}, []),
        ('echo "${{ steps.secrets.outputs.count }} ${{ inputs.secrets-file }}"', {}, []),
        ("env FOO=1 ./run.sh", {"TOKEN": "${{ secrets.T }}"}, []),
        ("set -e\n./deploy.sh", {"TOKEN": "${{ secrets.T }}"}, []),
        ('echo "ok" # not ${{ secrets.T }}', {}, []),
        ('X=$(echo "${{ secrets.T }}" | base64 -d)', {}, []),
    ],
)
def test_echoed_secrets(
    script: str, env: dict[str, str], expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    from launchready_ci.checks.workflows.shell import secret_env

    got = echoed_secrets(script, secret_env(env))
    assert [(e.command, e.names) for e in got] == expected


def test_secret_echoed_applies_to_every_workflow_and_finds_its_line(tmp_path: Path) -> None:
    text = """\
name: Tests
on: [pull_request]
env:
  API_KEY: ${{ secrets.API_KEY }}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          pytest -q

          echo "using $API_KEY"
      - run: echo "again $API_KEY" # launchready: ignore[workflows/secret-echoed] test fixture
"""
    result = review(make_repo(tmp_path, {f"{WF}/tests.yml": text}))
    assert found(result) == [("workflows/secret-echoed", f"{WF}/tests.yml", 12)]
    assert "$API_KEY (bound to secrets.API_KEY)" in result.findings[0].message
    assert result.suppressed == 1


# --- the heuristic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("job", "deploys"),
    [
        ({"environment": "production", "steps": [{"run": "make"}]}, True),
        ({"name": "Publish to prod", "steps": [{"run": "make"}]}, True),
        # names alone do not deploy: a step called Release that runs make tags, builds...
        ({"steps": [{"name": "Release", "run": "make"}]}, False),
        ({"name": "Publish to prod", "steps": []}, False),
        ({"steps": [{"run": "helm upgrade --install web ./chart"}]}, True),
        ({"steps": [{"run": "npx wrangler deploy"}]}, True),
        ({"steps": [{"run": "eas update --branch production"}]}, True),
        ({"steps": [{"run": "aws s3 sync dist s3://site"}]}, True),
        ({"steps": [{"run": "git push dokku@apps.example.com:web HEAD:main"}]}, True),
        ({"steps": [{"uses": "superfly/flyctl-actions@v1", "with": {"args": "deploy"}}]}, True),
        # saleor: a deploy triggered in another repository by a repository dispatch
        (
            {
                "environment": "release-deploy",
                "steps": [
                    {"run": "gh api /repos/acme/infra/dispatches -f event_type=deploy-staging"}
                ],
            },
            True,
        ),
        # saleor: notifiers and test uploads hold their webhook or token in an environment
        (
            {
                "environment": "discord-notifier",
                "steps": [
                    {"uses": "actions/checkout@v4"},
                    {"uses": "SethCohen/github-releases-to-discord@v1"},
                ],
            },
            False,
        ),
        (
            {
                "environment": "pytest-upload-django-db-queries",
                "steps": [
                    {"uses": "actions/download-artifact@v4"},
                    {"uses": "NyanKiyoshi/pytest-django-queries-ci-tools@v1"},
                ],
            },
            False,
        ),
        (
            {
                "name": "Remove test environment deployment",
                "environment": "testenvs-cleanup",
                "steps": [
                    {"name": "Invoke deployment lambda", "uses": "gagoar/invoke-aws-lambda@v3"}
                ],
            },
            False,
        ),
        ({"steps": [{"run": "npx vercel --prod"}]}, True),
        ({"steps": [{"run": "git push heroku main"}]}, True),
        ({"steps": [{"run": "aws ecs update-service --cluster c --service s"}]}, True),
        ({"steps": [{"run": "cd infra && terraform apply -auto-approve"}]}, True),
        ({"steps": [{"uses": "google-github-actions/deploy-cloudrun@v2"}]}, True),
        ({"steps": [{"run": "pytest"}]}, False),
        ({"steps": [{"run": "kubectl rollout status deploy/web"}]}, False),
        ({"steps": [{"name": "Roll back the deploy", "run": "vercel rollback"}]}, False),
        ({"steps": [{"name": "Smoke test the release", "run": "curl -f x"}]}, False),
        ({"steps": [{"uses": "release-drafter/release-drafter@v6"}]}, False),
    ],
)
def test_deploy_heuristic(job: dict[str, object], deploys: bool) -> None:
    assert deploy_jobs({"name": "CI", "jobs": {"build": job}}, "ci.yml") == (
        ["build"] if deploys else []
    )


def test_a_workflow_named_deploy_makes_its_jobs_deploy_when_none_says_so() -> None:
    data = {"name": "Deploy", "jobs": {"a": {"steps": [{"run": "./go.sh"}]}}}
    assert deploy_jobs(data, "x.yml") == ["a"]
    assert deploy_jobs({"jobs": data["jobs"]}, "deploy.yml") == ["a"]


# --- (c) zizmor ---------------------------------------------------------------------------

ZIZMOR_BAD = """\
name: Build
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make
"""


def test_zizmor_findings_become_workflow_findings(tmp_path: Path) -> None:
    exe = zizmor_or_skip()
    root = make_repo(tmp_path, {f"{WF}/build.yml": ZIZMOR_BAD, f"{WF}/deploy.yml": GOOD})
    result = review(root, zizmor=exe)
    zizmor = sorted(
        (
            dict(f.properties)["zizmor_audit"],
            f.severity,
            f.location.path,
            f.location.start_line,
            f.location.start_column,
        )
        for f in result.findings
        if f.rule_id == Zizmor.id
    )
    path = f"{WF}/build.yml"
    # What zizmor 1.x reports offline (regular persona) on this workflow; it does not
    # deploy, so zizmor is all there is.
    assert zizmor == [
        ("artipacked", Severity.WARNING, path, 9, 9),
        ("excessive-permissions", Severity.WARNING, path, 6, 3),
        ("unpinned-uses", Severity.ERROR, path, 9, 15),
    ]
    unpinned = next(f for f in result.findings if "unpinned-uses" in f.message)
    assert unpinned.message.startswith(
        "build.yml (Build), job build, step 'actions/checkout@v4': zizmor unpinned-uses: "
    )
    assert "docs.zizmor.sh" in unpinned.remediation
    assert found(result) == []
    assert result.scope and result.scope.endswith(": 3 findings")
    assert "zizmor 1." in result.scope


def test_zizmor_ignores_are_honoured(tmp_path: Path) -> None:
    exe = zizmor_or_skip()
    text = ZIZMOR_BAD.replace(
        "actions/checkout@v4", "actions/checkout@v4 # zizmor: ignore[unpinned-uses,artipacked]"
    )
    result = review(make_repo(tmp_path, {f"{WF}/build.yml": text}), zizmor=exe)
    assert [dict(f.properties)["zizmor_audit"] for f in result.findings] == [
        "excessive-permissions"
    ]


def test_a_failing_zizmor_is_reported_in_the_scope_not_raised(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "zizmor"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\necho 'zizmor 1.99.0'\n[ \"$1\" = --version ] || { echo boom >&2; exit 1; }\n"
    )
    fake.chmod(0o755)
    root = make_repo(tmp_path / "repo", {f"{WF}/build.yml": ZIZMOR_BAD})
    result = review(root, zizmor=str(fake))
    assert result.findings == ()
    assert result.scope == (
        "1 workflows, 0 deploys; zizmor failed (exit 1: boom): its security audits did not run"
    )
    missing = review(root, zizmor=str(tmp_path / "nowhere" / "zizmor"))
    assert missing.scope and "zizmor failed (FileNotFoundError)" in missing.scope


# --- every rule's examples ------------------------------------------------------------------


@pytest.mark.parametrize("rule", WorkflowsCheck.rules, ids=lambda rule: rule.id)
def test_rule_examples(rule: type[Rule], tmp_path: Path) -> None:
    exe = find_zizmor() if rule is Zizmor else None
    if rule is Zizmor and exe is None:
        zizmor_or_skip()
    for kind in ("bad", "good"):
        for n, text in enumerate(rule.examples[kind]):
            root = make_repo(tmp_path / f"{kind}{n}", {f"{WF}/example.yml": text})
            rules = {f.rule_id for f in review(root, zizmor=exe).findings}
            assert (rule.id in rules) is (kind == "bad"), f"{kind} example {n}: {sorted(rules)}"


def test_find_zizmor_looks_next_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    exe = find_zizmor()
    beside = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert exe == beside


@pytest.mark.parametrize("variable", ["RUST_BACKTRACE", "RUST_LIB_BACKTRACE"])
def test_a_zizmor_failure_gives_its_error_line_not_a_stack_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """A runner with RUST_BACKTRACE=1 makes zizmor end a failure with a stack trace; the
    reason reported is zizmor's ``error:`` line (the real zizmor, on a file it cannot read
    as a workflow)."""
    from launchready_ci.checks.workflows.zizmor import ZizmorFailed, run_zizmor

    exe = zizmor_or_skip()
    root = make_repo(tmp_path / "repo", {".github/workflows/bad.yml": "on: push\njobs:\n  a: [\n"})
    monkeypatch.setenv(variable, "1")
    with pytest.raises(ZizmorFailed) as failed:
        run_zizmor(exe, root, [".github/workflows/bad.yml"])
    assert str(failed.value) == "exit 3: error: no inputs collected"


def test_a_zizmor_reason_never_is_a_stack_frame() -> None:
    """Without an ``error:`` line, the reason is the last line before the stack trace."""
    from launchready_ci.checks.workflows.zizmor import _reason

    stderr = "fatal: no audit was performed\n\nStack backtrace:\n   1: zizmor::main\n   6: _start\n"
    assert _reason(stderr) == "fatal: no audit was performed"
