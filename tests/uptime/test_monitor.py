"""`launchready monitor run` through a full outage: the real membership app goes down and
recovers, GitHub's issues API is played by tests/github_api.py, and every run is a real
CLI run whose time is set with --at (five minutes apart, as the schedule intends)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from launchready_ci.uptime.history import History
from tests.apps import membership_app
from tests.github_api import FakeGitHub, github_api
from tests.helpers import make_repo, parse_output_file, run_cli

T0 = 1_764_331_200.0  # 2025-11-28 12:00 UTC
PASSWORD = "correct horse battery staple"

CONFIG = """\
# Budgets of 30 s: a loaded machine must not open latency incidents beside the outage
# these tests follow (the latency incidents have tests of their own).
uptime:
  base_url: {base_url}
  interval: 5m
  checks:
    - name: homepage
      url: /
      budget: 30s
      expect: {{status: 200, body: {{contains: Clubhouse}}}}
    - name: API health
      url: /health
      budget: 30s
    - name: sign-in
      method: POST
      url: /api/login
      budget: 30s
      json: {{email: member@clubhouse.test, password: "{{{{ env.SMOKE_PASSWORD }}}}"}}
      expect: {{json: {{$.user.plan: founding}}}}
      private: true
  incidents:
    after: 3
    comment_every: 30m
    contact: "@acme/oncall"
"""


def _monitor(repo: Path, api: FakeGitHub, at: float, tmp_path: Path) -> Any:
    api.clock_override = dt.datetime.fromtimestamp(at, dt.UTC)
    return run_cli(
        "monitor", "run", "--root", str(repo), "--history", str(tmp_path / "history.json"),
        "--out", str(tmp_path / "site"), "--at", str(at),
        env={
            "SMOKE_PASSWORD": PASSWORD,
            "GITHUB_TOKEN": api.token,
            "GITHUB_REPOSITORY": f"{api.owner}/{api.repo}",
            "GITHUB_API_URL": api.url,
            "GITHUB_OUTPUT": str(tmp_path / "outputs"),
        },
    )  # fmt: skip


def test_an_outage_opens_an_issue_and_recovery_closes_it_with_the_downtime(
    tmp_path: Path,
) -> None:
    with membership_app() as app, github_api() as api:
        repo = make_repo(
            tmp_path / "repo", {"launchready.yml": CONFIG.format(base_url=app.base_url)},
            commit=False,
        )  # fmt: skip
        timeline: list[tuple[float, bool]] = [(T0, True)]  # (time, API health up)
        timeline += [(T0 + 300 * i, False) for i in (1, 2, 3, 4)]
        timeline += [(T0 + 2700, False), (T0 + 3000, True), (T0 + 3300, True)]
        opened_at = None
        for at, up in timeline:
            if up:
                app.state.broken.discard("/health")
            else:
                app.state.broken.add("/health")
            done = _monitor(repo, api, at, tmp_path)
            assert done.returncode == 0, done.stdout + done.stderr
            if opened_at is None and api.sent("POST", "/issues"):
                opened_at = at
        issues = api.issues
        assert len(issues) == 1, issues
        issue = issues[0]
        assert opened_at == T0 + 900  # the third failed run in a row
        assert issue["title"] == "🔴 API health is down"
        assert issue["state"] == "closed"
        assert "launchready-incident" in [label["name"] for label in issue["labels"]]
        body = issue["body"]
        assert "failed 3 probes in a row since 2025-11-28 12:05 UTC" in body
        assert "cc @acme/oncall" in body
        assert "status 500" in body and "GET " in body
        comments = [c["body"] for c in api.comments[issue["number"]]]
        # At T0+1200 the last word was 5 minutes old: no comment. At T0+2700, 30 min
        # had passed: one. Then the recovery.
        assert len(comments) == 2, comments
        assert comments[0].startswith("Still down: 5 failed probes since 2025-11-28 12:05 UTC")
        assert comments[1].startswith(
            "✅ **API health** is back at 2025-11-28 12:50 UTC after 45 min"
        )
        everything = json.dumps([r.json for r in api.requests]) + done.stdout
    assert PASSWORD not in everything
    history = History.loads((tmp_path / "history.json").read_text())
    assert len(history.runs) == len(timeline)
    assert [s.ok for s in history.samples["api-health"]] == [up for _, up in timeline]
    assert history.checks["sign-in"]["url"] == ""  # private: not on the public page
    page = (tmp_path / "site" / "index.html").read_text()
    assert "API health" in page and "/api/login" not in page
    assert (tmp_path / "site" / "badges" / "api-health-uptime.svg").is_file()


def test_a_down_check_is_reported_without_incidents_when_asked(tmp_path: Path) -> None:
    with membership_app() as app:
        app.state.broken.add("/")
        repo = make_repo(
            tmp_path / "repo", {"launchready.yml": CONFIG.format(base_url=app.base_url)},
            commit=False,
        )  # fmt: skip
        done = run_cli(
            "monitor", "run", "--root", str(repo), "--history", str(tmp_path / "h.json"),
            "--no-incidents", "--no-pages",
            env={"SMOKE_PASSWORD": PASSWORD, "GITHUB_OUTPUT": str(tmp_path / "out")},
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "DOWN homepage: 500" in done.stdout
    outputs = parse_output_file(tmp_path / "out")
    assert outputs["up"] == "false" and outputs["failing"] == '["homepage"]'
