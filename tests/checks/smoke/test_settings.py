"""Per-journey and per-step settings, readiness that keeps going, and what the report says
about budgets, against the membership app and the fault servers on loopback
(tests/apps.py). Delays are at least 10x the deadlines or budgets they test, so that a
loaded machine cannot turn a pass into a failure or the reverse."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import yaml

from launchready_ci.checks.smoke.engine import Engine
from launchready_ci.checks.smoke.spec import read_spec
from launchready_ci.config.model import Config
from tests.apps import fault_server, membership_app, unaccepting_port
from tests.helpers import make_repo, run_cli


def _run(tmp_path: Path, config: str, base_url: str, *args: str, **env: str) -> Any:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    out = tmp_path / "report.json"
    done = run_cli(
        "smoke", "run", "--root", str(repo), "--base-url", base_url, "--json", str(out),
        "--results", str(tmp_path / "results.json"), *args, env=env,
    )  # fmt: skip
    report = json.loads(out.read_text()) if out.exists() else {"checks": [{}], "findings": []}
    return done, report


def _messages(report: dict[str, Any]) -> dict[str, str]:
    return {
        f["message"].split(" ›")[0]: f["rule_id"] + " " + f["message"] for f in report["findings"]
    }


SETTINGS = """\
smoke:
  runs: 2
  timeout: 10s
  max_body: 100000
  budgets: {read: 1ms}
  journeys:
    - name: slow
      timeout: 300ms
      steps:
        - url: /slow
    - name: small
      steps:
        - {url: /, max_body: 10}
    - name: no-redirects
      redirects: 0
      steps:
        - url: /invite/welcome-2026
    - name: often
      runs: 5
      steps:
        - {url: /version, budget: none}
    - name: sampled
      steps:
        - {url: /login, runs: 4, budget: none}
    - name: slow-step
      steps:
        - {url: /slow, timeout: 300ms}
    - name: small-journey
      max_body: 10
      steps:
        - url: /
    - name: step-redirects
      steps:
        - {url: /invite/welcome-2026, redirects: 0}
