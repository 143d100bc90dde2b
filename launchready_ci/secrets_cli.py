"""The IO half of ``launchready secrets ...``: pick the scan mode, then report like ``run``.

``scan`` resolves the commits to scan first (:mod:`.checks.secrets.history`), so a range
that cannot be scanned is a usage error (exit 2) before any check runs; the working tree
(no mode flag) is the ordinary secrets check.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.errors import UsageError
from launchready_ci.runner_cli import execute, open_session

__all__ = ["baseline", "scan"]


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
    from launchready_ci.checks.secrets import history as h
    from launchready_ci.checks.secrets.check import SecretsCheck

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
        pr, push = _event_range()
        if pr is None and push is None:
            return SecretsCheck()  # an event without commits of its own
    elif not modes:
        return SecretsCheck()
    repo = open_session(root, config_path).root
    if pr is not None or base is not None:
        base, head, commits = _pr_range(pr, base, head)
        return h.SecretsHistoryCheck(h.plan_pr(repo, base, head, commits=commits))
    if push is not None:
        return h.SecretsHistoryCheck(h.plan_push(repo, *push))
    if mode.history:
        return h.SecretsHistoryCheck(h.plan_history(repo, h.parse_shard(mode.shard)))
    return h.SecretsHistoryCheck(h.plan_staged(repo))


def _pr_range(pr: str | None, base: str | None, head: str | None) -> tuple[str, str, int | None]:
    if pr is None:
        assert base is not None and head is not None
        return base, head, None
    if pr == "auto":
        return _from_event()
    left, sep, right = pr.partition("...") if "..." in pr else pr.partition("..")
    if not sep or not left or not right:
        raise UsageError(f"--pr {pr!r}: expected BASE..HEAD (or `auto` under GitHub Actions)")
    return left, right, None


def _event_range() -> tuple[str | None, tuple[str, str] | None]:
    """``--event``: (``--pr`` value, ``--push`` pair) for the GitHub event of this run.

    A pull request (or a merge queue's group) scans its commits, a push the pushed
    commits; any other event (schedule, workflow_dispatch...) the working tree.
    """
    name = os.environ.get("GITHUB_EVENT_NAME", "")
    if not name:
        raise UsageError("--event needs GitHub Actions (GITHUB_EVENT_NAME is not set)")
    if name.startswith("pull_request"):
        return "auto", None
    if name not in ("push", "merge_group"):
        return None, None
    event = _read_event()
    try:
        if name == "merge_group":
            group = event["merge_group"]
            return f"{group['base_sha']}..{group['head_sha']}", None
        if event.get("deleted"):
            return None, None  # a deleted branch or tag adds nothing
        return None, (str(event["before"]), str(event["after"]))
    except (KeyError, TypeError):
        raise UsageError(f"the {name} event in GITHUB_EVENT_PATH lacks its commits") from None


def _read_event() -> dict[str, Any]:
    path = os.environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise UsageError("GITHUB_EVENT_PATH is not set")
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the event from {path} ({type(exc).__name__})") from None
    if not isinstance(event, dict):
        raise UsageError(f"the event in {path} is not a JSON object")
    return event


def _from_event() -> tuple[str, str, int | None]:
    """Base and head SHAs of the pull request that triggered this GitHub Actions run."""
    if not os.environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        raise UsageError("--pr auto needs a pull_request event (GITHUB_EVENT_PATH)")
    event = _read_event()
    try:
        pull = event["pull_request"]
        count = pull.get("commits")
        commits = count if isinstance(count, int) and count >= 0 else None
        return str(pull["base"]["sha"]), str(pull["head"]["sha"]), commits
    except (KeyError, TypeError, AttributeError):
        raise UsageError(
            "the pull_request event in GITHUB_EVENT_PATH lacks base and head"
        ) from None


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
    import click

    click.echo(f"wrote {output}")
    return 0
