"""``launchready smoke run``: read and check the spec before any request
(a problem in it is exit 2 with file:line), mask the secrets the journeys use, run, then
write the outputs a deploy workflow's later steps read (``passed``, ``failed-steps``,
``p95``) and the results file ``launchready rollback`` reads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from launchready_ci.checks.smoke.check import Outcome, SmokeCheck, dumps
from launchready_ci.checks.smoke.spec import Spec, read_spec
from launchready_ci.cli._common import (
    CA_BUNDLE,
    execute,
    guard,
    open_session,
    report_options,
    write_text,
)
from launchready_ci.errors import UsageError
from launchready_ci.findings import Report
from launchready_ci.github.commands import add_mask
from launchready_ci.github.console import echo

__all__ = ["build_check", "run", "select_journeys", "spec_for"]


@click.group()
def smoke() -> None:
    """Prove a deploy works: `run` waits for the release, then runs the member journeys of
    the `smoke:` section against it and times every step."""


@smoke.command("run")
@click.option(
    "--base-url",
    envvar="LAUNCHREADY_BASE_URL",
    metavar="URL",
    help="Where the release is served (default: smoke.base_url). Env: LAUNCHREADY_BASE_URL.",
)
@click.option(
    "--runs",
    type=click.IntRange(1, 1000),
    help="How many times to run the journeys (default: smoke.runs, else 3; a journey's "
    "own runs wins).",
)
@click.option(
    "--expect-version",
    envvar="LAUNCHREADY_EXPECT_VERSION",
    metavar="VERSION",
    help="Wait until the release reports this version (default: smoke.readiness.version).",
)
@CA_BUNDLE
@click.option(
    "--journeys",
    "journeys",
    type=click.Choice(["all", "web", "email"]),
    default="all",
    show_default=True,
    help="Which journeys to run: those with an email step (email), the others (web), or all; "
    "a deploy workflow runs the web journeys first and the email journeys after them.",
)
@click.option(
    "--nameserver",
    metavar="HOST[:PORT]",
    help="Email steps: look up DKIM keys, SPF and DMARC (and the links' hosts) at this DNS "
    "server, as `domain check` does (default: smoke.email.nameserver, else the system's).",
)
@click.option(
    "--connect-to",
    "connect_to",
    multiple=True,
    metavar="HOST:PORT:ADDR:PORT",
    help="Email steps: follow the links in messages through this address, as `domain check` "
    "does (repeatable).",
)
@click.option(
    "--results",
    metavar="FILE",
    help="Write the outcome (passed, failed runs, latencies per step) as JSON to FILE, "
    "for `launchready rollback --smoke-results`.",
)
@report_options
@guard
def smoke_run(**opts: Any) -> int:
    """Wait until the release is live, run every journey --runs times (journeys at once,
    steps in order with shared cookies), and report each step's failures and its p50, p95
    and max latency against its budget.

    Exit status: 0 passed, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return run(**opts)


def spec_for(root: Path | None, config_path: str | None) -> tuple[Spec, Any]:
    """The session and its smoke spec; exit 2 when there is none or it has problems."""
    session = open_session(root, config_path)
    section = session.config.section("smoke")
    if section is None:
        where = session.config.path or "launchready.yml (not found)"
        raise UsageError(
            f"{where} has no smoke: section; add one with the journeys to run:\n"
            + SmokeCheck.enable_snippet
        )
    return read_spec(session.config, section), session


def run(
    *,
    base_url: str | None,
    runs: int | None,
    expect_version: str | None,
    ca_bundle: str | None,
    results: str | None,
    nameserver: str | None = None,
    connect_to: tuple[str, ...] = (),
    journeys: str = "all",
    **opts: Any,
) -> int:
    session = open_session(opts["root"], opts["config_path"])
    if session.config.section("smoke") is None:
        # Skipped by the runner, with its snippet, like any check without its section.
        return execute(checks=(SmokeCheck,), **opts)
    spec, session = spec_for(opts["root"], opts["config_path"])
    spec = select_journeys(spec, journeys)
    if not spec.journeys:
        kind = "with an email step" if journeys == "email" else "without an email step"
        echo(f"launchready: {session.config.path} has no journey {kind}: nothing to run",
                   err=True)  # fmt: skip
        return 0
    check = build_check(
        spec, session, base_url=base_url, runs=runs, expect_version=expect_version,
        ca_bundle=ca_bundle, fail_on=opts["fail_on"], nameserver=nameserver,
        connect_to=connect_to,
    )  # fmt: skip

    def outputs(report: Report) -> dict[str, str]:
        out = _outputs(check.outcome)
        if check.email_check is not None:  # one verdict per email step, for later steps
            rows = check.email_check.measurements
            out["emails"] = json.dumps(
                [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], ensure_ascii=False
            )
        if results:
            out["results-file"] = results
        return out

    checks: list[Any] = [check] if check.email is None else [check, check.email_check]
    code = execute(checks=checks, secret_values=check.secrets, extra_outputs=outputs, **opts)
    if results:
        write_text(results, dumps(check.outcome))
    return code


