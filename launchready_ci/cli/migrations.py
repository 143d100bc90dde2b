"""``launchready migrations check|dry-run``: pick the files, then report.

With ``--pr BASE..HEAD`` (or ``--event`` on a pull request or push) only the migrations
the range adds or changes are linted or observed; without, every migration file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from launchready_ci.checks.base import Check
from launchready_ci.checks.migrations.check import MigrationsCheck, MigrationsDryRunCheck, Since
from launchready_ci.cli._common import (
    execute,
    guard,
    open_session,
    report_options,
)
from launchready_ci.errors import UsageError
from launchready_ci.github.events import event_range, pr_range

if TYPE_CHECKING:
    from launchready_ci.checks.migrations.dryrun import DryRunOptions

__all__ = ["check", "dry_run"]


@click.group()
def migrations() -> None:
    """Database migrations: `check` lints them on Postgres' own parser, `dry-run` applies
    them to a throwaway database and reports the locks they take."""


def _migration_range(f: Callable[..., None]) -> Callable[..., None]:
    """``--pr`` and ``--event``: only the migrations a pull request or push adds or changes
    (earlier ones give context); without either, every migration, or those added after
    ``--since`` (else ``migrations.since``)."""
    f = click.option(
        "--since",
        "since_text",
        metavar="REF|DATE",
        help="Only migrations added after this commit, tag or date (2024-05-01); older ones "
        "are history. Overrides migrations.since; --pr and --event take precedence.",
    )(f)
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
@report_options
@guard
def migrations_check(**opts: Any) -> int:
    """Lint SQL, Django and Alembic migrations for locks and breaking changes (runs without
    a config section); with --dry-run, also apply them to a throwaway database.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return check(**opts)


@migrations.command("dry-run")
@_dry_run_options(required=True)
@_migration_range
@report_options
@guard
def migrations_dry_run(**opts: Any) -> int:
    """Apply SQL migrations to a throwaway database and report the locks they take, the
    tables they rewrite, their errors and whether their down migrations work.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return dry_run(**opts)


_ZERO = re.compile(r"^0+$")
_DURATION = re.compile(r"^\d+\s*(us|ms|s|min|h|d)?$")


class RequestedMigrationsCheck(MigrationsCheck):
    """Named on the command line: runs without a ``migrations:`` section."""

    needs_config = False


def check(
    *, with_dry_run: bool, pr: str | None, event: bool, since_text: str | None, **opts: Any
) -> int:
    dry = _dry_run_check(opts, required=with_dry_run)
    changed, label = _scope(pr, event, opts)
    since = _since(since_text, changed, opts)
    checks: list[Check] = [RequestedMigrationsCheck(changed, label, since)]
    if with_dry_run and dry is not None:
        checks.append(MigrationsDryRunCheck(dry[0], changed, label, dry[1], since))
    return execute(checks=tuple(checks), **opts)


def dry_run(*, pr: str | None, event: bool, since_text: str | None, **opts: Any) -> int:
    dry = _dry_run_check(opts, required=True)
    assert dry is not None
    changed, label = _scope(pr, event, opts)
    since = _since(since_text, changed, opts)
    check = MigrationsDryRunCheck(dry[0], changed, label, dry[1], since)
    return execute(checks=(check,), **opts)


def _dry_run_check(opts: dict[str, Any], *, required: bool) -> tuple[str, DryRunOptions] | None:
    """Pops the dry run's options from ``opts``: (database URL, options), or None."""
    url = opts.pop("database_url")
    lock_timeout = opts.pop("lock_timeout").strip()
    schema_dump = opts.pop("schema_dump")
    seed_rows, rollback = opts.pop("seed_rows"), opts.pop("rollback")
    if not required:
        return None
    from launchready_ci.checks.migrations.dryrun import DryRunOptions, read_dump

    if not url:
        raise UsageError("--dry-run needs --database-url URL or LAUNCHREADY_DATABASE_URL")
    if not _DURATION.match(lock_timeout):
        raise UsageError(f"--lock-timeout {lock_timeout!r}: give a duration such as 5s or 500ms")
    # Read and parsed once, here: a dump that is not SQL is a usage error before any
    # database work.
    dump = read_dump(schema_dump) if schema_dump is not None else None
    return url, DryRunOptions(seed_rows, lock_timeout, dump, rollback)


def _scope(pr: str | None, event: bool, opts: dict[str, Any]) -> tuple[frozenset[str] | None, str]:
    """(paths the range adds or changes, its label); (None, "") for every migration."""
    from launchready_ci.git import changed_paths

    if pr is not None and event:
        raise UsageError("choose one of --pr and --event")
    span = _range(pr, event)
    if span is None:
        return None, ""
    base, head = span
    root = open_session(opts["root"], opts["config_path"]).root
    return changed_paths(root, base, head), f"{base[:12]}..{head[:12]}"


def _since(text: str | None, changed: frozenset[str] | None, opts: dict[str, Any]) -> Since | None:
    """``--since`` resolved now, so that a commit git cannot name is a usage error (exit 2)
    before anything runs; None without it, and in pull-request mode (the range decides)."""
    if not text or changed is not None:
        return None
    return Since.resolve(open_session(opts["root"], opts["config_path"]).root, text, "--since")


def _range(pr: str | None, event: bool) -> tuple[str, str] | None:
    if event:
        pr, push = event_range()
        if push is not None:
            before, after = push
            return None if _ZERO.match(before) else (before, after)
    if pr is None:
        return None
    base, head, _ = pr_range(pr, None, None)
    return base, head
