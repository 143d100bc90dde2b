"""The ``launchready`` command. Each subcommand parses, calls the runner, renders, exits.

Imports of everything but click happen inside the commands so that ``--help`` is fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from launchready_ci import __version__

__all__ = ["main"]

FAIL_ON = click.Choice(["error", "warning", "notice", "never"], case_sensitive=False)


def _die(message: str, code: int = 2) -> NoReturn:
    click.echo(f"launchready: error: {message}", err=True)
    sys.exit(code)


def _guard(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn launchready's own errors into a message and an exit code, never a traceback."""

    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from launchready_ci.errors import ConfigError, LaunchreadyError

        try:
            code = fn(*args, **kwargs)
        except ConfigError as exc:
            n = len(exc.problems)
            files = sorted({p.path for p in exc.problems})
            if n > 1:
                click.echo(f"launchready: error: {n} problems in {', '.join(files)}", err=True)
            else:
                click.echo("launchready: error:", err=True)
            click.echo(exc.render(), err=True)
            sys.exit(2)
        except LaunchreadyError as exc:
            _die(str(exc), exc.exit_code or 2)
        except KeyboardInterrupt:
            _die("interrupted", 130)
        except Exception as exc:  # a bug: no traceback (it may quote data) unless asked
            if os.environ.get("LAUNCHREADY_DEBUG") or kwargs.get("debug"):
                raise
            _die(
                f"internal error ({type(exc).__name__}); rerun with LAUNCHREADY_DEBUG=1 for "
                "a traceback and report it",
                3,
            )
        sys.exit(code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    version=__version__,
    prog_name="launchready",
    message="%(prog)s %(version)s",
)
def cli() -> None:
    """Catch launch-killing mistakes in CI: committed keys, unowned env vars,
    unsafe migrations, broken sign-in, mail in spam, expiring certificates.

    Start with `launchready run` in the repository root.
    """


_ROOT = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Repository root (default: the current directory).",
)
_CA_BUNDLE = click.option(
    "--ca-bundle",
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Trust the CA certificates in FILE (PEM) instead of the system's.",
)
_CONFIG = click.option(
    "--config",
    "config_path",
    metavar="FILE",
    help="Config file (default: .github/launchready.yml, then launchready.yml).",
)


