"""The alerts besides an outage, decided in-process against the fake GitHub API: a
certificate close to expiry, latency over budget for K runs, and an error rate that
never makes N failures in a row. Each opens its own issue and closes when it clears."""

from __future__ import annotations

import datetime as dt

from launchready_ci.github.api import GitHubAPI
from launchready_ci.uptime.history import History, Run, Sample
from launchready_ci.uptime.incidents import Policy, manage
from tests.github_api import FakeGitHub, github_api

T0 = 1_764_331_200.0
POLICY = Policy(after=3, latency_runs=3, tls_days=14, error_window=8, error_rate=0.25)


def _step(
    api: FakeGitHub,
    history: History,
    at: float,
    sample: Sample,
    tls: dict[str, float] | None = None,
) -> list[str]:
    api.clock_override = dt.datetime.fromtimestamp(at, dt.UTC)
    run = Run(at, {"api": sample}, tls=tls or {})
    history.add(run)
    client = GitHubAPI(token=api.token, repository=f"{api.owner}/{api.repo}", base_url=api.url)
    with client:
        actions = manage(
            client, history, run, POLICY, names={"api": "API"}, urls={}, budgets={"api": 300.0}
        )
    return [f"{a.verb} {a.kind}" for a in actions]


def test_latency_over_budget_for_k_runs_opens_and_closes_an_issue() -> None:
    history = History()
    with github_api() as api:
        seen = []
        for i, latency in enumerate([120, 450, 480, 510, 470, 140]):
            seen += _step(api, history, T0 + 300 * i, Sample(T0 + 300 * i, True, latency, 200))
        titles = [i["title"] for i in api.issues]
    assert seen == ["opened latency", "commented latency", "closed latency"]
    assert titles == ["🐢 API is over its 300 ms budget"]


def test_a_certificate_close_to_expiry_has_its_own_issue() -> None:
    history = History()
    ok = Sample(T0, True, 100.0, 200)
    with github_api() as api:
        soon = {"api.example.com": T0 + 9 * 86400}
        first = _step(api, history, T0, ok, soon)
        again = _step(api, history, T0 + 300, Sample(T0 + 300, True, 100.0, 200), soon)
        renewed = {"api.example.com": T0 + 90 * 86400}
        done = _step(api, history, T0 + 600, Sample(T0 + 600, True, 100.0, 200), renewed)
        issue = api.issues[0]
    assert first == ["opened certificate"] and again == [] and done[-1] == "closed certificate"
    assert issue["title"] == "🔒 The certificate of api.example.com expires in 9 days"
    assert issue["state"] == "closed"


def test_failures_that_come_and_go_open_an_error_rate_issue() -> None:
    history = History()
    pattern = [True, False, True, True, False, True, False, True]  # 3 of 8, never 3 in a row
    with github_api() as api:
        seen = []
        for i, ok in enumerate(pattern + [True] * 8):
            at = T0 + 300 * i
            seen += _step(
                api, history, at, Sample(at, ok, 100.0 if ok else None, 200 if ok else 502)
            )
        titles = [i["title"] for i in api.issues]
    assert "opened down" not in seen, seen
    assert seen[0] == "opened error-rate" and seen[-1] == "closed error-rate", seen
    assert titles == ["🟠 API fails 3 of its last 8 probes"]