"""


def test_settings_on_a_journey_or_a_step_override_the_section(tmp_path: Path) -> None:
    with membership_app() as app:
        app.state.delays["/slow"] = 5.0
        done, report = _run(tmp_path, SETTINGS, app.base_url)
        requests = list(app.state.requests)
    assert done.returncode == 1, done.stdout + done.stderr
    found = _messages(report)
    assert "smoke/timeout" in found["slow"] and "not complete in 0.3 s" in found["slow"]
    assert "smoke/body-too-large" in found["small"] and "passed 10 bytes" in found["small"]
    assert "smoke/redirect-loop" in found["no-redirects"]
    assert "a redirect where the step allows none (redirects: 0)" in found["no-redirects"]
    # The same three settings the other way round: on the step, on the journey.
    assert "smoke/timeout" in found["slow-step"] and "not complete in 0.3 s" in found["slow-step"]
    assert "smoke/body-too-large" in found["small-journey"]
    assert "passed 10 bytes" in found["small-journey"]
    assert "redirects: 0" in found["step-redirects"]
    # A journey's own runs beat --runs / smoke.runs; a GET step repeats within each run.
    assert requests.count(("GET", "/version")) == 5
    assert requests.count(("GET", "/login")) == 4 * 2
    # budget: none: no over-budget finding, "none" in the table (the section's is 1 ms).
    assert "often" not in found and "sampled" not in found
    rows = {r["Journey"]: r for r in report["checks"][0]["measurements"]}
    assert rows["often"]["Budget"] == "none" and rows["often"]["Result"] == "passed"
    assert set(rows["often"]) >= {"DNS", "Connect", "TLS"}
    assert rows["often"]["TLS"] == "–"  # plain http
    assert "2–5 run(s)" in report["checks"][0]["scope"]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["runs"] == 5
    step = next(s for s in results["steps"] if s["journey"] == "sampled")
    assert step["runs"] == 8 and step["budget_ms"] is None
    assert isinstance(step["connect_ms"], float) and step["tls_ms"] is None


def test_a_connect_timeout_stops_a_connection_that_never_opens(tmp_path: Path) -> None:
    config = (
        "smoke:\n  runs: 1\n  timeout: 30s\n  connect_timeout: 500ms\n  journeys:\n"
        "    - name: dropped\n      steps:\n        - url: /\n"
    )
    with unaccepting_port() as url:
        done, report = _run(tmp_path, config, url)
    assert done.returncode == 1, done.stdout + done.stderr
    found = _messages(report)
    assert "smoke/timeout" in found["dropped"], found
    assert "no connection in 0.5 s (connect_timeout)" in found["dropped"]


def test_a_post_step_cannot_repeat(tmp_path: Path) -> None:
    config = (
        "smoke:\n  journeys:\n    - name: a\n      steps:\n"
        "        - {url: /api/login, method: POST, runs: 3}\n"
    )
    done, _ = _run(tmp_path, config, "http://127.0.0.1:9")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "launchready.yml:5" in done.stderr and "a POST step is sent once per run" in done.stderr


def test_with_fail_on_warning_an_over_budget_step_fails_its_runs(tmp_path: Path) -> None:
    config = (
        "fail_on: warning\nsmoke:\n  runs: 3\n  journeys:\n"
        "    - name: browse\n      steps:\n        - {url: /login, budget: 20ms}\n"
    )
    with membership_app() as app:
        app.state.delays["/login"] = 0.3
        done, report = _run(tmp_path, config, app.base_url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "smoke/over-budget" in done.stdout
    assert "passed (over budget)" not in done.stdout
    rows = report["checks"][0]["measurements"]
    assert rows[0]["Result"] == "over budget"
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["passed"] is False and results["failed_runs"] == 3
    assert results["steps"][0]["failed"] is True and results["steps"][0]["over_budget"] is True


def test_with_fail_on_error_an_over_budget_step_passes(tmp_path: Path) -> None:
    config = (
        "smoke:\n  runs: 2\n  journeys:\n"
        "    - name: browse\n      steps:\n        - {url: /login, budget: 20ms}\n"
    )
    with membership_app() as app:
        app.state.delays["/login"] = 0.3
        done, report = _run(tmp_path, config, app.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["checks"][0]["measurements"][0]["Result"] == "passed (over budget)"
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["passed"] is True and results["failed_runs"] == 0


NOTHING = """\
smoke:
  runs: 2
  readiness: {path: /version, deadline: 1s, interval: 200ms}
  journeys:
    - name: home
      steps: [{url: /}, {url: /login}]
    - name: api
      steps: [{url: /api/me}]
