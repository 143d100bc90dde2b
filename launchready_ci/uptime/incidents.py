"""Incidents as GitHub issues, decided from the history after each run.

- **down:** after ``after`` consecutive failed runs of a check an issue is opened that
  names the check, since when it fails, the latest (redacted) reason and the contact;
  while it stays down, at most one comment per ``comment_every``; on the first passing
  run a last comment gives the downtime, and the issue is closed.
- **latency:** a check over its budget for ``latency_runs`` runs in a row; closed when a
  run is back within it.
- **error rate:** failures that come and go (at least ``error_rate`` of the last
  ``error_window`` runs, never ``after`` in a row); closed when the share drops.
- **certificate:** a host whose certificate expires in fewer than ``tls_days`` days;
  closed once it is renewed.

Each issue carries a hidden marker (``<!-- launchready-incident kind=... key=...
since=... -->``), so the next run finds it among the open issues with the label; nothing
else needs to be stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from launchready_ci.github.api import GitHubAPI
from launchready_ci.uptime.history import History, Run

__all__ = ["Action", "Policy", "duration", "manage"]

_MARKER = re.compile(r"<!-- launchready-incident kind=([\w-]+) key=(\S+) since=([0-9.]+) -->")


@dataclass(frozen=True)
class Policy:
    after: int = 3
    comment_every: float = 3600.0
    contact: str | None = None
    labels: tuple[str, ...] = ("launchready-incident",)
    latency_runs: int = 3
    tls_days: int = 14
    error_window: int = 12  # runs (an hour at 5 minutes)
    error_rate: float = 0.25  # failed share of the window that opens an error-rate issue


@dataclass(frozen=True)
class Action:
    verb: str  # opened, commented, closed
    kind: str  # down, latency, certificate
    key: str
    number: int
    detail: str


@dataclass(frozen=True)
class _Open:
    number: int
    since: float
    created: float


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {secs} s" if secs and minutes < 10 else "")
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} d {hours % 24} h"


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class _Issues:
    def __init__(self, api: GitHubAPI, policy: Policy, run_url: str | None) -> None:
        self.api = api
        self.policy = policy
        self.run_url = run_url
        self.actions: list[Action] = []
        self.open: dict[tuple[str, str], _Open] = {}
        params = {"state": "open", "labels": ",".join(policy.labels)}
        for issue in api.paginate(api.repo_path("issues"), params):
            found = _MARKER.search(issue.get("body") or "")
            if found and "pull_request" not in issue:
                self.open[(found.group(1), found.group(2))] = _Open(
                    int(issue["number"]), float(found.group(3)), _epoch(issue["created_at"])
                )

    def open_issue(self, kind: str, key: str, since: float, title: str, body: str) -> None:
        if (kind, key) in self.open:
            return
        text = (
            body
            + self._footer()
            + f"\n<!-- launchready-incident kind={kind} key={key} since={since:.0f} -->\n"
        )
        issue = self.api.request(
            "POST",
            self.api.repo_path("issues"),
            json={"title": title, "body": text, "labels": list(self.policy.labels)},
        ).json()
        number = int(issue["number"])
        self.open[(kind, key)] = _Open(number, since, since)
        self.actions.append(Action("opened", kind, key, number, title))

    def comment(self, kind: str, key: str, body: str, now: float, *, force: bool = False) -> None:
        found = self.open.get((kind, key))
        if found is None:
            return
        if not force:
            comments = self.api.request(
                "GET", self.api.repo_path(f"issues/{found.number}/comments"),
                params={"per_page": 100},
            ).json()  # fmt: skip
            last = max([found.created, *(_epoch(c["created_at"]) for c in comments)])
            if now - last < self.policy.comment_every:
                return
        self.api.request(
            "POST",
            self.api.repo_path(f"issues/{found.number}/comments"),
            json={"body": body + self._footer()},
        )
        self.actions.append(Action("commented", kind, key, found.number, body.splitlines()[0]))

    def close(self, kind: str, key: str, body: str, now: float) -> None:
        found = self.open.get((kind, key))
        if found is None:
            return
        self.comment(kind, key, body, now, force=True)
        del self.open[(kind, key)]
        self.api.request(
            "PATCH",
            self.api.repo_path(f"issues/{found.number}"),
            json={"state": "closed", "state_reason": "completed"},
        )
        self.actions.append(Action("closed", kind, key, found.number, body.splitlines()[0]))

    def _footer(self) -> str:
        parts = []
        if self.policy.contact:
            parts.append(f"cc {self.policy.contact}")
        if self.run_url:
            parts.append(f"[probe run]({self.run_url})")
        return ("\n\n" + " · ".join(parts)) if parts else ""


def manage(
    api: GitHubAPI,
    history: History,
    run: Run,
    policy: Policy,
    *,
    names: Mapping[str, str],
    urls: Mapping[str, str],
    budgets: Mapping[str, float],
    run_url: str | None = None,
) -> list[Action]:
    """Open, comment on and close the incident issues this run calls for."""
    issues = _Issues(api, policy, run_url)
    now = run.at
    for check in run.samples:
        name = names.get(check, check)
        _down(issues, history, run, check=check, name=name, url=urls.get(check))
        _slow(issues, history, now, check=check, name=name, budget=budgets.get(check))
        _flaky(issues, history, now, check=check, name=name)
    for host, info in sorted(history.tls.items()):
        _certificate(issues, policy, host, info, now)
    return issues.actions


def _down(
    issues: _Issues, history: History, run: Run, *, check: str, name: str, url: str | None
) -> None:
    policy, now = issues.policy, run.at
    samples = history.recent(check, 5000)
    streak = 0
    for sample in reversed(samples):
        if sample.ok:
            break
        streak += 1
    where = f" ({url})" if url else ""
    reason = run.failures.get(check, "")
    if streak == 0:
        found = issues.open.get(("down", check))
        if found is not None:
            issues.close(
                "down",
                check,
                f"✅ **{name}** is back at {_when(now)} after {duration(now - found.since)} "
                "of downtime.",
                now,
            )
        return
    since = samples[-streak].at
    latest = f"\n\nLatest failure:\n\n```text\n{_fence_safe(reason)}\n```" if reason else ""
    if ("down", check) in issues.open:
        issues.comment(
            "down",
            check,
            f"Still down: {streak} failed probes since {_when(since)} "
            f"({duration(now - since)}).{latest}",
            now,
        )
    elif streak >= policy.after:
        issues.open_issue(
            "down",
            check,
            since,
            f"🔴 {name} is down",
            f"**{name}**{where} has failed {streak} probes in a row since {_when(since)}."
            f"{latest}\n\nThis issue is closed, with the downtime, when a probe passes again.",
        )


def _slow(
    issues: _Issues, history: History, now: float, *, check: str, name: str, budget: float | None
) -> None:
    policy = issues.policy
    if budget is None:
        return
    samples = history.recent(check, policy.latency_runs)
    over = [s for s in samples if s.ok and s.latency_ms is not None and s.latency_ms > budget]
    latest = samples[-1] if samples else None
    within = latest is not None and latest.ok and (latest.latency_ms or 0) <= budget
    if within and latest is not None and ("latency", check) in issues.open:
        issues.close(
            "latency",
            check,
            f"✅ **{name}** answers within its {budget:.0f} ms budget again "
            f"({latest.latency_ms or 0:.0f} ms at {_when(now)}).",
            now,
        )
        return
    if len(samples) >= policy.latency_runs and len(over) == len(samples):
        worst = max(s.latency_ms or 0 for s in over)
        issues.open_issue(
            "latency",
            check,
            samples[0].at,
            f"🐢 {name} is over its {budget:.0f} ms budget",
            f"**{name}** took longer than {budget:.0f} ms in the last {len(samples)} probes "
            f"(up to {worst:.0f} ms) since {_when(samples[0].at)}.",
        )


def _flaky(issues: _Issues, history: History, now: float, *, check: str, name: str) -> None:
    """Failures that come and go: too many in the window, though never `after` in a row."""
    policy = issues.policy
    samples = history.recent(check, policy.error_window)
    failed = sum(1 for s in samples if not s.ok)
    rate = failed / len(samples) if samples else 0.0
    key = ("error-rate", check)
    if len(samples) >= policy.error_window and rate >= policy.error_rate:
        if key not in issues.open and ("down", check) not in issues.open:
            issues.open_issue(
                "error-rate",
                check,
                samples[0].at,
                f"🟠 {name} fails {failed} of its last {len(samples)} probes",
                f"**{name}** failed {failed} of {len(samples)} probes ({rate:.0%}) since "
                f"{_when(samples[0].at)}, never {policy.after} in a row: members see errors "
                "now and then. Closed when the share drops under "
                f"{policy.error_rate:.0%}.",
            )
    elif key in issues.open and rate < policy.error_rate:
        issues.close(
            "error-rate",
            check,
            f"✅ **{name}** failed {failed} of its last {len(samples)} probes: under "
            f"{policy.error_rate:.0%} again.",
            now,
        )


def _certificate(
    issues: _Issues, policy: Policy, host: str, info: Mapping[str, Any], now: float
) -> None:
    days = (float(info["not_after"]) - now) / 86400
    expiry = _when(float(info["not_after"]))
    if days < policy.tls_days:
        issues.open_issue(
            "certificate",
            host,
            now,
            f"🔒 The certificate of {host} expires in {max(0, int(days))} days",
            f"The certificate served for **{host}** expires at {expiry}. Renew it (or fix the "
            "automatic renewal) before members see a browser warning.",
        )
    elif ("certificate", host) in issues.open:
        issues.close("certificate", host, f"✅ Renewed: valid until {expiry}.", now)


def _fence_safe(text: str) -> str:
    return text.replace("```", "ʼʼʼ")
