"""``launchready monitor run``: probe every check once, add the run to the
history (on its branch, or a local file), render the status page with it, open and close
incident issues, and say what happened on the terminal, in the job summary and as step
outputs (``up``, ``failing``, ``coverage``, ``incidents``)."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from launchready_ci.cli._common import (
    CA_BUNDLE,
    CONFIG,
    ROOT,
    Session,
    append_text,
    guard,
    open_session,
    skip_unconfigured,
)
from launchready_ci.errors import CheckError, UsageError
from launchready_ci.github.commands import add_mask
from launchready_ci.github.console import echo
from launchready_ci.github.outputs import format_output
from launchready_ci.redaction import Scrubber

__all__ = ["run"]


@click.group()
def monitor() -> None:
    """Uptime from a scheduled workflow: `run` probes the checks of the `uptime:` section,
    keeps the history on a branch, renders the status page and manages incident issues."""


@monitor.command("run")
@ROOT
@CONFIG
@click.option("--base-url", envvar="LAUNCHREADY_BASE_URL", metavar="URL",
              help="Where to probe (default: uptime.base_url, else smoke.base_url).")  # fmt: skip
@CA_BUNDLE
@click.option(
    "--history",
    "history_file",
    metavar="FILE",
    help="Keep the history in this local file instead of on a branch (no git push).",
)
@click.option(
    "--branch",
    metavar="NAME",
    help="The branch the history and the page are committed to (default: "
    "uptime.history.branch, else launchready-uptime).",
)
@click.option("--remote", default="origin", show_default=True, help="The git remote to push to.")
@click.option("--pages/--no-pages", default=True, help="Render the status page with the history.")
@click.option("--out", metavar="DIR", help="Also write the status page files to DIR.")
@click.option(
    "--incidents/--no-incidents",
    default=True,
    help="Open, comment on and close incident issues (needs GITHUB_TOKEN).",
)
@click.option("--at", type=float, hidden=True, help="The run's time (epoch seconds), for replays.")
@guard
def monitor_run(**opts: Any) -> int:
    """Probe every check once and record the run; a check that fails is reported and, after
    uptime.incidents.after runs in a row, an issue is opened (closed with the downtime on
    recovery). GitHub's schedule is best effort: the real interval between runs and its
    gaps are measured and shown.

    Exit status: 0 recorded (whether or not a check failed), 1 the run could not be
    recorded or GitHub refused, 2 usage or config error.
    """
    return run(**opts)


ENABLE = (
    "uptime:\n"
    "  base_url: https://app.example.com\n"
    "  checks:\n"
    "    - {name: homepage, url: /, expect: {status: 200}}\n"
    "    - {name: API health, url: /api/health, budget: 300ms}\n"
)


@dataclass
class _Outcome:
    """What one monitor run did, for the terminal, the job summary and the outputs."""

    probed: Any
    names: Mapping[str, str]
    lines: list[str] = field(default_factory=list)
    coverage: str = ""
    worse: bool = False
    actions: list[Any] = field(default_factory=list)
    failed_record: str | None = None

    @property
    def failing(self) -> list[str]:
        return [self.names[c] for c, s in self.probed.run.samples.items() if not s.ok]


def run(*, incidents: bool, at: float | None, **opts: Any) -> int:
    session = open_session(opts.pop("root"), opts.pop("config_path"))
    if session.config.section("uptime") is None:
        return skip_unconfigured(
            session, "monitor run", "uptime", ENABLE, {"up": "", "recorded": "false"}
        )
    monitor = _Monitor(session, incidents=incidents, **opts)
    outcome = monitor.run(time.time() if at is None else at)
    scrub = Scrubber(
        session.environ, (*monitor.secrets, *((monitor.token,) if monitor.token else ()))
    )
    echo(scrub(_text(outcome)), nl=False)
    _report(session, outcome, scrub)
    if outcome.failed_record:
        echo(f"launchready: error: {scrub(outcome.failed_record)}", err=True)
        return 1
    return 0


class _Monitor:
    def __init__(
        self,
        session: Session,
        *,
        incidents: bool,
        base_url: str | None,
        ca_bundle: str | None,
        history_file: str | None,
        branch: str | None,
        remote: str,
        pages: bool,
        out: str | None,
    ) -> None:
        from launchready_ci.checks.smoke.spec import parse_duration, read_checks
        from launchready_ci.uptime.probe import slug

        self.session = session
        section = session.config.section("uptime")
        if section is None:
            where = session.config.path or "launchready.yml (not found)"
            raise UsageError(f"{where} has no uptime: section; add one, such as:\n{ENABLE}")
        self.section = section
        self.spec = read_checks(session.config, section)
        environ = session.environ
        smoke = session.config.section("smoke") or {}
        self.url = base_url or self.spec.base_url or smoke.get("base_url")
        if not self.url:
            raise UsageError("no URL to probe: give --base-url or set uptime.base_url")
        missing = [name for name in self.spec.env() if not environ.get(name)]
        if missing:
            raise UsageError(f"{', '.join(missing)} not set: uptime.checks use them")
        spec_ca = self.spec.ca_bundle
        self.cafile = ca_bundle or (str(session.root / spec_ca) if spec_ca else None)
        token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN")
        repository = environ.get("GITHUB_REPOSITORY")
        if incidents and not (token and repository):
            raise UsageError(
                "incidents need GITHUB_TOKEN and GITHUB_REPOSITORY (or --no-incidents)"
            )
        self.token = token
        self.api = _api(token, repository, environ) if token and repository else None
        self.incidents = incidents
        self.secrets = tuple(environ[name] for name in self.spec.secret_env())
        if session.github.actions:
            for value in self.secrets:
                echo(add_mask(value), nl=False, commands=("add-mask",))
        self.private = {slug(c["name"]) for c in section["checks"] if c.get("private")}
        self.names = {slug(c["name"]): c["name"] for c in section["checks"]}
        self.history_cfg = section.get("history") or {}
        self.branch = branch or self.history_cfg.get("branch", "launchready-uptime")
        self.history_file, self.remote, self.pages, self.out = history_file, remote, pages, out
        self.interval = parse_duration(section.get("interval", "5m"))
        self.title = section.get("title") or f"{repository or session.root.name} status"
        self.tls_days = int((section.get("incidents") or {}).get("tls_days", 14))

    def run(self, now: float) -> _Outcome:
        from launchready_ci.uptime.probe import probe

        probed = probe(
            self.spec,
            base_url=str(self.url),
            environ=self.session.environ,
            cafile=self.cafile,
            at=now,
            secrets=list(self.secrets),
        )
        if self.private:  # their URLs stay out of issues, the summary and the page
            failures = {
                check: reason.replace(probed.urls[check], "(private URL)")
                if check in self.private
                else reason
                for check, reason in probed.run.failures.items()
            }
            probed = dataclasses.replace(
                probed, run=dataclasses.replace(probed.run, failures=failures)
            )
        outcome = _Outcome(probed, self.names)
        meta = {
            check: {
                "name": name,
                "url": "" if check in self.private else probed.urls[check],
                "budget_ms": probed.budgets.get(check),
            }
            for check, name in self.names.items()
        }
        deploy = _deploy(self.api) if self.api is not None else None
        try:
            history = self._record(probed.run, meta, deploy, now, outcome)
        except CheckError as exc:
            outcome.failed_record = str(exc)
            history = None
        if history is not None and self.incidents and self.api is not None:
            from launchready_ci.uptime.incidents import manage

            outcome.actions = manage(
                self.api,
                history,
                probed.run,
                _policy(self.section),
                names=self.names,
                urls={k: v["url"] for k, v in meta.items() if v["url"]},
                budgets=probed.budgets,
                run_url=self.session.github.run_url,
            )
        if self.api is not None:
            self.api.close()
        if history is not None:
            window = min(7.0, float(self.history_cfg.get("raw_days", 7)))
            coverage = history.coverage(now, self.interval, window_days=window)
            outcome.coverage, outcome.worse = coverage.describe(), coverage.worse
        return outcome

    def _record(
        self, run: Any, meta: dict[str, Any], deploy: Any, now: float, outcome: _Outcome
    ) -> Any:
        def update(history: Any) -> dict[str, str]:
            from launchready_ci.uptime.page import render

            history.checks = {k: v for k, v in history.checks.items() if k in meta} | meta
            history.compact(
                now,
                raw_days=self.history_cfg.get("raw_days", 7),
                keep_days=self.history_cfg.get("keep_days", 400),
            )
            if not self.pages:
                return {}
            files: dict[str, str] = render(
                history,
                title=self.title,
                now=now,
                interval=self.interval,
                deploy=deploy,
                tls_warn_days=self.tls_days,
            )
            if self.out:
                _write_pages(Path(self.out), files)
            return files

        if self.history_file:
            outcome.lines.append(f"history: {self.history_file}")
            return _local(Path(self.history_file), run, update)
        from launchready_ci.uptime.store import record

        done = record(
            self.session.root,
            run,
            branch=self.branch,
            path=self.history_cfg.get("path", "history.json"),
            remote=self.remote,
            update=update,
            environ=_git_env(self.session.environ, self.token),
        )
        again = f" after {done.attempts} attempts" if done.attempts > 1 else ""
        outcome.lines.append(f"history: commit {done.commit[:12]} on {self.branch}{again}")
        return done.history


def _local(path: Path, run: Any, update: Any) -> Any:
    from launchready_ci.fileio import atomic_write
    from launchready_ci.uptime.history import History

    try:
        history = History.loads(path.read_text(encoding="utf-8")) if path.exists() else History()
    except (OSError, ValueError) as exc:
        raise UsageError(f"--history {path}: {exc}") from None
    history.add(run)
    update(history)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, history.dumps())
    return history


def _write_pages(out: Path, files: Mapping[str, str]) -> None:
    from launchready_ci.fileio import atomic_write

    for rel, text in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, text)


def _api(token: str, repository: str, environ: Mapping[str, str]) -> Any:
    from launchready_ci.github.api import GitHubAPI

    return GitHubAPI(
        token=token,
        repository=repository,
        base_url=environ.get("GITHUB_API_URL", "https://api.github.com"),
    )


def _deploy(api: Any) -> dict[str, str] | None:
    """The latest production deployment and its state, for the status page."""
    try:
        found = api.request(
            "GET", api.repo_path("deployments"), params={"environment": "production", "per_page": 1}
        ).json()
        if not found:
            return None
        statuses = api.request(
            "GET", api.repo_path(f"deployments/{found[0]['id']}/statuses"), params={"per_page": 1}
        ).json()
    except CheckError:
        return None
    return {
        "state": statuses[0]["state"] if statuses else "pending",
        "ref": str(found[0].get("ref", "")),
        "environment": "production",
        "at": str(found[0].get("created_at", "")),
    }


def _git_env(environ: Mapping[str, str], token: str | None) -> dict[str, str]:
    """The environment of git: the token as an HTTP header for the GitHub server (never
    on a command line or in the remote URL)."""
    env = dict(environ)
    if token:
        server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            {
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": f"http.{server}/.extraheader",
                "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
            }
        )
    return env


def _policy(section: Mapping[str, Any]) -> Any:
    from launchready_ci.checks.smoke.spec import parse_duration
    from launchready_ci.uptime.incidents import Policy

    raw = section.get("incidents") or {}
    return Policy(
        after=int(raw.get("after", 3)),
        comment_every=parse_duration(raw.get("comment_every", "1h")),
        contact=raw.get("contact"),
        labels=tuple(raw.get("labels") or ("launchready-incident",)),
        latency_runs=int(raw.get("latency_runs", 3)),
        tls_days=int(raw.get("tls_days", 14)),
        error_window=int(raw.get("error_window", 12)),
        error_rate=float(raw.get("error_rate", 0.25)),
    )


def _text(outcome: _Outcome) -> str:
    run = outcome.probed.run
    out = []
    for check, sample in run.samples.items():
        mark = "up  " if sample.ok else "DOWN"
        latency = f"{sample.latency_ms:.0f} ms" if sample.latency_ms is not None else "–"
        out.append(f"{mark} {outcome.names[check]}: {sample.status or 'no response'}, {latency}")
        reason = run.failures.get(check)
        if reason:
            out.extend(f"       {line}" for line in reason.splitlines())
    for host, not_after in run.tls.items():
        out.append(f"tls  {host}: certificate valid {(not_after - run.at) / 86400:.0f} more days")
    out.extend(outcome.lines)
    if outcome.coverage:
        out.append(("WARNING coverage: " if outcome.worse else "coverage: ") + outcome.coverage)
    for action in outcome.actions:
        out.append(f"incident #{action.number} {action.verb}: {action.detail}")
    if outcome.failed_record:
        out.append(f"NOT RECORDED: {outcome.failed_record}")
    return "\n".join(out) + "\n"


def _report(session: Session, outcome: _Outcome, scrub: Any) -> None:
    from launchready_ci.reporters.summary import escape

    github = session.github
    run = outcome.probed.run
    failing = outcome.failing
    if github.step_summary:
        rows = []
        for check, s in run.samples.items():
            latency = "–" if s.latency_ms is None else f"{s.latency_ms:.0f} ms"
            why = escape(run.failures.get(check, ""))
            rows.append(
                f"| {'✅' if s.ok else '🔴'} | {escape(outcome.names[check])} | "
                f"{s.status or '–'} | {latency} | {why} |"
            )
        head = f"{len(failing)} failing" if failing else "all up"
        md = [
            "<!-- launchready monitor -->",
            f"## {'🔴' if failing else '✅'} launchready uptime: {head}",
            "",
            "| | Check | Status | Latency | Why |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
        if outcome.coverage:
            lead = "> ⚠️ **Coverage:** " if outcome.worse else "Coverage: "
            md += [lead + escape(outcome.coverage), ""]
        md += [f"- Incident #{a.number} {a.verb}: {escape(a.detail)}" for a in outcome.actions]
        if outcome.failed_record:
            md.append(f"> ❌ **Not recorded:** {escape(outcome.failed_record)}")
        append_text(Path(github.step_summary), scrub("\n".join(md) + "\n\n"))
    if github.output:
        values = {
            "up": "false" if failing else "true",
            "failing": json.dumps(failing, ensure_ascii=False),
            "coverage": outcome.coverage,
            "coverage-ok": "false" if outcome.worse else "true",
            "incidents": json.dumps(
                [{"number": a.number, "verb": a.verb, "kind": a.kind} for a in outcome.actions]
            ),
            "recorded": "false" if outcome.failed_record else "true",
        }
        text = "".join(format_output(k, v) for k, v in values.items())
        append_text(Path(github.output), scrub(text))