def _report_options(fn: Callable[..., None]) -> Callable[..., None]:
    """The options of every command that runs checks: where to look and what to write."""
    options = [
        _ROOT,
        _CONFIG,
        click.option(
            "--fail-on",
            type=FAIL_ON,
            default=None,
            help="Lowest severity that fails the run (default: config, else error).",
        ),
        click.option("--baseline", metavar="FILE", help="Accept the findings recorded in FILE."),
        click.option(
            "--write-baseline", metavar="FILE", help="Record the current findings in FILE."
        ),
        click.option("--sarif", metavar="FILE", help="Write SARIF 2.1.0 to FILE."),
        click.option("--json", "json_path", metavar="FILE", help="Write the JSON report to FILE."),
        click.option("--markdown", metavar="FILE", help="Write the Markdown summary to FILE."),
        click.option(
            "--summary/--no-summary",
            default=None,
            help="Append the summary to $GITHUB_STEP_SUMMARY (default: when set).",
        ),
        click.option(
            "--annotations/--no-annotations",
            default=None,
            help="Print GitHub annotations (default: when GITHUB_ACTIONS=true).",
        ),
        click.option(
            "--color/--no-color",
            default=None,
            help="Colour the terminal report (default: on a TTY).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Do not print the terminal report."),
        click.option("--debug", is_flag=True, help="Let internal errors raise with a traceback."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@cli.command()
@click.option(
    "--check", "only", multiple=True, metavar="ID", help="Run only this check (repeatable)."
)
@_report_options
@_guard
def run(**opts: Any) -> int:
    """Run every check that the config enables and report the findings.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli._common import execute

    return execute(**opts)


@cli.group()
def env() -> None:
    """Environment variables: the inventory, checked in CI and verified at deploy time.

    `env init` drafts env-inventory.yml from the code, `env check` compares the two,
    `env verify` checks a deploy's real values against it, `env docs` renders it.
    """


@env.command("check")
@_report_options
@_guard
def env_check(**opts: Any) -> int:
    """Compare the code with the inventory (`launchready run` for the env check alone).

    Runs with the defaults when launchready.yml has no `env:` section.
    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli.env import check

    return check(**opts)


@env.command("init")
@_ROOT
@_CONFIG
@click.option(
    "--output", metavar="FILE", help="Inventory to write (default: env.inventory of the config)."
)
@click.option("--force", is_flag=True, help="Replace an existing FILE with a fresh draft.")
@_guard
def env_init(**opts: Any) -> int:
    """Draft the inventory from the variables the code reads; never writes a value.

    An existing inventory is kept byte for byte: only the variables it lacks are
    appended, with purpose and owner left for you to fill in.
    """
    from launchready_ci.cli.env import init

    return init(**opts)


@env.command("verify")
@click.option("--environment", "-e", required=True, metavar="NAME", help="Environment deployed to.")
@click.option(
    "--from",
    "source",
    metavar="FILE",
    help="Values to verify: a dotenv, JSON or `env -0` file (default: this process's environment).",
)
@click.option(
    "--compare", metavar="FILE", help="Values of another environment, to find shared secrets."
)
@click.option(
    "--production/--no-production",
    default=None,
    help="Treat the environment as production (default: guessed from its name).",
)
@_report_options
@_guard
def env_verify(**opts: Any) -> int:
    """Verify a deploy's values against the inventory; never prints a value.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli.env import verify

    return verify(**opts)


@env.command("docs")
@_ROOT
@_CONFIG
@click.option("--output", metavar="FILE", help="Write the Markdown table to FILE.")
@click.option("--summary", is_flag=True, help="Append the table to $GITHUB_STEP_SUMMARY.")
@_guard
def env_docs(**opts: Any) -> int:
    """Render the inventory as a Markdown table (printed unless --output or --summary)."""
    from launchready_ci.cli.env import docs

    return docs(**opts)


@cli.group()
def secrets() -> None:
    """Committed credentials: the working tree, a pull request, a push, the history.

    `secrets scan` finds them (each mode scans only the lines its commits added),
    `secrets baseline` records the current ones as accepted.
    """


@secrets.command("scan")
@click.option(
    "--pr", metavar="BASE..HEAD", help="Every commit of a pull request (`auto`: from the event)."
)
@click.option("--base", metavar="REF", help="Pull request base (with --head).")
@click.option("--head", metavar="REF", help="Pull request head (with --base).")
@click.option("--push", nargs=2, metavar="BEFORE AFTER", help="The commits of a push.")
@click.option("--history", is_flag=True, help="Every commit of every branch and tag.")
@click.option("--shard", metavar="K/N", help="With --history: scan only shard K of N.")
@click.option("--staged", is_flag=True, help="The staged changes (for pre-commit).")
@click.option(
    "--event",
    is_flag=True,
    help="Under GitHub Actions: a pull request's commits, a push's commits, else the tree.",
)
@_report_options
@_guard
def secrets_scan(**opts: Any) -> int:
    """Find committed secrets; without a mode option, in the working tree.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli.secrets import scan

    return scan(**opts)


@secrets.command("baseline")
@_ROOT
@_CONFIG
@click.option(
    "--output",
    default=".launchready-baseline.json",
    show_default=True,
    metavar="FILE",
    help="Baseline file to write.",
)
@_guard
def secrets_baseline(**opts: Any) -> int:
    """Record the working tree's current secrets as accepted (`--baseline FILE` reads it)."""
    from launchready_ci.cli.secrets import baseline

    return baseline(**opts)


@cli.group()
def migrations() -> None:
    """Database migrations: `check` lints them on Postgres' own parser, `dry-run` applies
    them to a throwaway database and reports the locks they take."""


def _migration_range(f: Callable[..., None]) -> Callable[..., None]:
    """``--pr`` and ``--event``: only the migrations a pull request or push adds or changes
    (earlier ones give context); without either, every migration."""
    f = click.option(
        "--event",
        is_flag=True,
        help="Under GitHub Actions: a pull request's or push's migrations, else every one.",
    )(f)
    return click.option(
        "--pr",
        metavar="BASE..HEAD",
        help="Only the migrations a pull request adds or changes (`auto`: from the event).",
    )(f)


def _dry_run_options(*, required: bool) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The dry run's options, shared by ``migrations dry-run`` and ``check --dry-run``."""

    def decorate(f: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(
            (
                click.option(
                    "--database-url",
                    envvar="LAUNCHREADY_DATABASE_URL",
                    required=required,
                    metavar="URL",
                    help="A disposable PostgreSQL (env LAUNCHREADY_DATABASE_URL); never printed.",
                ),
                click.option(
                    "--seed-rows",
                    type=click.IntRange(min=0),
                    default=1000,
                    show_default=True,
                    metavar="N",
                    help="Rows to put in each existing table the new migrations touch (0: none).",
                ),
                click.option(
                    "--lock-timeout",
                    default="5s",
                    show_default=True,
                    metavar="DURATION",
                    help="lock_timeout while the migrations under test run.",
                ),
                click.option(
                    "--schema-dump",
                    type=click.Path(exists=True, dir_okay=False, path_type=Path),
                    metavar="FILE",
                    help="Load this pg_dump --schema-only file instead of replaying earlier "
                    "migrations.",
                ),
                click.option(
                    "--rollback/--no-rollback",
                    default=True,
                    help="Run the down migrations, then the ups again (default: on).",
                ),
            )
        ):
            f = option(f)
        return f

    return decorate


@migrations.command("check")
@click.option(
    "--dry-run",
    "with_dry_run",
    is_flag=True,
    help="Also apply the migrations to the database of --database-url (see `dry-run`).",
)
@_dry_run_options(required=False)
@_migration_range
@_report_options
@_guard
def migrations_check(**opts: Any) -> int:
    """Lint SQL, Django and Alembic migrations for locks and breaking changes (runs without
    a config section); with --dry-run, also apply them to a throwaway database.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli.migrations import check

    return check(**opts)


@migrations.command("dry-run")
@_dry_run_options(required=True)
@_migration_range
@_report_options
@_guard
def migrations_dry_run(**opts: Any) -> int:
    """Apply SQL migrations to a throwaway database and report the locks they take, the
    tables they rewrite, their errors and whether their down migrations work.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli.migrations import dry_run

    return dry_run(**opts)


@cli.group()
def domain() -> None:
    """The domain members reach and mail comes from: `check` compares DNS, TLS, redirects,
    caching and mail records with launchready.yml."""


@domain.command("check")
@click.option(
    "--connect-to",
    "connect_to",
    multiple=True,
    metavar="HOST:PORT:ADDR:PORT",
    help="Connect to ADDR:PORT instead, keeping the hostname for SNI, Host and the "
    "certificate (curl's meaning; empty parts match any or keep the original).",
)
@_CA_BUNDLE
@click.option(
    "--nameserver",
    metavar="HOST[:PORT]",
    help="Send every DNS query to this server (a staging zone's; default: domain.nameserver, "
    "else the system resolver).",
)
@_report_options
@_guard
def domain_check(**opts: Any) -> int:
    """Check the domain against its `domain:` section: DNS records and dangling CNAMEs,
    CAA, MX, SPF, DKIM and DMARC, TLS on every hostname, redirects hop by hop, HSTS,
    caching, deep-link files and an optional rate-limit probe.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.checks.domain.check import DomainCheck
    from launchready_ci.checks.domain.resolver import parse_nameserver
    from launchready_ci.checks.domain.tls import parse_connect_to
    from launchready_ci.cli._common import execute

    nameserver = opts.pop("nameserver")
    if nameserver:
        parse_nameserver(nameserver)  # a bad value is a usage error before any lookup
    routes = tuple(parse_connect_to(x) for x in opts.pop("connect_to"))
    ca_bundle = opts.pop("ca_bundle")
    if ca_bundle is None:  # a wrong path in launchready.yml is a config error (exit 2)
        from launchready_ci.cli._common import open_session
        from launchready_ci.errors import UsageError

        session = open_session(opts["root"], opts["config_path"])
        configured = (session.config.section("domain") or {}).get("ca_bundle")
        if configured and not (session.root / str(configured)).is_file():
            where = session.config.position("domain.ca_bundle")
            at = f"{where.path}:{where.line}: " if where else ""
            raise UsageError(f"{at}domain.ca_bundle: {configured} is not a file")
    check = DomainCheck(nameserver, routes, ca_bundle)
    return execute(checks=(check,), **opts)


@cli.group()
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
    help="How many times to run the journeys (default: smoke.runs, else 3).",
)
@click.option(
    "--expect-version",
    envvar="LAUNCHREADY_EXPECT_VERSION",
    metavar="VERSION",
    help="Wait until the release reports this version (default: smoke.readiness.version).",
)
@_CA_BUNDLE
@click.option(
    "--results",
    metavar="FILE",
    help="Write the outcome (passed, failed runs, latencies per step) as JSON to FILE, "
    "for `launchready rollback --smoke-results`.",
)
@_report_options
@_guard
def smoke_run(**opts: Any) -> int:
    """Wait until the release is live, run every journey --runs times (journeys at once,
    steps in order with shared cookies), and report each step's failures and its p50, p95
    and max latency against its budget.

    Exit status: 0 passed, 1 findings at or above --fail-on, 2 usage or config error.
    """
    from launchready_ci.cli.smoke import run as smoke_run

    return smoke_run(**opts)


@cli.command()
@_ROOT
@_CONFIG
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
@_guard
def rollback(**opts: Any) -> int:
    """After a failed smoke test, put the last good release back (rollback.strategy:
    command, workflow or deployment), unless a guard stops it: too few failed runs, a
    rollback of a rollback, already triggered, target already live, or an irreversible
    migration in between.

    Exit status: 0 rolled back or nothing to do, 1 refused or failed, 2 usage or config
    error.
    """
    from launchready_ci.cli.rollback import run as rollback_run

    return rollback_run(**opts)


@cli.group()
def monitor() -> None:
    """Uptime from a scheduled workflow: `run` probes the checks of the `uptime:` section,
    keeps the history on a branch, renders the status page and manages incident issues."""


@monitor.command("run")
@_ROOT
@_CONFIG
@click.option("--base-url", envvar="LAUNCHREADY_BASE_URL", metavar="URL",
              help="Where to probe (default: uptime.base_url, else smoke.base_url).")  # fmt: skip
@_CA_BUNDLE
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
@_guard
def monitor_run(**opts: Any) -> int:
    """Probe every check once and record the run; a check that fails is reported and, after
    uptime.incidents.after runs in a row, an issue is opened (closed with the downtime on
    recovery). GitHub's schedule is best effort: the real interval between runs and its
    gaps are measured and shown.

    Exit status: 0 recorded (whether or not a check failed), 1 the run could not be
    recorded or GitHub refused, 2 usage or config error.
    """
    from launchready_ci.cli.monitor import run as monitor_run

    return monitor_run(**opts)


@cli.command()
@_ROOT
@_CONFIG
@click.option("--base-url", envvar="LAUNCHREADY_BASE_URL", metavar="URL",
              help="Also run the smoke test against this URL.")  # fmt: skip
@click.option(
    "--nameserver", metavar="HOST[:PORT]", help="For the domain check (see `domain check`)."
)
@click.option("--connect-to", "connect_to", multiple=True, metavar="HOST:PORT:ADDR:PORT",
              help="For the domain check (see `domain check`).")  # fmt: skip
@_CA_BUNDLE
@click.option("--offline", is_flag=True, help="Leave out the checks that need the network.")
@click.option("--output", "-o", metavar="FILE", help="Write the report (Markdown) to FILE.")
@click.option("--json", "json_path", metavar="FILE", help="Write the ranked risks as JSON to FILE.")
@click.option(
    "--fail-on", type=FAIL_ON, help="Exit 1 on a finding at or above this (default never)."
)
@click.option("--quiet", "-q", is_flag=True, help="Do not print the report.")
@_guard
def audit(**opts: Any) -> int:
    """The launch-readiness report: every configured check (the domain check too, and
    the smoke test with --base-url), the risks ranked by what they would stop at launch,
    a score per area of the launch bar, what is missing to assess the rest, and a
    dependency map (Mermaid).
    """
    from launchready_ci.cli.audit import audit as audit_impl

    return audit_impl(**opts)


@cli.command()
@_ROOT
@_CONFIG
@click.option("--output", "-o", metavar="FILE", help="Where to write (default HANDOVER.md).")
@click.option("--check", is_flag=True, help="Exit 1 when the committed document is stale.")
@click.option("--audit", "audit_json", metavar="FILE",
              help="Add the top risks of `launchready audit --json FILE`.")  # fmt: skip
@click.option("--live", is_flag=True, help="Add each hostname's certificate expiry.")
@click.option("--connect-to", "connect_to", multiple=True, metavar="HOST:PORT:ADDR:PORT",
              help="For --live (see `domain check`).")  # fmt: skip
@_CA_BUNDLE
@_guard
def handover(**opts: Any) -> int:
    """Write HANDOVER.md from launchready.yml, env-inventory.yml and the workflows: the
    domain and its records, where each secret lives and who owns it, deploy and rollback,
    monitors and who is alerted. With --check, fail when the committed one is stale.
    """
    from launchready_ci.cli.audit import handover as handover_impl

    return handover_impl(**opts)


@cli.command()
@click.argument("rule_id", required=False)
@_guard
def rules(rule_id: str | None) -> int:
    """List the rules, or print the documentation of RULE_ID."""
    from launchready_ci.rules.docs import render_rule, render_rule_list

    if rule_id is None:
        click.echo(render_rule_list(), nl=False)
        return 0
    click.echo(render_rule(rule_id), nl=False)
    return 0


@cli.command()
@_guard
def schema() -> int:
    """Print the JSON Schema of launchready.yml."""
    import json

    from launchready_ci.config import schema as load_schema

    click.echo(json.dumps(load_schema(), indent=2))
    return 0


def main() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli(prog_name="launchready")


__all__ += ["cli"]
