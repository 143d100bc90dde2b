"""workflow-templates/launchready-uptime.yml run with act on a schedule event, as a user
would copy it: the user's repository has an `origin` (a bare repository on disk) to push
the history branch to, the site is the membership app on loopback with its health
endpoint down, and GitHub's issues API is played by tests/github_api.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.uptime.history import History
from tests.actions.test_act import act_binary, run_act, snapshot, template_command
from tests.apps import membership_app
from tests.github_api import github_api
from tests.helpers import git

pytestmark = pytest.mark.act

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "workflow-templates/launchready-uptime.yml"

CONFIG = """\
uptime:
  base_url: {base_url}
  checks:
    - {{name: homepage, url: /, expect: {{body: {{contains: Clubhouse}}}}}}
    - {{name: API health, url: /health}}
  incidents: {{after: 1, contact: "@acme/oncall"}}
"""


def test_the_uptime_template_records_the_run_and_opens_an_incident(tmp_path: Path) -> None:
    act = act_binary()
    source = snapshot(tmp_path / "launchready-ci")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    repo = tmp_path / "user-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "uptime.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    with membership_app() as app, github_api() as api:
        app.state.broken.add("/health")
        (repo / "launchready.yml").write_text(CONFIG.format(base_url=app.base_url))
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "uptime checks")
        git(repo, "remote", "add", "origin", str(origin))
        git(repo, "push", "-q", "origin", "main")
        command = template_command(
            act, "schedule", ".github/workflows/uptime.yml", source, tmp_path / "act-cache",
            "-s", f"GITHUB_TOKEN={api.token}",
            "--env", f"GITHUB_API_URL={api.url}",
            "--env", f"GITHUB_REPOSITORY={api.owner}/{api.repo}",
        )  # fmt: skip
        code, log = run_act(command, repo, tmp_path / "act.log")
        issues = api.issues
    assert code == 0, log[-4000:]  # a check that is down does not fail the run
    listing = git(origin, "ls-tree", "-r", "--name-only", "launchready-uptime").split()
    assert {"history.json", "index.html", "badges/api-health-uptime.svg"} <= set(listing)
    history = History.loads(git(origin, "show", "launchready-uptime:history.json"))
    assert [s.ok for s in history.samples["api-health"]] == [False]
    assert [s.ok for s in history.samples["homepage"]] == [True]
    assert [i["title"] for i in issues] == ["🔴 API health is down"]
