"""``launchready baseline update``: record today's findings as accepted, again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from launchready_ci.cli._common import (
    CONFIG,
    ROOT,
    baseline_file,
    guard,
    open_session,
    record_baseline,
)
from launchready_ci.errors import UsageError
from launchready_ci.github.console import echo

__all__ = ["baseline"]

#: Where the baseline goes when neither --output nor ``baseline:`` of the config says.
DEFAULT = ".launchready-baseline.json"


@click.group()
def baseline() -> None:
    """The baseline: the findings accepted on the day launchready was adopted, so that a
    run fails only on what is new. `update` records today's findings again."""


@baseline.command("update")
@ROOT
@CONFIG
@click.option(
    "--output",
    metavar="FILE",
    help=f"Baseline to write (default: baseline: of the config, else {DEFAULT}).",
)
@guard
def update(**opts: Any) -> int:
    """Run every enabled check and record its findings as the baseline, dropping the entries
    that match nothing any more; print how many were added, removed and kept."""
    return run_update(opts["root"], opts["config_path"], opts["output"])


def run_update(root: Path | None, config_path: str | None, output: str | None) -> int:
    session = open_session(root, config_path)
    located = baseline_file(session, output)
    path, label = located if located else (session.root / DEFAULT, DEFAULT)
    before = _fingerprints(path)
    record_baseline(session.root, path, config_path)
    after = _fingerprints(path)
    added, removed = len(after - before), len(before - after)
    echo(
        f"baseline {label}: {len(after)} entries ({added} added, {removed} removed, "
        f"{len(after & before)} kept)"
    )
    return 0


def _fingerprints(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(e["fingerprint"]) for e in data["findings"]}
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        raise UsageError(
            f"{path}: not a launchready baseline file; delete it or use --output"
        ) from None
