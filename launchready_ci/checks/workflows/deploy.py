"""What the launch bar asks of a deploy workflow: which jobs deploy, and whether they run
on reviewed triggers only, in an environment, one at a time, followed by a smoke test, with
a way back and a scoped token. Its rules, and the detection behind them.

A job deploys when :func:`deploy_jobs` says so, by what the job does: it runs a deploy
command or action, dispatches a deploy, or targets an environment and does more than
notify and test. Notifiers, test jobs and teardowns are not deploys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from launchready_ci.checks.workflows.reader import (
    WORKFLOWS,
    Workflow,
    jobs_of,
    label,
    steps_of,
)
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "DeployAnyBranch",
    "DeployWithoutConcurrency",
    "DeployWithoutEnvironment",
    "DeployWithoutRollback",
    "DeployWithoutSmokeTest",
    "PermissionsNotSet",
    "deploy_findings",
    "deploy_jobs",
    "is_rollback_name",
]


@register
class DeployAnyBranch(Rule):
    """A deploy workflow runs for pushes to any branch, or for pull requests.

    Why
    ---
    Production then gets whatever was pushed last: a work-in-progress branch, an
    experiment, code nobody reviewed. On `pull_request` the deploy runs code from the
    pull request; on `pull_request_target` it does so with the base repository's secrets,
    so anyone who can open a pull request can ship, or read the deploy credentials
    (reported as an error).

    Remediation
    -----------
    Deploy on `push` to the default branch only (`branches: [main]`), after review and
    branch protection; use `workflow_dispatch` for manual deploys. Preview deploys of
    pull requests belong in a separate workflow without production secrets.

    References
    ----------
    - https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#onpushpull_requestpull_request_targetpathspaths-ignore
    - https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
    """

    id = "workflows/deploy-any-branch"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: push\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: flyctl deploy --remote-only\n",
        ),
        "good": (
            "on:\n"
            "  push:\n"
            "    branches: [main]\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: flyctl deploy --remote-only\n",
        ),
    }


@register
class DeployWithoutEnvironment(Rule):
    """A deploy job does not name a GitHub environment.

    Why
    ---
    Without `environment:` the deploy gets no protection rules (required reviewers, a
    branch policy, a wait timer), its credentials have to be repository secrets that
    every workflow and branch can read, and GitHub keeps no deployment history to show
    what is live or to find the last good release when rolling back.

    Remediation
    -----------
    Add `environment: production` to the deploy job, move the deploy credentials to that
    environment's secrets, and restrict the environment to the default branch.

    References
    ----------
    - https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment
    """

    id = "workflows/deploy-without-environment"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: npx vercel deploy --prod\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    environment: production\n"
            "    steps:\n"
            "      - run: npx vercel deploy --prod\n",
        ),
    }


@register
class DeployWithoutConcurrency(Rule):
    """Two runs of a deploy workflow can deploy at the same time.

    Why
    ---
    Two quick pushes start two deploys; the older one can finish last and put the older
    release live, and a rollback can interleave with a deploy. Migrations run twice at
    once.

    Remediation
    -----------
    Add a `concurrency:` group to the workflow or the deploy job, with
    `cancel-in-progress: false` so that a deploy queues behind the running one instead
    of being cut off halfway.

    References
    ----------
    - https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/control-the-concurrency-of-workflows-and-jobs
    """

    id = "workflows/deploy-without-concurrency"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: kubectl apply -f k8s/\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "concurrency: {group: deploy-production, cancel-in-progress: false}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: kubectl apply -f k8s/\n",
        ),
    }


@register
class DeployWithoutSmokeTest(Rule):
    """Nothing checks the release after the deploy step.

    Why
    ---
    A deploy that "succeeded" only means the platform accepted it. Whether members can
    still sign in, pay and load their feed is found out by the members, after the deploy
    job went green.

    Remediation
    -----------
    After the deploy step, run `launchready/launchready-ci/actions/smoke-test` (or
    `launchready smoke run`) with the journeys of the `smoke:` section of
    launchready.yml; a job that `needs:` the deploy job works too.

    References
    ----------
    - https://github.com/launchready/launchready-ci/blob/v1/workflow-templates/launchready-deploy.yml
    - https://sre.google/sre-book/testing-reliability/
    """

    id = "workflows/deploy-without-smoke-test"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: railway up --service web\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: railway up --service web\n"
            "      - uses: launchready/launchready-ci/actions/smoke-test@v1\n",
        ),
    }


@register
class DeployWithoutRollback(Rule):
    """A deploy workflow has no rollback step, and no rollback workflow exists.

    Why
    ---
    When a release breaks sign-in, the way back is typed by hand under pressure, by
    whoever is awake, from memory of the platform's CLI. Minutes of a broken launch turn
    into an hour.

    Remediation
    -----------
    Add a step that rolls back when the smoke test fails
    (`launchready/launchready-ci/actions/rollback`, or `launchready rollback`, which reads
    the `rollback:` section of launchready.yml), or at least a `workflow_dispatch`
    workflow named rollback that redeploys the last good release.

    References
    ----------
    - https://github.com/launchready/launchready-ci/blob/v1/workflow-templates/launchready-deploy.yml
    - https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-workflow-runs/manually-running-a-workflow
    """

    id = "workflows/deploy-without-rollback"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: netlify deploy --prod\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: netlify deploy --prod\n"
            "      - id: smoke\n"
            "        uses: launchready/launchready-ci/actions/smoke-test@v1\n"
            "      - if: steps.smoke.outputs.passed == 'false'\n"
            "        uses: launchready/launchready-ci/actions/rollback@v1\n",
        ),
    }


@register
class PermissionsNotSet(Rule):
    """A deploy workflow leaves the GITHUB_TOKEN at the repository's default permissions.

    Why
    ---
    Without `permissions:` the token gets the repository default, which is read-write on
    contents, packages, deployments and more in many repositories (every repository
    created before February 2023). A compromised action or build script in the deploy job
    can then push code, rewrite releases or approve its own changes.

    Remediation
    -----------
    Set `permissions: {contents: read}` at the top of the workflow and grant a job only
    what it needs (`deployments: write`, `id-token: write` for cloud OIDC login).

    References
    ----------
    - https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions
    - https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token
    """

    id = "workflows/permissions-not-set"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - run: gcloud run deploy web --source .\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "permissions: {contents: read}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    permissions: {contents: read, id-token: write}\n"
            "    steps:\n"
            "      - run: gcloud run deploy web --source .\n",
        ),
    }


#: This area's rules.
RULES: tuple[type[Rule], ...] = (
    DeployAnyBranch,
    DeployWithoutEnvironment,
    DeployWithoutConcurrency,
    DeployWithoutSmokeTest,
    DeployWithoutRollback,
    PermissionsNotSet,
)


_DEPLOY_NAME = re.compile(r"deploy|release|publish[-_ ]?to[-_ ]?prod", re.I)

#: Names that say deploy/release but are not one: release-note bots, the checks after it.
_NOT_DEPLOY_NAME = re.compile(
    r"release[-_ ]?(?:draft|please|notes)|smoke|health[- ]?check|verif|roll[- ]?back|revert",
    re.I,
)

_ROLLBACK_COMMAND = re.compile(
    r"\blaunchready\s+rollback\b|\b(?:vercel|heroku|helm|fly|flyctl)\b[^\n;&|]*\brollback\b"
    r"|\brollout\s+undo\b"
)

_ROLLBACK_ACTION = re.compile(r"/actions/rollback(?:@|$)", re.I)

_ROLLBACK_NAME = re.compile(r"roll[-_ ]?back|revert", re.I)

_SMOKE_ACTION = re.compile(r"/actions/smoke-test(?:@|$)", re.I)

_SMOKE_COMMAND = re.compile(r"\blaunchready\s+smoke\s+run\b")

_SMOKE_NAME = re.compile(r"smoke|health[-_ ]?check|verif(?:y|ies|ication)", re.I)


#: A command that puts a release on servers (one line of a `run:` script).
_DEPLOY_COMMAND = re.compile(
    r"""\bvercel\b[^\n;&|]*(?:\bdeploy\b|--prod\b)
    | \b(?:fly|flyctl)\s+(?:deploy|launch)\b
    | \bkubectl\b[^\n;&|]*\b(?:apply|set\s+image|rollout\s+restart)\b
    | \bhelm\s+(?:upgrade|install)\b
    | \bgit\s+push\b[^\n;&|]*(?:\bheroku\b|\bdokku\b|\bdeploy\b|\bproduction\b|\bstaging\b|\blive\b|dokku@|heroku\.com|ssh://)
    | \bheroku\s+(?:container:release|releases:|deploy|builds:create)
    | \bdokku\b
    | \bnetlify\s+deploy\b
    | \brailway\s+(?:up|deploy|redeploy)\b
    | \brender\s+deploys?\b|api\.render\.com/deploy
    | \bwrangler\s+(?:deploy|publish|pages\s+deploy)\b
    | \baws\s+ecs\s+(?:update-service|deploy)\b
    | \baws\s+s3\s+sync\b
    | \baws\s+lambda\s+update-function-code\b
    | \baws\s+deploy\s+create-deployment\b
    | \bgcloud\s+(?:run\s+|app\s+|functions\s+)deploy\b
    | \baz\s+(?:webapp|containerapp|functionapp)\s+(?:up|deploy|update)\b
    | \beas\s+(?:update|submit|build\b[^\n;&|]*--auto-submit)
    | \b(?:serverless|sls|cdk|sst)\s+deploy\b|\bpulumi\s+up\b|\bterraform\s+apply\b
    | \bfirebase\s+deploy\b|\bsupabase\s+(?:db\s+push|functions\s+deploy)\b
    | \b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?deploy\b
    | \bmake\s+deploy\b
    | (?:^|[\s;&|])\.?/?(?:[\w.-]+/)*deploy[\w.-]*\.sh\b
    | \bcap\s+\w+\s+deploy\b|\bkamal\s+(?:deploy|redeploy)\b""",
    re.X,
)
#: Actions that deploy (owner/name, lower case, before the @).
_DEPLOY_ACTIONS = re.compile(
    r"""^(?:amondnet/vercel-action|superfly/flyctl-actions(?:/setup-flyctl)?|cloudflare/wrangler-action
    |cloudflare/pages-action|nwtgck/actions-netlify|netlify/actions/cli
    |aws-actions/amazon-ecs-deploy-task-definition|aws-actions/aws-cloudformation-github-deploy
    |google-github-actions/deploy-cloudrun|google-github-actions/deploy-appengine
    |google-github-actions/deploy-cloud-functions|azure/webapps-deploy|azure/functions-action
    |azure/k8s-deploy|azure/container-apps-deploy-action|akhileshns/heroku-deploy
    |dokku/github-action|railwayapp/.*|johnbeynon/render-deploy-action
    |easingthemes/ssh-deploy
    |peaceiris/actions-gh-pages|actions/deploy-pages|jamesives/github-pages-deploy-action
    |firebaseextended/action-hosting-deploy|w9jds/firebase-action|serverless/github-action
    |pulumi/actions|aws-actions/aws-lambda-deploy)$""",
    re.X,
)
#: Actions and commands of jobs that only notify or only test: such a job is not a
#: deploy even with an `environment:` (which notifiers use to hold a webhook secret).
_NOTIFY_ACTION = re.compile(
    r"discord|slack|teams|telegram|mattermost|rocket\.?chat|twilio|sendgrid|mail|notif|"
    r"webhook|ntfy|pushover|zulip|irc",
    re.I,
)
_TEST_WORDS = re.compile(
    r"\b(?:pytest|jest|vitest|mocha|playwright|cypress|go\s+test|cargo\s+test|rspec|phpunit|"
    r"npm\s+(?:run\s+)?test|pnpm\s+(?:run\s+)?test|yarn\s+test|tox|nox|coverage|lint|"
    r"codecov|test[-_ ]results?|queries)\b",
    re.I,
)
_TEARDOWN_NAME = re.compile(
    r"clean[-_ ]?up|tear[-_ ]?down|destroy|remove|delete|deactivat|stop|prune", re.I
)
#: Steps any kind of job has: they say nothing about what the job does.
_NEUTRAL_ACTIONS = re.compile(
    r"^(?:actions/(?:checkout|setup-[\w-]+|cache|upload-artifact|download-artifact|github-script)"
    r"|aws-actions/configure-aws-credentials|docker/(?:login|setup-[\w-]+|metadata)-action"
    r"|rlespinasse/github-slug-action|bobheadxi/deployments|chrnorm/deployment-(?:action|status))$",
    re.I,
)


#: Job and workflow names that say deploy (not "release": tagging and drafting releases
#: is not deploying).
_DEPLOY_WORD = re.compile(r"deploy|ship[-_ ]?to|publish[-_ ]?to[-_ ]?prod", re.I)


def deploy_jobs(data: Mapping[str, Any], file_name: str) -> list[str]:
    """The ids of the jobs of a workflow that deploy, by what each job does.

    A job deploys when one of its steps runs a deploy command (:data:`_DEPLOY_COMMAND`:
    vercel, flyctl, railway, render, wrangler, netlify, ``aws ecs``/``s3 sync``, kubectl,
    helm, eas, dokku, ``git push`` to a deploy remote ...), a deploy action, or a
    dispatch of a deploy elsewhere (a repository dispatch whose event says deploy); or
    when it targets an ``environment:`` (or is named for a deploy) and does something
    besides notifying and testing. A job named for tearing down is never a deploy. A job
    that calls a reusable workflow deploys when its name says so. When no job deploys but
    the workflow's name says deploy, its jobs that do something count.
    """
    jobs = jobs_of(data)
    found = [jid for jid, job in jobs.items() if _deploys(jid, job)]
    if not found and _says_deploy(data.get("name") or file_name):
        found = [jid for jid, job in jobs.items() if not _teardown(jid, job) and _does_work(job)]
    return found


def _deploys(jid: str, job: Mapping[str, Any]) -> bool:
    if _teardown(jid, job):
        return False
    if any(_runs_deploy(s) for _, s in steps_of(job)):
        return True
    if "uses" in job:  # a reusable workflow: its own file shows what it does
        return _says_deploy(jid) or _says_deploy(job.get("name"))
    named = _says_deploy(jid) or _says_deploy(job.get("name"))
    return ("environment" in job or named) and _does_work(job)


def _teardown(jid: str, job: Mapping[str, Any]) -> bool:
    return _TEARDOWN_NAME.search(f"{jid} {job.get('name') or ''}") is not None


def _does_work(job: Mapping[str, Any]) -> bool:
    """Whether the job does something besides checking out, notifying and testing."""
    doing = [s for _, s in steps_of(job) if not _neutral(s)]
    return bool(doing) and not all(_notifies(s) or _tests(s) for s in doing)


def _says_deploy(name: object) -> bool:
    return (
        isinstance(name, str)
        and _DEPLOY_WORD.search(name) is not None
        and _NOT_DEPLOY_NAME.search(name) is None
    )


def _neutral(step: Mapping[str, Any]) -> bool:
    uses = step.get("uses")
    return isinstance(uses, str) and _NEUTRAL_ACTIONS.match(_action(uses)) is not None


def _notifies(step: Mapping[str, Any]) -> bool:
    uses, run = step.get("uses"), step.get("run")
    if isinstance(uses, str):
        return _NOTIFY_ACTION.search(_action(uses)) is not None
    return isinstance(run, str) and bool(
        re.search(r"curl\b[^\n]*(?:webhook|hooks\.slack|discord)", run, re.I)
    )


def _tests(step: Mapping[str, Any]) -> bool:
    text = " ".join(str(step.get(k) or "") for k in ("uses", "run", "name"))
    return _TEST_WORDS.search(text) is not None


def _action(uses: str) -> str:
    return uses.split("@", 1)[0].lower().rstrip("/")


def _runs_deploy(step: Mapping[str, Any]) -> bool:
    uses = step.get("uses")
    if isinstance(uses, str):
        action = _action(uses)
        if _DEPLOY_ACTIONS.match(action):
            return True
        if (
            "deploy" in action
            and not _NEUTRAL_ACTIONS.match(action)
            and "deployments" not in action
        ):
            return True
        if _invokes_deploy(step):
            return True
    run = step.get("run")
    if not isinstance(run, str):
        return False
    if any(
        _DEPLOY_COMMAND.search(line) and not _ROLLBACK_COMMAND.search(line)
        for line in run.splitlines()
    ):
        return True
    return _dispatches_deploy(run)


def _dispatches_deploy(run: str) -> bool:
    """``gh api /repos/o/r/dispatches`` with a deploy event, ``gh workflow run deploy.yml``."""
    if not re.search(r"/dispatches\b|gh\s+workflow\s+run|repository_dispatch", run):
        return False
    return re.search(r"deploy", run, re.I) is not None


def _invokes_deploy(step: Mapping[str, Any]) -> bool:
    """A generic action (a Lambda invocation, a repository dispatch) named for a deploy."""
    name = str(step.get("name") or "")
    action = _action(str(step.get("uses") or ""))
    generic = re.search(
        r"invoke-aws-lambda|repository-dispatch|workflow-dispatch|http-request", action
    )
    return bool(generic) and re.search(r"\bdeploy", name, re.I) is not None


def _named_deploy(name: object) -> bool:
    return (
        isinstance(name, str)
        and _DEPLOY_NAME.search(name) is not None
        and _NOT_DEPLOY_NAME.search(name) is None
    )


def _is_smoke(step: Mapping[str, Any]) -> bool:
    return _matches(step, _SMOKE_ACTION, _SMOKE_COMMAND, _SMOKE_NAME)


def _is_rollback(step: Mapping[str, Any]) -> bool:
    return _matches(step, _ROLLBACK_ACTION, _ROLLBACK_COMMAND, _ROLLBACK_NAME)


def _matches(
    step: Mapping[str, Any],
    action: re.Pattern[str],
    command: re.Pattern[str],
    name: re.Pattern[str],
) -> bool:
    uses, run, label = step.get("uses"), step.get("run"), step.get("name")
    return (
        (isinstance(uses, str) and action.search(uses) is not None)
        or (isinstance(run, str) and command.search(run) is not None)
        or (isinstance(label, str) and name.search(label) is not None)
    )


def _deploy_step(job: Mapping[str, Any]) -> int | None:
    """The index of the step that deploys: a deploy command, else a step named for it."""
    steps = steps_of(job)
    for i, step in steps:
        if _runs_deploy(step):
            return i
    named = [(i, str(s.get("name"))) for i, s in steps if _named_deploy(s.get("name"))]
    for i, name in named:
        if re.match(r"\W*(?:deploy|release|publish)", name, re.I):
            return i
    return named[0][0] if named else None


def _downstream(jobs: Mapping[str, Mapping[str, Any]], root: str) -> list[str]:
    """The jobs that need ``root``, directly or through other jobs."""
    out: list[str] = []
    reached = {root}
    changed = True
    while changed:
        changed = False
        for jid, job in jobs.items():
            needs = job.get("needs")
            names = {needs} if isinstance(needs, str) else set(needs or ())
            if jid not in reached and names & reached:
                reached.add(jid)
                out.append(jid)
                changed = True
    return out


def deploy_findings(
    wf: Workflow, deploy: Sequence[str], has_rollback_workflow: bool
) -> Iterator[Finding]:
    data, jobs = wf.data, wf.jobs
    names = ", ".join(deploy)
    yield from _trigger_findings(wf, names)
    steps_anywhere = [s for job in jobs.values() for _, s in steps_of(job)]
    rollback = (
        has_rollback_workflow
        or any(_is_rollback(s) for s in steps_anywhere)
        or any(_ROLLBACK_NAME.search(f"{jid} {j.get('name', '')}") for jid, j in jobs.items())
    )
    for jid in deploy:
        job = jobs[jid]
        where = f"{label(wf)}, job {jid}"
        at_job = wf.at("jobs", jid)
        step_index = _deploy_step(job)
        at_step = wf.at("jobs", jid, "steps", step_index) if step_index is not None else at_job
        calls = "uses" in job  # a reusable workflow: its own file has the steps
        if not calls and "environment" not in job:
            yield DeployWithoutEnvironment.finding(
                f"{where}: deploys without `environment:`: no protection rules, no "
                "environment secrets, no deployment history",
                at_job,
                content=f"{jid}:environment",
            )
        if "concurrency" not in data and "concurrency" not in job:
            yield DeployWithoutConcurrency.finding(
                f"{where}: neither the workflow nor the job sets `concurrency:`; two deploys "
                "can run at once and the older one can finish last",
                at_job,
                content=f"{jid}:concurrency",
            )
        if not calls and not _smoke_tested(jobs, jid, step_index):
            after = "after the deploy step" if step_index is not None else "in or after the job"
            yield DeployWithoutSmokeTest.finding(
                f"{where}: nothing checks the release {after} (no smoke-test action, "
                "`launchready smoke run` or smoke/health-check step)",
                at_step,
                content=f"{jid}:smoke",
            )
        if not calls and not rollback:
            yield DeployWithoutRollback.finding(
                f"{where}: no rollback step in the workflow and no rollback workflow in "
                f"{WORKFLOWS}",
                at_step,
                content=f"{jid}:rollback",
            )
        if "permissions" not in data and "permissions" not in job:
            yield PermissionsNotSet.finding(
                f"{where}: no `permissions:` on the workflow or the job; the GITHUB_TOKEN "
                "gets the repository default, which may be read-write",
                at_job,
                content=f"{jid}:permissions",
            )


def _smoke_tested(jobs: Mapping[str, Mapping[str, Any]], jid: str, step_index: int | None) -> bool:
    after = [s for i, s in steps_of(jobs[jid]) if step_index is None or i > step_index]
    later = _downstream(jobs, jid)
    return any(_is_smoke(s) for s in after) or any(
        _SMOKE_NAME.search(f"{d} {jobs[d].get('name', '')}")
        or _SMOKE_ACTION.search(str(jobs[d].get("uses", "")))
        or any(_is_smoke(s) for _, s in steps_of(jobs[d]))
        for d in later
    )


def _trigger_findings(wf: Workflow, deploy: str) -> Iterator[Finding]:
    on = wf.data.get("on")
    triggers: Mapping[str, Any]
    if isinstance(on, str):
        triggers = {on: None}
    elif isinstance(on, list):
        triggers = {str(t): None for t in on}
    else:
        triggers = on if isinstance(on, dict) else {}
    where = f"{label(wf)}, deploy job(s) {deploy}"
    for event, spec in triggers.items():
        at = wf.at("on", event) if isinstance(on, dict) else wf.at("on")
        if event == "push" and not _filtered(spec):
            yield DeployAnyBranch.finding(
                f"{where}: runs on a push to any branch (no `branches:` filter), so "
                "unreviewed code reaches production",
                at,
                content="push",
            )
        elif event in ("pull_request", "pull_request_target"):
            target = event == "pull_request_target"
            yield DeployAnyBranch.finding(
                f"{where}: runs on `{event}`, deploying code from pull requests before review"
                + (", with the base repository's secrets" if target else ""),
                at,
                content=event,
                severity=Severity.ERROR if target else None,
            )


def _filtered(spec: object) -> bool:
    """Whether a ``push:`` trigger is limited to some branches (or to tags only)."""
    if not isinstance(spec, dict):
        return False
    branches = spec.get("branches")
    if isinstance(branches, str):
        branches = [branches]
    if isinstance(branches, list) and branches:
        return not all(str(b) in ("*", "**") for b in branches)
    return "branches-ignore" not in spec and ("tags" in spec or "tags-ignore" in spec)


def is_rollback_name(text: str) -> bool:
    """A workflow's or job's name that says it rolls back (or reverts)."""
    return bool(_ROLLBACK_NAME.search(text))
