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


EMAIL_CONFIG = """\
smoke:
  base_url: {base_url}
  ca_bundle: staging-ca.pem
  runs: 1
  readiness:
    path: /version
    version_json: $.version
    deadline: 20s
  email:
    inboxes:
      staging: {{type: sink, listen: "127.0.0.1:{sink}"}}
    links: {{canonical: app.mail.test}}
    spam: false
    nameserver: "{nameserver}"
    connect_to: ["{connect_to}"]
  journeys:
    - name: home
      steps:
        - {{url: /version}}
    - name: password reset
      steps:
        - {{method: POST, url: /password/reset, form: {{email: member@mail.test}}}}
        - email: {{type: password reset, to: member@mail.test, deadline: 30s}}
    - name: reset from a release without APP_URL
      steps:
        - {{method: POST, url: /password/reset, form: {{email: fault+localhost-link@mail.test}}}}
        - email: {{type: password reset, to: fault+localhost-link@mail.test, deadline: 30s}}
"""


def test_the_email_journeys_run_after_the_web_journeys_with_the_sink(tmp_path: Path) -> None:
    from tests.mailservers import mail_app, mail_dns
    from tests.servers import _free_tcp_port

    act = act_binary()
    source = snapshot(tmp_path / "launchready-ci")
    repo = tmp_path / "user-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "scripts").mkdir()
    (repo / "scripts" / "deploy.sh").write_text('#!/bin/sh\necho "deploying $1"\n')
    (repo / "scripts" / "deploy.sh").chmod(0o755)
    (repo / ".github" / "workflows" / "deploy.yml").write_text(
        (ROOT / TEMPLATE).read_text(encoding="utf-8")
    )
    sink = _free_tcp_port()
    with mail_dns() as dns, mail_app(dns.key, ("127.0.0.1", sink)) as app:
        shutil.copy(app.ca_bundle, repo / "staging-ca.pem")
        config = EMAIL_CONFIG.format(base_url=app.base_url, sink=sink, nameserver=dns.nameserver,
                                     connect_to=app.connect_to())  # fmt: skip
        (repo / "launchready.yml").write_text(config + "rollback:\n  strategy: command\n"
                                              "  command: ./scripts/rollback.sh\n")  # fmt: skip
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "deploy with email journeys")
        sha = git(repo, "rev-parse", "HEAD").strip()
        app.outbox.version = sha
        command = template_command(
            act, "push", ".github/workflows/deploy.yml", source, tmp_path / "act-cache",
            "-s", f"SMOKE_PASSWORD={PASSWORD}",
        )  # fmt: skip
        code, log = run_act(command, repo, tmp_path / "act.log")
        sent = list(app.outbox.sent)
    assert code != 0, log[-4000:]  # the email with a localhost link failed the job
    assert [kind for kind, _ in sent] == ["reset", "reset"], log[-3000:]
    line = (
        config.splitlines().index(
            "        - email: {type: password reset, to: fault+localhost-link@mail.test, deadline: 30s}"
        )
        + 1
    )
    found = annotations(log)
    assert any(
        a.startswith(f"::error file=launchready.yml,line={line},")
        and "email/link-not-canonical" in a
        for a in found
    ), found
    assert not any("rollback" in a.lower() for a in printed(log) if "putting back" in a)
    assert PASSWORD not in log
