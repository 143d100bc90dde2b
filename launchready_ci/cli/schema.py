"""``launchready schema``: the JSON Schema of launchready.yml."""

from __future__ import annotations

import json

import click

from launchready_ci.cli._common import (
    guard,
)
from launchready_ci.config import schema as load_schema
from launchready_ci.github.console import echo


@click.command()
@guard
def schema() -> int:
    """Print the JSON Schema of launchready.yml."""
    echo(json.dumps(load_schema(), indent=2))
    return 0
