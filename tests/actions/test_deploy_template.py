"""workflow-templates/launchready-deploy.yml run with act on a push, as a user would copy
it: the Deploy step is the user's script, the smoke test runs against the real membership
app on loopback (tests/apps.py) with a broken feed API, and the rollback runs the user's
rollback command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.actions.test_act import (
    act_binary,
    annotations,
    printed,
    run_act,
    snapshot,
    template_command,
)
from tests.apps import membership_app
from tests.helpers import git

pytestmark = pytest.mark.act

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "workflow-templates/launchready-deploy.yml"
PASSWORD = "correct horse battery staple"

CONFIG = """\
smoke:
  base_url: {base_url}
  ca_bundle: staging-ca.pem
  runs: 2
  readiness:
    path: /version
    version_header: X-Release
    deadline: 20s
  journeys:
    - name: sign-in
      steps:
        - name: log in
          method: POST
          url: /api/login
          json: {{email: member@clubhouse.test, password: "{{{{ env.SMOKE_PASSWORD }}}}"}}
          capture: {{token: {{json: $.token}}}}
        - name: feed API
          url: /api/feed
          headers: {{Authorization: "Bearer {{{{ token }}}}"}}
          expect: {{json: {{$.items: {{min_count: 1}}}}}}
rollback:
  strategy: command
  command: ./scripts/rollback.sh
"""


def test_a_failed_smoke_test_triggers_the_rollback(tmp_path: Path) -> None:
    act = act_binary()
    source = snapshot(tmp_path / "launchready-ci")
    repo = tmp_path / "user-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "scripts").mkdir()
    (repo / "scripts" / "deploy.sh").write_text('#!/bin/sh\necho "deploying $1"\n')
    (repo / "scripts" / "rollback.sh").write_text(
        '#!/bin/sh\necho "rollback.sh: putting back the release before $LAUNCHREADY_ROLLBACK_FROM"\n'
    )
    for script in ("deploy.sh", "rollback.sh"):
        (repo / "scripts" / script).chmod(0o755)
    (repo / ".github" / "workflows" / "deploy.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    with membership_app(tls=True) as app:
        assert app.ca_bundle is not None
        shutil.copy(app.ca_bundle, repo / "staging-ca.pem")
        config = CONFIG.format(base_url=app.base_url)
        (repo / "launchready.yml").write_text(config)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "deploy with smoke tests")
        sha = git(repo, "rev-parse", "HEAD").strip()
        app.state.version = sha  # the release went live
        app.state.broken.add("/api/feed")
        command = template_command(
            act, "push", ".github/workflows/deploy.yml", source, tmp_path / "act-cache",
            "-s", f"SMOKE_PASSWORD={PASSWORD}",
        )  # fmt: skip
        code, log = run_act(command, repo, tmp_path / "act.log")
        served = list(app.state.requests)
    assert code != 0, log[-4000:]  # the smoke test failed the job
    lines = printed(log)
    assert f"deploying {sha}" in lines
    feed_line = config.splitlines().index("        - name: feed API") + 1
    found = annotations(log)
    assert any(
        a.startswith(f"::error file=launchready.yml,line={feed_line},")
        and "smoke/assertion-failed" in a
        and "status 500" in a
        for a in found
    ), found
    assert f"rollback.sh: putting back the release before {sha}" in lines
    assert ("GET", "/version") in served and ("GET", "/api/feed") in served
    assert PASSWORD not in log
