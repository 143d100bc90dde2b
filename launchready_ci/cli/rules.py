"""``launchready rules``: the rules, and each rule's documentation."""

from __future__ import annotations

import click

from launchready_ci.cli._common import (
    guard,
)
from launchready_ci.github.console import echo
from launchready_ci.rules.docs import render_rule, render_rule_list


@click.command()
@click.argument("rule_id", required=False)
@guard
def rules(rule_id: str | None) -> int:
    """List the rules, or print the documentation of RULE_ID."""
    if rule_id is None:
        echo(render_rule_list(), nl=False)
        return 0
    echo(render_rule(rule_id), nl=False)
    return 0