def build_check(
    spec: Spec,
    session: Any,
    *,
    base_url: str | None,
    runs: int | None = None,
    expect_version: str | None = None,
    ca_bundle: str | None = None,
    fail_on: str | None = None,
    nameserver: str | None = None,
    connect_to: tuple[str, ...] = (),
) -> SmokeCheck:
    """The smoke check for ``spec``, after everything that can be wrong before a request:
    the URL, unset variables, the CA file. Masks the secrets under GitHub Actions."""
    environ = session.environ
    url = base_url or spec.base_url
    if not url:
        raise UsageError("no URL to test: give --base-url or set smoke.base_url")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {url!r}: give an http:// or https:// URL")
    missing = [name for name in spec.env() if not environ.get(name)]
    if missing:
        raise UsageError(
            f"{', '.join(missing)} not set: the smoke spec in {session.config.path} uses "
            + ("it" if len(missing) == 1 else "them")
        )
    if ca_bundle is None and spec.ca_bundle:
        ca_bundle = str(session.root / spec.ca_bundle)
        if not Path(ca_bundle).is_file():
            raise UsageError(f"smoke.ca_bundle: {spec.ca_bundle} not found in {session.root}")
    expected = expect_version
    if expected is None and spec.readiness and spec.readiness.version:
        expected = spec.readiness.version.render(environ, {}) or None
    secrets = [environ[name] for name in spec.secret_env()]
    mask = _mask if session.github.actions else None
    for value in secrets:
        if mask is not None:
            mask(value)
    from launchready_ci.runner import parse_fail_on

    check = SmokeCheck(
        spec,
        base_url=url,
        runs=runs,
        expected_version=expected,
        cafile=ca_bundle,
        secrets=secrets,
        mask=mask,
        fail_on=parse_fail_on((fail_on or session.config.fail_on or "error").lower()),
    )
    _email(check, environ, nameserver, connect_to)
    return check


def _email(
    check: SmokeCheck, environ: Any, nameserver: str | None, connect_to: tuple[str, ...]
) -> None:
    """Give the smoke check its email steps' hook, and the check that reports them."""
    from launchready_ci.checks.email.check import build

    built = build(
        check.spec,
        environ=environ,
        base_url=check.base_url,
        cafile=check.cafile,
        nameserver=nameserver,
        connect_to=connect_to,
        secrets=check.secrets,
        on_secret=check._secret,
    )
    if built is not None:
        check.email, check.email_check = built


def select_journeys(spec: Spec, which: str) -> Spec:
    """The journeys ``--journeys`` asks for: with an email step, without one, or all."""
    import dataclasses

    if which == "all":
        return spec
    chosen = tuple(
        j for j in spec.journeys
        if any(s.email is not None for s in j.steps) == (which == "email")
    )  # fmt: skip
    return dataclasses.replace(spec, journeys=chosen)


def _outputs(outcome: Outcome) -> dict[str, str]:
    return {
        "passed": "true" if outcome.passed else "false",
        "failed-steps": json.dumps(outcome.failed_steps, ensure_ascii=False),
        "p95": json.dumps(outcome.p95(), ensure_ascii=False),
        "runs": str(outcome.runs),
        "failed-runs": str(outcome.failed_runs),
        "live-version": outcome.live_version or "",
    }


def _mask(value: str) -> None:
    """Masked in the job log from now on (printed before anything could show it)."""
    echo(add_mask(value), nl=False, commands=("add-mask",))
    sys.stdout.flush()
