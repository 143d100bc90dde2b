"""The ``launchready`` command: one module per command group (``cli/<group>.py``), each
holding its click declarations and its IO; what they share is in :mod:`._common`.

A command's module is imported only when that command runs, so ``launchready --help``
costs click alone. The group lists the commands from :data:`COMMANDS` without importing
them; a test checks that each summary there is the command's own.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from launchready_ci import __version__

__all__ = ["COMMANDS", "cli", "main"]

#: name -> (module under launchready_ci.cli, attribute, the first paragraph of its help).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "audit": (
        "audit",
        "audit_command",
        "The launch-readiness report: every configured check (the domain check too, and the "
        "smoke test with --base-url), the risks ranked by what they would stop at launch, a "
        "score per area of the launch bar, what is missing to assess the rest, and a "
        "dependency map (Mermaid).",
    ),
    "baseline": (
        "baseline",
        "baseline",
        "The baseline: the findings accepted on the day launchready was adopted, so that a "
        "run fails only on what is new. `update` records today's findings again.",
    ),
    "domain": (
        "domain",
        "domain",
        "The domain members reach and mail comes from: `check` compares DNS, TLS, redirects, "
        "caching and mail records with launchready.yml.",
    ),
    "env": (
        "env",
        "env",
        "Environment variables: the inventory, checked in CI and verified at deploy time.",
    ),
    "handover": (
        "handover",
        "handover_command",
        "Write HANDOVER.md from launchready.yml, env-inventory.yml and the workflows: the "
        "domain and its records, where each secret lives and who owns it, deploy and "
        "rollback, monitors and who is alerted. With --check, fail when the committed one is "
        "stale.",
    ),
    "init": (
        "init",
        "init",
        "Set launchready up on this repository: launchready.yml for what is here, a drafted "
        "env-inventory.yml, a baseline of today's findings, and the next three steps.",
    ),
    "migrations": (
        "migrations",
        "migrations",
        "Database migrations: `check` lints them on Postgres' own parser, `dry-run` applies "
        "them to a throwaway database and reports the locks they take.",
    ),
    "monitor": (
        "monitor",
        "monitor",
        "Uptime from a scheduled workflow: `run` probes the checks of the `uptime:` section, "
        "keeps the history on a branch, renders the status page and manages incident issues.",
    ),
    "rollback": (
        "rollback",
        "rollback_command",
        "After a failed smoke test, put the last good release back (rollback.strategy: "
        "command, workflow or deployment), unless a guard stops it: too few failed runs, a "
        "rollback of a rollback, already triggered, target already live, or an irreversible "
        "migration in between.",
    ),
    "rules": ("rules", "rules", "List the rules, or print the documentation of RULE_ID."),
    "run": ("run", "run", "Run every check that the config enables and report the findings."),
    "schema": ("schema", "schema", "Print the JSON Schema of launchready.yml."),
    "secrets": (
        "secrets",
        "secrets",
        "Committed credentials: the working tree, a pull request, a push, the history.",
    ),
    "smoke": (
        "smoke",
        "smoke",
        "Prove a deploy works: `run` waits for the release, then runs the member journeys of "
        "the `smoke:` section against it and times every step.",
    ),
}


class _LazyGroup(click.Group):
    """Loads a command's module when the command is looked up, not at start-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Every byte of the command, click's own messages too, through one function
        (:mod:`launchready_ci.github.console`)."""
        import sys

        from launchready_ci.github.console import guarded

        with guarded():
            try:
                return super().main(*args, **kwargs)
            except Exception:  # under --debug: the traceback quotes data, so it is guarded too
                import traceback

                traceback.print_exc()
                sys.exit(1)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from :data:`COMMANDS` (no command imported)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(n, click.Command(n, help=COMMANDS[n][2]).get_short_help_str(limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    version=__version__,
    prog_name="launchready",
    message="%(prog)s %(version)s",
)
def cli() -> None:
    """Catch launch-killing mistakes in CI: committed keys, unowned env vars,
    unsafe migrations, broken sign-in, mail in spam, expiring certificates.

    Start with `launchready init` in the repository, then `launchready run`.
    """


def main() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli(prog_name="launchready")
