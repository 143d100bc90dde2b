"""``launchready audit``: the launch-readiness report of every configured check."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from launchready_ci.checks import CHECKS, Check
from launchready_ci.cli._common import (
    CA_BUNDLE,
    CONFIG,
    FAIL_ON,
    ROOT,
    append_text,
    blob_url,
    guard,
    open_session,
    write_text,
)
from launchready_ci.cli.handover import handover_is_fresh
from launchready_ci.github.console import echo
from launchready_ci.redaction import Scrubber

if TYPE_CHECKING:
    from launchready_ci.cli._common import Session
    from launchready_ci.findings import Report

__all__ = ["audit"]


@click.command("audit")
@ROOT
@CONFIG
@click.option("--base-url", envvar="LAUNCHREADY_BASE_URL", metavar="URL",
              help="Also run the smoke test against this URL.")  # fmt: skip
@click.option(
    "--journeys",
    type=click.Choice(["all", "web", "email"]),
    default="all",
    show_default=True,
    help="With --base-url: which smoke journeys to run (see `smoke run`).",
)
@click.option(
    "--nameserver", metavar="HOST[:PORT]", help="For the domain check (see `domain check`)."
)
@click.option("--connect-to", "connect_to", multiple=True, metavar="HOST:PORT:ADDR:PORT",
              help="For the domain check (see `domain check`).")  # fmt: skip
@CA_BUNDLE
@click.option("--offline", is_flag=True, help="Leave out the checks that need the network.")
@click.option("--output", "-o", metavar="FILE", help="Write the report (Markdown) to FILE.")
@click.option("--json", "json_path", metavar="FILE", help="Write the ranked risks as JSON to FILE.")
@click.option(
    "--fail-on", type=FAIL_ON, help="Exit 1 on a finding at or above this (default never)."
)
@click.option("--quiet", "-q", is_flag=True, help="Do not print the report.")
@guard
def audit_command(**opts: Any) -> int:
    """The launch-readiness report: every configured check (the domain check too, and
    the smoke test with --base-url), the risks ranked by what they would stop at launch,
    a score per area of the launch bar, what is missing to assess the rest, and a
    dependency map (Mermaid).
    """
    return audit(**opts)


def audit(
    *,
    root: Path | None,
    config_path: str | None,
    base_url: str | None,
    nameserver: str | None,
    connect_to: tuple[str, ...],
    ca_bundle: str | None,
    offline: bool,
    output: str | None,
    json_path: str | None,
    fail_on: str | None,
    quiet: bool,
    journeys: str = "all",
) -> int:
    from launchready_ci.reports import audit as audit_mod
    from launchready_ci.runner import RunOptions, run

    session = open_session(root, config_path)
    checks: list[type[Check] | Check] = [*CHECKS, *_workflows()]
    config = session.config
    secrets: list[str] = []
    if config.section("domain") and not offline:
        checks.append(_domain(nameserver, connect_to, ca_bundle))
    if base_url and config.section("smoke") and not offline:
        from launchready_ci.checks.smoke.spec import read_spec
        from launchready_ci.cli.smoke import build_check, select_journeys

        smoke = config.section("smoke") or {}
        spec = select_journeys(read_spec(config, smoke), journeys)
        check = build_check(
            spec, session, base_url=base_url, fail_on=fail_on, nameserver=nameserver
        )
        secrets = check.secrets
        checks.append(check)
        if check.email_check is not None:  # the email journeys' results
            checks.append(check.email_check)
    report = run(session.context(), RunOptions(fail_on=fail_on or "never"), checks)
    report = _without_shipped_migrations(report, session)
    result = audit_mod.audit(report, config, handover_fresh=handover_is_fresh(session))
    scrub = Scrubber(session.environ, tuple(secrets))

    def markdown(base: str | None) -> str:
        """The report; locations link to ``base`` + path (a blob URL, or relative)."""
        from launchready_ci.reporters.summary import finding_url

        link = (lambda f: finding_url(f, base)) if base else None
        return scrub(audit_mod.render(result, title=session.title, link=link))

    if output:
        # In the repository: links relative to where the file is, which work on GitHub
        # and in a checkout alike. Elsewhere: none.
        where = Path(output).resolve().parent
        inside = where == session.root or session.root in where.parents
        relative = Path(os.path.relpath(session.root, where)).as_posix() + "/"
        write_text(output, markdown(relative if inside else None))
    if json_path:
        write_text(json_path, scrub(json.dumps(audit_mod.as_json(result), indent=2) + "\n"))
    github = session.github
    if github.step_summary:
        append_text(Path(github.step_summary), markdown(blob_url(github, None)))
    if not quiet:
        echo(markdown(None), nl=False)
    return report.exit_code


def _without_shipped_migrations(report: Report, session: Session) -> Report:
    """The report without the migration findings the baseline recorded: those migrations
    shipped before it was written (``launchready init`` records the day it is adopted), so
    no deploy of theirs is ahead, and ranking them as deploy risks buries the new ones.
    The other checks' baselined findings stay: a committed key accepted in the baseline
    still needs rotating before launch."""
    import dataclasses

    from launchready_ci.cli._common import baseline_file
    from launchready_ci.suppressions import load_baseline

    located = baseline_file(session, None)
    if located is None:
        return report
    accepted = load_baseline(session.root, str(located[0]), located[1]).fingerprints
    results = []
    for r in report.results:
        if r.check_id == "migrations":
            kept = tuple(f for f in r.findings if f.fingerprint not in accepted)
            held = len(r.findings) - len(kept)
            r = dataclasses.replace(
                r, findings=kept, suppressed=r.suppressed + held, baselined=r.baselined + held
            )
        results.append(r)
    return dataclasses.replace(report, results=tuple(results))


def _workflows() -> list[type[Check]]:
    try:
        from launchready_ci.checks.workflows.check import WorkflowsCheck
    except ImportError:  # pragma: no cover - the module ships with the package
        return []
    return [WorkflowsCheck]


def _domain(nameserver: str | None, connect_to: tuple[str, ...], ca_bundle: str | None) -> Check:
    from launchready_ci.checks.domain.check import DomainCheck
    from launchready_ci.checks.domain.resolver import parse_nameserver
    from launchready_ci.checks.domain.tls import parse_connect_to

    if nameserver:
        parse_nameserver(nameserver)
    return DomainCheck(nameserver, tuple(parse_connect_to(x) for x in connect_to), ca_bundle)