"""


def test_when_nothing_answers_each_journeys_first_step_still_runs(tmp_path: Path) -> None:
    with fault_server("refused") as down:
        done, report = _run(tmp_path, NOTHING, down.base_url)
    assert done.returncode == 1, done.stdout + done.stderr
    rules = sorted((f["rule_id"], f["message"].split(" ›")[0]) for f in report["findings"])
    assert rules[:2] == [("smoke/connection-refused", "api"), ("smoke/connection-refused", "home")]
    assert [r for r, _ in rules[2:]] == ["smoke/not-ready"]
    ready = next(f for f in report["findings"] if f["rule_id"] == "smoke/not-ready")
    assert "connection refused" in ready["message"]
    assert "nothing answered; each journey's first step was sent once" in ready["message"]
    # The wait it reports is never shorter than the configured deadline (1 s).
    waited = re.search(r"not live after (\d+) s and \d+ polls", ready["message"])
    assert waited is not None and int(waited.group(1)) >= 1, ready["message"]
    rows = {(r["Journey"], r["Step"]): r["Result"] for r in report["checks"][0]["measurements"]}
    assert rows == {("home", "GET /"): "failed 1/1", ("api", "GET /api/me"): "failed 1/1"}
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["ready"] is False and results["failed_runs"] == results["runs"] == 2


def test_readiness_waits_on_a_json_field_and_a_header(tmp_path: Path) -> None:
    config = (
        "smoke:\n  runs: 1\n  readiness:\n    path: /version\n    version: v2\n"
        "    version_header: X-Release\n    version_json: $.version\n"
        "    json: {$.commit: {exists: true}}\n    headers: {content-type: {contains: json}}\n"
        "    deadline: 1s\n    interval: 200ms\n"
        "  journeys:\n    - name: home\n      steps: [{url: /}]\n"
    )
    with membership_app(version="v2") as app:
        done, report = _run(tmp_path, config, app.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "release v2 live after 1 poll(s)" in report["checks"][0]["scope"]
    failing = config.replace("content-type: {contains: json}", "x-ready: 'yes'")
    with membership_app(version="v2") as app:
        done, report = _run(tmp_path / "b", failing, app.base_url)
        journeys_ran = any(path != "/version" for _, path in app.state.requests)
    assert done.returncode == 1, done.stdout + done.stderr
    ready = report["findings"][0]
    assert ready["rule_id"] == "smoke/not-ready" and "header x-ready:" in ready["message"]
    assert "the journeys did not run" in ready["message"] and not journeys_ran


def test_the_backoff_polls_until_the_deadline_not_before_it() -> None:
    """With a 10 s deadline and a 1 s interval the polls are at 0, 1, 3, 7 and 10 s:
    the doubling would have stopped at 7 s and reported that as the wait."""
    raw = yaml.safe_load(
        "smoke:\n  readiness: {path: /version, version_json: $.version, deadline: 10s,"
        " interval: 1s}\n  journeys: [{name: a, steps: [{url: /}]}]\n"
    )
    spec = read_spec(Config(sections=raw), raw["smoke"])
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with membership_app(version="v1") as app:
        engine = Engine(
            spec, base_url=app.base_url, environ={}, cafile=None, clock=lambda: now[0],
            sleep=sleep,
        )  # fmt: skip
        ready = asyncio.run(engine.wait_ready("v2"))
    assert not ready.ok
    assert slept == [1.0, 2.0, 4.0, 3.0] and ready.polls == 5
    assert ready.waited == 10.0
    assert "live version 'v1'" in ready.last


def test_urls_are_shown_with_query_values_hidden_and_plain_env_values_kept(
    tmp_path: Path,
) -> None:
    config = (
        "smoke:\n  runs: 1\n  journeys:\n"
        "    - name: loop\n      steps:\n        - url: '{{ env.LOOP_URL }}/a?token=s3cr3t-t0ken'\n"
    )
    with fault_server("redirect-loop") as loop:
        done, report = _run(tmp_path, config, "http://127.0.0.1:9", LOOP_URL=loop.base_url)
    assert done.returncode == 1, done.stdout + done.stderr
    message = report["findings"][0]["message"]
    assert "s3cr3t" not in done.stdout + json.dumps(report)
    # The URL from LOOP_URL (not a secret-looking name) is shown, not ***.
    assert f"GET {loop.base_url}/a?token=…" in message
    assert f"back to a URL already visited: {loop.base_url}/a?token=…" in message


def test_example_ignores_in_the_docs_are_not_unused_ignores_of_the_smoke_run(
    tmp_path: Path,
) -> None:
    config = "smoke:\n  runs: 1\n  journeys:\n    - name: home\n      steps: [{url: /}]\n"
    files = {
        "launchready.yml": config,
        "CHANGELOG.md": "- inline `# launchready: ignore[smoke/over-budget]` now works\n",
        "docs/smoke.md": "Silence one with `launchready: ignore[rule-id]`.\n",
    }
    repo = make_repo(tmp_path / "repo", files)
    with membership_app() as app:
        done = run_cli("smoke", "run", "--root", str(repo), "--base-url", app.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unused-ignore" not in done.stdout
