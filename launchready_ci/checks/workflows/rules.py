"""The rules of the deploy workflow review: what a deploy workflow needs before launch
(reviewed triggers, an environment, one deploy at a time, a smoke test, a way back, a
scoped token, no secrets in the log), and zizmor's findings on every workflow."""

from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "DeployAnyBranch",
    "DeployWithoutConcurrency",
    "DeployWithoutEnvironment",
    "DeployWithoutRollback",
    "DeployWithoutSmokeTest",
    "PermissionsNotSet",
    "SecretEchoed",
    "Zizmor",
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
    - https://github.com/launchready/launchready-ci/blob/v1/workflows-templates/launchready-deploy.yml
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
    - https://github.com/launchready/launchready-ci/blob/v1/workflows-templates/launchready-deploy.yml
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
class SecretEchoed(Rule):
    """A workflow script prints a secret to the job log.

    Why
    ---
    GitHub masks a secret's exact value in logs, but not the value base64-encoded,
    URL-encoded, split over lines or passed through `set -x` tracing of a transformed
    variable, and a masked line still tells a reader which secret was used where. Logs
    are readable by everyone with read access to the repository, and by everyone for a
    public one.

    Remediation
    -----------
    Remove the `echo`/`printenv`/`env`/`set -x`. To check that a secret is set, test its
    length (`test -n "$API_KEY"`); to hand it to a command, use the command's
    `--password-stdin`-style input or an environment variable, never its output.

    References
    ----------
    - https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#using-secrets-in-a-workflow
    - https://cwe.mitre.org/data/definitions/532.html
    """

    id = "workflows/secret-echoed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            '      - run: echo "${{ secrets.STRIPE_KEY }}"\n',
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "jobs:\n"
            "  deploy:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            "      - env: {STRIPE_KEY: '${{ secrets.STRIPE_KEY }}'}\n"
            '        run: test -n "$STRIPE_KEY"\n',
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


@register
class Zizmor(Rule):
    """zizmor found a security problem in a workflow (its audit id is in the message).

    Why
    ---
    Workflows run with the repository's secrets and token. zizmor audits them for the
    known ways that goes wrong: unpinned third-party actions, credentials persisted by
    `actions/checkout`, template injection of attacker-controlled values into scripts,
    dangerous triggers, excessive permissions. launchready runs it offline on every
    workflow and reports each finding with zizmor's severity (high → error, medium →
    warning, low and informational → notice).

    Remediation
    -----------
    Follow the linked zizmor audit page. Ignore a finding that does not apply with a
    `# zizmor: ignore[<audit>]` comment on its line, or in `.github/zizmor.yml`; both are
    honoured here.

    References
    ----------
    - https://docs.zizmor.sh/audits/
    - https://docs.zizmor.sh/usage/#ignoring-results
    """

    id = "workflows/zizmor"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "on: {push: {branches: [main]}}\n"
            "permissions: {}\n"
            "jobs:\n"
            "  build:\n"
            "    runs-on: ubuntu-latest\n"
            "    permissions: {contents: read}\n"
            "    steps:\n"
            "      - uses: actions/checkout@v4\n",
        ),
        "good": (
            "on: {push: {branches: [main]}}\n"
            "permissions: {}\n"
            "jobs:\n"
            "  build:\n"
            "    runs-on: ubuntu-latest\n"
            "    permissions: {contents: read}\n"
            "    steps:\n"
            "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
            "        with: {persist-credentials: false}\n",
        ),
    }
