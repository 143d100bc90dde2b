"""`launchready smoke run` against a real membership app and real fault servers on
loopback (tests/apps.py), over HTTP and HTTPS with a local CA."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.apps import App, fault_server, membership_app
from tests.helpers import make_repo, run_cli
from tests.helpers import parse_output_file as _outputs

PASSWORD = "correct horse battery staple"

# Budgets a loaded machine cannot reach: these journeys test behaviour, not speed (the
# budget tests set their own).
JOURNEYS = """\
smoke:
  runs: 2
  budgets: {read: 60s, action: 60s}
  readiness:
    path: /version
    version: "{{ env.RELEASE }}"
    version_json: $.version
    deadline: 10s
    interval: 200ms
  journeys:
    - name: sign-in
      steps:
        - name: log in
          method: POST
          url: /api/login
          json: {email: member@clubhouse.test, password: "{{ env.SMOKE_PASSWORD }}"}
          capture:
            token: {json: $.token}
            session: {cookie: session}
          expect:
            status: 200
            headers: {content-type: {contains: json}}
            json: {$.user.plan: founding, $.token: {type: string, min_count: 16}}
        - name: profile
          url: /api/me
          headers: {Authorization: "Bearer {{ token }}"}
          expect:
            json: {$.plan: founding, $.invites_left: {at_least: 1}}
        - name: api feed
          url: /api/feed
          headers: {Authorization: "Bearer {{ token }}"}
          expect:
            json: {$.items: {count: 2}, "$.items[0].title": Welcome}
    - name: invite acceptance
      steps:
        - name: log in
          method: POST
          url: /api/login
          form: {email: member@clubhouse.test, password: "{{ env.SMOKE_PASSWORD }}"}
        - name: open the invite link
          url: /invite/welcome-2026
          capture:
            code: {regex: 'name="invite" value="([^"]+)"'}
          expect:
            status: 200
            url: {ends_with: "/signup?invite=welcome-2026"}
            redirects: 1
        - name: accept
          method: POST
          url: /invites/accept
          form: {invite: "{{ code }}", name: Ada}
          expect:
            status: 200
            url: {matches: "/feed$"}
            body: {contains: Welcome to the clubhouse}
            headers: {cache-control: {contains: private}}
    - name: feed signed out
      steps:
        - url: /feed
          follow_redirects: false
          expect:
            status: 302
            headers: {location: {starts_with: /login}}
