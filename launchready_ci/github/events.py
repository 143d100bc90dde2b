"""Which commits a GitHub Actions run is about: ``--pr BASE..HEAD``, ``--pr auto`` and
``--event``, shared by the commands that scan a range (secrets, migrations)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from launchready_ci.errors import UsageError

__all__ = ["event_range", "pr_range", "pull_request_shas"]


def pr_range(pr: str | None, base: str | None, head: str | None) -> tuple[str, str, int | None]:
    if pr is None:
        assert base is not None and head is not None
        return base, head, None
    if pr == "auto":
        return _from_event()
    left, sep, right = pr.partition("...") if "..." in pr else pr.partition("..")
    if not sep or not left or not right:
        raise UsageError(f"--pr {pr!r}: expected BASE..HEAD (or `auto` under GitHub Actions)")
    return left, right, None


def event_range() -> tuple[str | None, tuple[str, str] | None]:
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


def pull_request_shas(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(base, head) of the pull request this run is about; None for other events or an
    event file that cannot be read (what only orders or links output never fails it)."""
    if not environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        return None
    try:
        event = json.loads(Path(environ["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
        pull = event["pull_request"]
        return str(pull["base"]["sha"]), str(pull["head"]["sha"])
    except (KeyError, OSError, TypeError, ValueError, AttributeError):
        return None


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
