"""The IO half of ``launchready migrations check|dry-run``: pick the files, then report.

With ``--pr BASE..HEAD`` (or ``--event`` on a pull request or push) only the migrations
the range adds or changes are linted or observed; without, every migration file.
"""

from __future__ import annotations

import re
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.migrations.check import MigrationsCheck, MigrationsDryRunCheck
from launchready_ci.checks.migrations.dryrun import DryRunOptions
from launchready_ci.cli._common import execute, open_session
from launchready_ci.errors import UsageError
from launchready_ci.github.events import event_range, pr_range

__all__ = ["check", "dry_run"]

_ZERO = re.compile(r"^0+$")
_DURATION = re.compile(r"^\d+\s*(us|ms|s|min|h|d)?$")


class RequestedMigrationsCheck(MigrationsCheck):
    """Named on the command line: runs without a ``migrations:`` section."""

    needs_config = False


def check(*, with_dry_run: bool, pr: str | None, event: bool, **opts: Any) -> int:
    dry = _dry_run_check(opts, required=with_dry_run)
    changed, label = _scope(pr, event, opts)
    checks: list[Check] = [RequestedMigrationsCheck(changed, label)]
    if with_dry_run and dry is not None:
        checks.append(MigrationsDryRunCheck(dry[0], changed, label, dry[1]))
    return execute(checks=tuple(checks), **opts)


def dry_run(*, pr: str | None, event: bool, **opts: Any) -> int:
    dry = _dry_run_check(opts, required=True)
    assert dry is not None
    changed, label = _scope(pr, event, opts)
    return execute(checks=(MigrationsDryRunCheck(dry[0], changed, label, dry[1]),), **opts)


def _dry_run_check(opts: dict[str, Any], *, required: bool) -> tuple[str, DryRunOptions] | None:
    """Pops the dry run's options from ``opts``: (database URL, options), or None."""
    from launchready_ci.checks.migrations.dryrun import read_dump

    url = opts.pop("database_url")
    lock_timeout = opts.pop("lock_timeout").strip()
    schema_dump = opts.pop("schema_dump")
    seed_rows, rollback = opts.pop("seed_rows"), opts.pop("rollback")
    if not required:
        return None
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
    from launchready_ci.checks.secrets.history import changed_paths

    if pr is not None and event:
        raise UsageError("choose one of --pr and --event")
    span = _range(pr, event)
    if span is None:
        return None, ""
    base, head = span
    root = open_session(opts["root"], opts["config_path"]).root
    return changed_paths(root, base, head), f"{base[:12]}..{head[:12]}"


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
