"""The IO half of ``launchready migrations check``: pick the files, then report like ``run``.

With ``--pr BASE..HEAD`` (or ``--event`` on a pull request or push) only the migrations
the range adds or changes are linted; without, every migration file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from launchready_ci.checks.migrations.check import MigrationsCheck
from launchready_ci.runner_cli import execute, open_session

__all__ = ["check", "dry_run"]

_ZERO = re.compile(r"^0+$")


class RequestedMigrationsCheck(MigrationsCheck):
    """Named on the command line: runs without a ``migrations:`` section."""

    needs_config = False


def check(*, pr: str | None, event: bool, **opts: Any) -> int:
    from launchready_ci.errors import UsageError

    if pr is not None and event:
        raise UsageError("choose one of --pr and --event")
    span = _range(pr, event)
    if span is None:
        return execute(checks=(RequestedMigrationsCheck(),), **opts)
    base, head = span
    changed = _changed(opts["root"], opts["config_path"], base, head)
    label = f"{base[:12]}..{head[:12]}"
    return execute(checks=(RequestedMigrationsCheck(changed, label),), **opts)


def dry_run(*, database_url: str, pr: str | None, event: bool, **opts: Any) -> int:
    from launchready_ci.checks.migrations.check import MigrationsDryRunCheck
    from launchready_ci.errors import UsageError

    if pr is not None and event:
        raise UsageError("choose one of --pr and --event")
    span = _range(pr, event)
    if span is None:
        return execute(checks=(MigrationsDryRunCheck(database_url),), **opts)
    base, head = span
    changed = _changed(opts["root"], opts["config_path"], base, head)
    label = f"{base[:12]}..{head[:12]}"
    return execute(checks=(MigrationsDryRunCheck(database_url, changed, label),), **opts)


def _range(pr: str | None, event: bool) -> tuple[str, str] | None:
    from launchready_ci.secrets_cli import _event_range, _pr_range

    if event:
        pr, push = _event_range()
        if push is not None:
            before, after = push
            return None if _ZERO.match(before) else (before, after)
    if pr is None:
        return None
    base, head, _ = _pr_range(pr, None, None)
    return base, head


def _changed(root: Path | None, config_path: str | None, base: str, head: str) -> frozenset[str]:
    from launchready_ci.checks.secrets.history import changed_paths

    return changed_paths(open_session(root, config_path).root, base, head)
