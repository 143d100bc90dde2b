"""``launchready rollback``: the plan from launchready.yml, the options and
the GitHub event; then the log of what happened, on the terminal, in the job summary and
as step outputs (``outcome``, ``rolled-back``, ``target``, ``reason``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from launchready_ci.cli._common import (
    CONFIG,
    ROOT,
    append_text,
    guard,
    open_session,
    skip_unconfigured,
)
from launchready_ci.deploy.rollback import DEFAULT_MIN_FAILED, Plan, Rollback, RollbackResult
from launchready_ci.errors import UsageError
from launchready_ci.github.console import echo
from launchready_ci.github.outputs import format_output
from launchready_ci.redaction import Scrubber

__all__ = ["render_markdown", "render_text", "run"]


@click.command("rollback")
@ROOT
@CONFIG
@click.option(
    "--smoke-results",
    required=True,
    metavar="FILE",
    help="The results file of `launchready smoke run --results FILE`.",
)
@click.option(
    "--deployed",
    metavar="SHA",
    help="The release that failed (default: the deployment event's sha, else $GITHUB_SHA).",
)
@click.option(
    "--target",
    metavar="REF",
    help="The release to put back (default: the last successful GitHub deployment of the "
    "environment at another commit).",
)
@click.option(
    "--rollback-of",
    metavar="SHA",
    help="The failed deploy was itself a rollback of SHA: refuse (default: read from the "
    "event's inputs.rollback-of or deployment payload).",
)
@click.option("--environment", metavar="NAME", help="Default: rollback.environment or production.")
@click.option(
    "--force",
    is_flag=True,
    help="Roll back even over a migration marked `launchready: irreversible`.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@click.option(
    "--state-file",
    metavar="FILE",
    help="Where the command strategy records the rollbacks it ran (idempotency).",
)
@guard
def rollback_command(**opts: Any) -> int:
    """After a failed smoke test, put the last good release back (rollback.strategy:
    command, workflow or deployment), unless a guard stops it: too few failed runs, a
    rollback of a rollback, already triggered, target already live, or an irreversible
    migration in between.

    Exit status: 0 rolled back or nothing to do, 1 refused or failed, 2 usage or config
    error.
    """
    return run(**opts)


#: What enables the rollback, for the message of a launchready.yml without it.
ENABLE = "rollback:\n  strategy: command\n  command: vercel rollback --yes\n"

_ICON = {"ok": "✅", "skip": "⏭️", "refuse": "⛔", "act": "↩️", "fail": "❌", "info": "ℹ️"}
_TITLE = {
    "rolled-back": "↩️ launchready rollback: rolled back",
    "would-roll-back": "🧪 launchready rollback (dry run): would roll back",
    "not-needed": "✅ launchready rollback: not needed",
    "skipped": "⏭️ launchready rollback: skipped",
    "refused": "⛔ launchready rollback: refused",
    "failed": "❌ launchready rollback: failed",
}


def run(
    *,
    root: Path | None,
    config_path: str | None,
    smoke_results: str,
    deployed: str | None,
    target: str | None,
    rollback_of: str | None,
    environment: str | None,
    force: bool,
    dry_run: bool,
    state_file: str | None,
) -> int:
    session = open_session(root, config_path)
    section = session.config.section("rollback")
    if section is None:
        outputs = {"outcome": "skipped", "rolled-back": "false", "target": ""}
        outputs["reason"] = "not configured"
        return skip_unconfigured(session, "rollback", "rollback", ENABLE, outputs)
    environ = session.environ
    smoke = _read_results(smoke_results)
    event = _event(environ.get("GITHUB_EVENT_PATH"))
    deployed = deployed or event.get("deployment", {}).get("sha") or environ.get("GITHUB_SHA")
    if not deployed:
        raise UsageError("which release failed? give --deployed SHA (default: $GITHUB_SHA)")
    token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN")
    repository = environ.get("GITHUB_REPOSITORY")
    strategy = section["strategy"]
    if strategy != "command" and not (token and repository):
        raise UsageError(
            f"rollback.strategy {strategy} calls GitHub's API: set GITHUB_TOKEN and "
            "GITHUB_REPOSITORY (both are set in a workflow job; pass the token with env:)"
        )
    migrations = session.config.section("migrations") or {}
    plan = Plan(
        strategy=strategy,
        environment=environment or section.get("environment", "production"),
        deployed=deployed,
        smoke=smoke,
        target=target,
        rollback_of=rollback_of or _rollback_of(event),
        force=force,
        dry_run=dry_run,
        min_failed_runs=int(section.get("min_failed_runs", DEFAULT_MIN_FAILED)),
        command=section.get("command"),
        workflow=section.get("workflow"),
        workflow_ref=section.get("workflow_ref") or _default_branch(event),
        timeout=_seconds(section.get("timeout", "10m")),
        state_file=Path(state_file).resolve() if state_file else None,
        migration_globs=tuple(section.get("migrations") or migrations.get("paths") or ()),
        run_url=session.github.run_url,
    )
    api = None
    if token and repository:
        from launchready_ci.github.api import GitHubAPI

        api = GitHubAPI(
            token=token,
            repository=repository,
            base_url=environ.get("GITHUB_API_URL", "https://api.github.com"),
        )
    try:
        result = Rollback(
            plan,
            root=session.root,
            api=api,
            live_version=_live_probe(session, smoke),
            environ=environ,
        ).run()
    finally:
        if api is not None:
            api.close()
    scrub = Scrubber(environ, (token,) if token else ())
    echo(scrub(render_text(result)), nl=False)
    github = session.github
    if github.step_summary:
        append_text(Path(github.step_summary), scrub(render_markdown(result, plan)))
    if github.output:
        values = {
            "outcome": result.outcome,
            "rolled-back": "true" if result.outcome == "rolled-back" else "false",
            "target": result.target or "",
            "reason": result.reason,
        }
        lines = "".join(format_output(k, v) for k, v in values.items())
        append_text(Path(github.output), scrub(lines))
    return result.exit_code


def render_text(result: RollbackResult) -> str:
    lines = [f"{_TITLE[result.outcome]}: {result.reason}"]
    for d in result.log:
        lines.append(f"  {_ICON[d.verdict]} {d.step}: {d.detail}")
    return "\n".join(lines) + "\n"


def render_markdown(result: RollbackResult, plan: Plan) -> str:
    from launchready_ci.reporters.summary import escape

    out = [
        "<!-- launchready rollback -->",
        f"## {_TITLE[result.outcome]}",
        "",
        escape(result.reason),
        "",
        f"Strategy **{escape(plan.strategy)}**, environment **{escape(plan.environment)}**, "
        f"failed release `{plan.deployed[:12]}`"
        + (f", target `{result.target[:12]}`" if result.target else "")
        + ".",
        "",
        "| | Guard or action | What happened |",
        "|---|---|---|",
    ]
    out += [f"| {_ICON[d.verdict]} | {escape(d.step)} | {escape(d.detail)} |" for d in result.log]
    return "\n".join(out) + "\n\n"


def _read_results(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--smoke-results {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"--smoke-results {path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or not {"passed", "runs", "failed_runs"} <= data.keys():
        raise UsageError(
            f"--smoke-results {path}: not a results file of `launchready smoke run --results`"
        )
    return data


def _event(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _rollback_of(event: dict[str, Any]) -> str | None:
    inputs = event.get("inputs") or {}
    if isinstance(inputs, dict) and inputs.get("rollback-of"):
        return str(inputs["rollback-of"])
    payload = (event.get("deployment") or {}).get("payload") or {}
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = {}
    mark = payload.get("launchready") if isinstance(payload, dict) else None
    if isinstance(mark, dict) and mark.get("rollback_of"):
        return str(mark["rollback_of"])
    return None


def _default_branch(event: dict[str, Any]) -> str:
    repo = event.get("repository") or {}
    return str(repo.get("default_branch") or "main") if isinstance(repo, dict) else "main"


def _seconds(value: Any) -> float:
    from launchready_ci.checks.smoke.spec import parse_duration

    return parse_duration(value)


def _live_probe(session: Any, smoke: dict[str, Any]) -> Any:
    """A function that asks the live release its version now, when the smoke spec says
    where to read it; else None (the guard is then skipped)."""
    section = session.config.section("smoke")
    base_url = smoke.get("base_url")
    if not section or not base_url or "readiness" not in section:
        return None
    from launchready_ci.checks.smoke.spec import read_spec

    spec = read_spec(session.config, section)
    readiness = spec.readiness
    if readiness is None or not (readiness.version_header or readiness.version_json):
        return None

    def probe() -> str | None:
        import asyncio

        from launchready_ci.checks.smoke.engine import Engine

        cafile = str(session.root / spec.ca_bundle) if spec.ca_bundle else None
        engine = Engine(spec, base_url=base_url, environ=session.environ, cafile=cafile)
        return asyncio.run(engine.live_version())

    return probe
