"""``launchready secrets ...``: pick the scan mode, then report like ``run``.

``scan`` resolves the commits to scan first (:mod:`.checks.secrets.history`), so a range
that cannot be scanned is a usage error (exit 2) before any check runs; the working tree
(no mode flag) is the ordinary secrets check.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click

from launchready_ci.checks.base import Check
from launchready_ci.cli._common import (
    CONFIG,
    ROOT,
    execute,
    guard,
    open_session,
    report_options,
)
from launchready_ci.errors import UsageError
from launchready_ci.github.console import echo
from launchready_ci.github.events import event_range, pr_range

__all__ = ["baseline", "scan"]


@click.group()
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
@report_options
@guard
def secrets_scan(**opts: Any) -> int:
    """Find committed secrets; without a mode option, in the working tree.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return scan(**opts)


@secrets.command("baseline")
@ROOT
@CONFIG
@click.option(
    "--output",
    default=".launchready-baseline.json",
    show_default=True,
    metavar="FILE",
    help="Baseline file to write.",
)
@guard
def secrets_baseline(**opts: Any) -> int:
    """Record the working tree's current secrets as accepted (`--baseline FILE` reads it)."""
    return baseline(**opts)


@dataclass(frozen=True)
class ScanMode:
    """The mode options of ``secrets scan``, as click passes them."""

    pr: str | None = None
    base: str | None = None
    head: str | None = None
    push: tuple[str, str] | None = None
    history: bool = False
    shard: str | None = None
    staged: bool = False
    event: bool = False


_MODE_KEYS = tuple(f.name for f in fields(ScanMode))


def scan(**opts: Any) -> int:
    mode = ScanMode(**{key: opts.pop(key) for key in _MODE_KEYS})
    check = _check(opts["root"], opts["config_path"], mode)
    return execute(checks=(check,), **opts)


def _check(root: Path | None, config_path: str | None, mode: ScanMode) -> Check:
    from launchready_ci import git
    from launchready_ci.checks.secrets.check import SecretsCheck
    from launchready_ci.checks.secrets.history import SecretsHistoryCheck

    pr, base, head, push = mode.pr, mode.base, mode.head, mode.push
    if (base is None) != (head is None) and pr is None:
        raise UsageError("--base and --head go together (or use --pr BASE..HEAD)")
    modes = [
        name
        for name, on in (
            ("--pr", pr is not None or base is not None),
            ("--push", push is not None),
            ("--history", mode.history),
            ("--staged", mode.staged),
            ("--event", mode.event),
        )
        if on
    ]
    if len(modes) > 1:
        raise UsageError(f"choose one scan mode, not {' and '.join(modes)}")
    if mode.shard is not None and not mode.history:
        raise UsageError("--shard only applies to --history")
    if mode.event:
        pr, push = event_range()
        if pr is None and push is None:
            return SecretsCheck()  # an event without commits of its own
    elif not modes:
        return SecretsCheck()
    repo = open_session(root, config_path).root
    if pr is not None or base is not None:
        base, head, commits = pr_range(pr, base, head)
        return SecretsHistoryCheck(git.plan_pr(repo, base, head, commits=commits))
    if push is not None:
        return SecretsHistoryCheck(git.plan_push(repo, *push))
    if mode.history:
        return SecretsHistoryCheck(git.plan_history(repo, git.parse_shard(mode.shard)))
    return SecretsHistoryCheck(git.plan_staged(repo))


def baseline(*, root: Path | None, config_path: str | None, output: str) -> int:
    """Record the working tree's current secret findings as accepted."""
    from launchready_ci.checks.secrets.check import SecretsCheck

    execute(
        root=root,
        config_path=config_path,
        fail_on="never",
        baseline=None,
        write_baseline=output,
        sarif=None,
        json_path=None,
        markdown=None,
        summary=False,
        annotations=False,
        color=False,
        quiet=True,
        debug=False,
        checks=(SecretsCheck,),
    )
    echo(f"wrote {output}")
    return 0
