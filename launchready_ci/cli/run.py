"""``launchready run``: every check launchready.yml enables, reported."""

from __future__ import annotations

from typing import Any

import click

from launchready_ci.cli._common import execute, guard, report_options

__all__ = ["run"]


@click.command()
@click.option(
    "--check", "only", multiple=True, metavar="ID", help="Run only this check (repeatable)."
)
@report_options
@guard
def run(**opts: Any) -> int:
    """Run every check that the config enables and report the findings.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return execute(**opts)