"""


def _env(**extra: str) -> dict[str, str]:
    return {"SMOKE_PASSWORD": PASSWORD, "RELEASE": "v2", **extra}


def _smoke(repo: Path, app: App | Any, *args: str, env: dict[str, str] | None = None) -> Any:
    base = ["smoke", "run", "--root", str(repo), "--base-url", app.base_url]
    if app.ca_bundle:
        base += ["--ca-bundle", app.ca_bundle]
    return run_cli(*base, *args, env=env if env is not None else _env())


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_the_member_journeys_pass_against_a_working_release(tmp_path: Path, tls: bool) -> None:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": JOURNEYS}, commit=False)
    outputs = tmp_path / "outputs"
    with membership_app(tls=tls, version="v2") as app:
        done = _smoke(
            repo,
            app,
            "--json", str(tmp_path / "r.json"),
            "--results", str(tmp_path / "results.json"),
            env=_env(GITHUB_OUTPUT=str(outputs)),
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        # Two runs of three journeys; the invite journey's cookie carried the session.
        assert app.state.requests.count(("POST", "/invites/accept")) == 2
        assert app.state.requests.count(("GET", "/feed")) == 4  # after the 303, and signed out
    report = json.loads((tmp_path / "r.json").read_text())
    rows = report["checks"][0]["measurements"]
    assert [(r["Journey"], r["Step"], r["Result"]) for r in rows] == [
        ("sign-in", "log in", "passed"),
        ("sign-in", "profile", "passed"),
        ("sign-in", "api feed", "passed"),
        ("invite acceptance", "log in", "passed"),
        ("invite acceptance", "open the invite link", "passed"),
        ("invite acceptance", "accept", "passed"),
        ("feed signed out", "GET /feed", "passed"),
    ]
    assert all(r["p95"].endswith(("ms", " s")) for r in rows)
    assert "release v2 live after 1 poll(s)" in report["checks"][0]["scope"]
    values = _outputs(outputs)
    assert values["passed"] == "true"
    assert json.loads(values["failed-steps"]) == []
    p95 = json.loads(values["p95"])
    assert set(p95) >= {"sign-in › log in", "invite acceptance › accept"}
    assert all(isinstance(v, float) for v in p95.values())
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["passed"] is True and results["runs"] == 2 and results["failed_runs"] == 0


def test_a_broken_release_fails_at_the_step_with_a_redacted_excerpt(tmp_path: Path) -> None:
    config = JOURNEYS.replace("runs: 2", "runs: 3")
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    env = _env(GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary))
    with membership_app(version="v2") as app:
        app.state.broken.add("/api/me")  # a 500 page that echoes the Authorization header
        done = _smoke(
            repo,
            app,
            "--sarif", str(tmp_path / "r.sarif"),
            "--json", str(tmp_path / "r.json"),
            "--results", str(tmp_path / "results.json"),
            env=env,
        )  # fmt: skip
        tokens = list(app.state.tokens)
        sessions = list(app.state.sessions)
    assert done.returncode == 1, done.stdout + done.stderr
    line = config.splitlines().index("        - name: profile") + 1
    annotations = [a for a in done.stdout.splitlines() if a.startswith("::error ")]
    assert any(
        a.startswith(f"::error file=launchready.yml,line={line},")
        and "smoke/assertion-failed" in a
        and "status 500" in a
        for a in annotations
    ), done.stdout
    # The request line and an excerpt of the debug page, with the credentials taken out.
    assert "GET http://127.0.0.1:" in done.stdout and "/api/me → 500" in done.stdout
    assert "authorization: ***" in done.stdout.lower()
    # The secrets: masked for the log, and absent from every output.
    masks = {m for m in done.stdout.splitlines() if m.startswith("::add-mask::")}
    assert f"::add-mask::{PASSWORD}" in masks
    # The tokens the sign-in journey captured (the invite journey captures none).
    assert sum(f"::add-mask::{t}" in masks for t in tokens) == 3
    planted = [PASSWORD, *tokens, *sessions]
    assert len(planted) >= 7  # the password, 6 tokens, 6 sessions
    texts = {
        "stdout": "\n".join(
            line for line in done.stdout.splitlines() if not line.startswith("::add-mask::")
        ),
        "stderr": done.stderr,
        **{p.name: p.read_text() for p in tmp_path.iterdir() if p.is_file()},
    }
    for name, text in texts.items():
        for value in planted:
            assert value not in text, f"a secret in {name}"
    values = _outputs(outputs)
    assert values["passed"] == "false"
    assert json.loads(values["failed-steps"]) == ["sign-in › profile"]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["failed_runs"] == 3 and results["runs"] == 3
    step = next(s for s in results["steps"] if s["id"] == "sign-in › api feed")
    assert step["not_reached"] == 3  # it needs the profile step first
    markdown = summary.read_text()
    assert "| sign-in | profile | failed 3/3 | 500 |" in markdown
    assert "smoke/assertion-failed" in markdown


# 4 s: the hang and the trickle wait it out; everything else answers in milliseconds.
FAULTS = """\
smoke:
  runs: 1
  timeout: 4s
  max_body: 100000
  journeys:
"""


def test_every_fault_is_a_finding_of_its_own(tmp_path: Path) -> None:
    kinds = {
        "refused": "smoke/connection-refused",
        "hang": "smoke/timeout",
        "trickle": "smoke/timeout",
        "redirect-loop": "smoke/redirect-loop",
        "huge-body": "smoke/body-too-large",
        "invalid-json": "smoke/invalid-json",
        "untrusted-tls": "smoke/tls-failed",
    }
    with _faults(list(kinds)) as servers:
        config = FAULTS
        for kind, fault in servers.items():
            expect = "{json: {$.version: v1}}" if kind == "invalid-json" else "{}"
            config += (
                f"    - name: {kind}\n      steps:\n"
                f"        - url: {fault.base_url}/a\n          expect: {expect}\n"
            )
        config += "    - name: dns\n      steps:\n        - url: http://no-such-host.invalid/\n"
        repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
        done = run_cli(
            "smoke", "run", "--root", str(repo), "--base-url", "http://127.0.0.1:9",
            "--json", str(tmp_path / "r.json"),
        )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    found = {
        f["message"].split(" ›")[0]: f["rule_id"]
        for f in json.loads((tmp_path / "r.json").read_text())["findings"]
    }
    assert found == {**kinds, "dns": "smoke/dns-failed"}
    messages = {
        f["rule_id"]: f["message"]
        for f in json.loads((tmp_path / "r.json").read_text())["findings"]
        if f["message"].startswith("trickle")
    }
    # The trickle server was sending bytes all along: the total deadline stopped it.
    assert "not complete in 4 s (status 200, body unfinished)" in messages["smoke/timeout"]


def test_readiness_waits_for_the_new_version_then_measures(tmp_path: Path) -> None:
    # The release goes live on the third poll: counted by the server, not timed, so a
    # slow start of the CLI on a loaded machine cannot make the first poll see it.
    repo = make_repo(tmp_path / "repo", {"launchready.yml": JOURNEYS}, commit=False)
    with membership_app(version="v2") as app:
        app.state.rollout = ["v1", "v1"]
        done = _smoke(repo, app, "--json", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    scope = json.loads((tmp_path / "r.json").read_text())["checks"][0]["scope"]
    assert "release v2 live after 3 poll(s)" in scope


def test_a_release_that_never_goes_live_is_not_measured(tmp_path: Path) -> None:
    # Two polls, a second apart; each may take up to the 3 s deadline (a healthy local
    # answer takes milliseconds, even on a loaded machine).
    config = JOURNEYS.replace("deadline: 10s", "deadline: 3s").replace(
        "interval: 200ms", "interval: 1s"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    with membership_app(version="v1") as app:
        done = _smoke(repo, app, "--results", str(tmp_path / "results.json"))
        journeys_ran = any(path != "/version" for _, path in app.state.requests)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "smoke/not-ready" in done.stdout
    assert "live version 'v1'" in done.stdout and "(expected 'v2')" in done.stdout
    assert not journeys_ran
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["ready"] is False and results["failed_runs"] == results["runs"]


def test_a_slow_step_is_over_budget_but_not_a_failure(tmp_path: Path) -> None:
    # Margins a loaded machine cannot eat: a healthy local answer takes milliseconds
    # (300 ms seen under load), the budget is 3 s, the slow step waits 4 s on the server.
    config = (
        "smoke:\n  runs: 1\n  budgets: {read: 3s}\n  journeys:\n"
        "    - name: browse\n      steps:\n        - url: /\n        - url: /login\n"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    outputs = tmp_path / "outputs"
    with membership_app() as app:
        app.state.delays["/login"] = 4.0
        done = _smoke(repo, app, env=_env(GITHUB_OUTPUT=str(outputs)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke/over-budget" in done.stdout
    assert "browse › GET /login: p95" in done.stdout and "over the 3000 ms budget" in done.stdout
    assert "browse › GET /:" not in done.stdout
    assert _outputs(outputs)["passed"] == "true"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "smoke:\n  journeys:\n    - name: a\n      steps:\n"
            "        - url: /\n          expect: {json: {'$.[': 1}}\n",
            "launchready.yml:6:",
        ),
        (
            "smoke:\n  journeys:\n    - name: a\n      steps:\n"
            "        - url: /\n        - url: /x\n          headers: {A: '{{ tokn }}'}\n",
            "launchready.yml:6:11: {{ tokn }} is not captured by an earlier step",
        ),
        (
            "smoke:\n  journeys:\n    - name: a\n      steps:\n        - {url: /, methd: GET}\n",
            "launchready.yml:5",
        ),
        (
            "smoke:\n  journeys:\n    - name: a\n      steps:\n"
            "        - url: /\n          capture: {t: {regex: '('}}\n",
            "is not a regular expression",
        ),
    ],
    ids=["bad-jsonpath", "unknown-variable", "unknown-key", "bad-regex"],
)
def test_spec_problems_are_usage_errors_with_a_line(
    tmp_path: Path, config: str, expected: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    done = run_cli("smoke", "run", "--root", str(repo), "--base-url", "http://127.0.0.1:9")
    assert done.returncode == 2, done.stdout + done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unset_variable_is_named_before_any_request(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": JOURNEYS}, commit=False)
    with membership_app() as app:
        done = _smoke(repo, app, env={"RELEASE": "v2"})
        assert app.state.requests == []
    assert done.returncode == 2
    assert "SMOKE_PASSWORD not set" in done.stderr


class _faults:
    """Every fault server at once."""

    def __init__(self, kinds: list[str]) -> None:
        self.managers = {kind: fault_server(kind) for kind in kinds}

    def __enter__(self) -> dict[str, Any]:
        return {kind: cm.__enter__() for kind, cm in self.managers.items()}

    def __exit__(self, *exc: object) -> None:
        for cm in self.managers.values():
            cm.__exit__(None, None, None)
