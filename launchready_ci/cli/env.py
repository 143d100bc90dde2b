"""``launchready env ...``: files, the step summary, messages, exit codes.

``check`` and ``verify`` go through :func:`launchready_ci.cli._common.execute`, so they
report exactly like ``launchready run``; ``init`` and ``docs`` read and write the inventory
through the pure :mod:`.checks.env_inventory.draft` and :mod:`.checks.env_inventory.docs`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from launchready_ci.cli._common import (
    CONFIG,
    ROOT,
    Session,
    append_text,
    execute,
    guard,
    open_session,
    report_options,
    resolve_root,
    write_text,
)
from launchready_ci.errors import LaunchreadyError, UsageError
from launchready_ci.github.console import echo

# The check, its rules and the reporters are imported by the commands that use them:
# `env init` reads code, and its start-up is measured against `git grep`.
if TYPE_CHECKING:
    from launchready_ci.checks.env_inventory.model import Inventory
    from launchready_ci.findings import Report

__all__ = ["VERIFY_OUTPUTS", "check", "docs", "init", "verify"]


@click.group()
def env() -> None:
    """Environment variables: the inventory, checked in CI and verified at deploy time.

    `env init` drafts env-inventory.yml from the code, `env check` compares the two,
    `env verify` checks a deploy's real values against it, `env docs` renders it.
    """


@env.command("check")
@report_options
@guard
def env_check(**opts: Any) -> int:
    """Compare the code with the inventory (`launchready run` for the env check alone).

    Runs with the defaults when launchready.yml has no `env:` section.
    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return check(**opts)


@env.command("init")
@ROOT
@CONFIG
@click.option(
    "--output", metavar="FILE", help="Inventory to write (default: env.inventory of the config)."
)
@click.option("--force", is_flag=True, help="Replace an existing FILE with a fresh draft.")
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out the files matching GLOB (repeatable; env.exclude of the config too).",
)
@click.option(
    "--tests/--no-tests",
    "include_tests",
    default=False,
    help="Also draft the variables only tests read (default: left out).",
)
@guard
def env_init(**opts: Any) -> int:
    """Draft the inventory from the variables the code reads; never writes a value.

    An existing inventory is kept byte for byte: only the variables it lacks are
    appended, with purpose and owner left for you to fill in.
    """
    return init(**opts)


@env.command("verify")
@click.option("--environment", "-e", required=True, metavar="NAME", help="Environment deployed to.")
@click.option(
    "--from",
    "source",
    metavar="FILE",
    help="Values to verify: a dotenv, JSON or `env -0` file (default: this process's environment).",
)
@click.option(
    "--compare", metavar="FILE", help="Values of another environment, to find shared secrets."
)
@click.option(
    "--production/--no-production",
    default=None,
    help="Treat the environment as production (default: guessed from its name).",
)
@report_options
@guard
def env_verify(**opts: Any) -> int:
    """Verify a deploy's values against the inventory; never prints a value.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or config error.
    """
    return verify(**opts)


@env.command("docs")
@ROOT
@CONFIG
@click.option("--output", metavar="FILE", help="Write the Markdown table to FILE.")
@click.option("--summary", is_flag=True, help="Append the table to $GITHUB_STEP_SUMMARY.")
@guard
def env_docs(**opts: Any) -> int:
    """Render the inventory as a Markdown table (printed unless --output or --summary)."""
    return docs(**opts)


def check(**opts: Any) -> int:
    """The env check as `launchready run --check env` runs it: without an ``env:``
    section and a root env-inventory.yml it is skipped with the snippet that enables it."""
    from launchready_ci.checks.env_inventory.check import EnvInventoryCheck

    return execute(checks=(EnvInventoryCheck,), **opts)


# --- init ------------------------------------------------------------------------------


def init(
    *,
    root: Path | None,
    config_path: str | None,
    output: str | None,
    force: bool,
    exclude: tuple[str, ...] = (),
    include_tests: bool = False,
) -> int:
    from launchready_ci.checks.env_inventory import scanning

    # git lists and searches the repository while Python loads the readers, the config
    # and the drafting code.
    started = scanning.start(resolve_root(root, config_path))
    session = open_session(started.root, config_path)

    from launchready_ci.checks.env_inventory import readers
    from launchready_ci.checks.env_inventory.draft import draft

    section = session.config.section("env") or {}
    path, display = _inventory_file(session, output)
    existed = path.exists()
    existing = None if force or not existed else _read(path, display)
    excluded = (*section.get("exclude", ()), *exclude)
    uses = readers.read_uses(session.root, excluded, started)
    result = draft(uses, existing, display, include_tests=include_tests)
    if existing is not None and not result.changed:
        echo(f"{display} already lists every variable the code needs")
        return 0
    _write_keeping_mode(path, display, result.text)
    names = ", ".join(result.added)
    if existing is not None:
        echo(
            f"added {_count(len(result.added), 'variable')} to {display}, its "
            f"{_count(result.kept, 'entry', 'entries')} unchanged: {names}"
        )
    else:
        verb = "replaced" if existed else "wrote"
        echo(f"{verb} {display} with {_count(len(result.added), 'variable')}: {names}")
    echo("next: fill in purpose and owner, check `secret:`, run `launchready env check`")
    return 0


def _write_keeping_mode(path: Path, display: str, text: str) -> None:
    from launchready_ci.fileio import atomic_write

    try:
        atomic_write(path, text)  # keeps an existing file's mode
    except OSError as exc:
        raise UsageError(f"cannot write {display}: {exc.strerror}") from None


# --- verify ----------------------------------------------------------------------------

#: ``$GITHUB_OUTPUT`` counts of ``env verify``: output name -> the rules it counts.
VERIFY_OUTPUTS: Mapping[str, frozenset[str]] = {
    "missing": frozenset({"env/missing-in-environment"}),
    "invalid": frozenset({"env/invalid-format"}),
    "unsafe": frozenset({"env/unsafe-for-environment"}),
    "shared": frozenset({"env/shared-secret"}),
}


def verify(
    *,
    environment: str,
    source: str | None,
    compare: str | None,
    production: bool | None,
    **opts: Any,
) -> int:
    from launchready_ci.checks.env_inventory.values import load_values
    from launchready_ci.checks.env_inventory.verify import EnvVerifyCheck

    if not environment.strip():
        raise UsageError("--environment needs a name, such as production or staging")
    environ = dict(os.environ)
    values = load_values(source, environ)
    other = load_values(compare, environ) if compare else None
    instance = EnvVerifyCheck(environment, values, other, production)
    sources = [values.values, *([other.values] if other else [])]
    secrets = _secret_values(opts["root"], opts["config_path"], sources)
    return execute(checks=(instance,), secret_values=secrets, extra_outputs=_verify_outputs, **opts)


def _secret_values(
    root: Path | None, config_path: str | None, sources: Iterable[Mapping[str, str]]
) -> list[str]:
    """Values to scrub from every output: those of secret-looking names and of inventory
    entries that do not say ``secret: false``.

    The verify check never puts a value into a finding; this is the last line of defence
    that ``launchready run`` has for the process environment, extended to the files.
    """
    from launchready_ci.redaction import is_secret_name

    try:
        session = open_session(root, config_path)
        path, display = _inventory_file(session, None)
        entries = _load(path, display).entries
    except LaunchreadyError:
        entries = {}
    return [
        value
        for values in sources
        for name, value in values.items()
        if is_secret_name(name) or (name in entries and entries[name].secret is not False)
    ]


def _verify_outputs(report: Report) -> dict[str, str]:
    rules = [f.rule_id for f in report.findings]
    return {name: str(sum(r in ids for r in rules)) for name, ids in VERIFY_OUTPUTS.items()}


# --- docs ------------------------------------------------------------------------------


def docs(*, root: Path | None, config_path: str | None, output: str | None, summary: bool) -> int:
    from launchready_ci.checks.env_inventory.docs import render
    from launchready_ci.redaction import Scrubber

    session = open_session(root, config_path)
    step_summary = session.github.step_summary
    if summary and not step_summary:
        raise UsageError("--summary needs $GITHUB_STEP_SUMMARY (set by GitHub Actions)")
    path, display = _inventory_file(session, None)
    if not path.is_file():
        raise UsageError(f"no inventory at {display}: draft one with `launchready env init`")
    inventory = _load(path, display)
    text = Scrubber(session.environ)(render(inventory))
    if output:
        write_text(output, text)
        echo(f"wrote {output} ({_count(len(inventory.entries), 'variable')})")
    if summary and step_summary:
        append_text(Path(step_summary), text)
    if not output and not summary:
        echo(text, nl=False)
    return 0


# --- shared ----------------------------------------------------------------------------


def _inventory_file(session: Session, output: str | None) -> tuple[Path, str]:
    """The inventory's path and how messages name it: ``output`` (relative to the working
    directory), else ``env.inventory`` of the config (inside the repository)."""
    if output:
        path = Path(output).resolve()
        try:
            return path, path.relative_to(session.root).as_posix()
        except ValueError:
            return path, output
    from launchready_ci.checks.env_inventory.model import DEFAULT_INVENTORY

    section = session.config.section("env") or {}
    configured = str(section.get("inventory", DEFAULT_INVENTORY))
    path = (session.root / configured).resolve()
    if not path.is_relative_to(session.root):
        raise UsageError(f"env.inventory {configured!r} must be a path inside the repository")
    return path, path.relative_to(session.root).as_posix()


def _read(path: Path, display: str) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{display} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read {display}: {exc.strerror}") from None


def _load(path: Path, display: str) -> Inventory:
    from launchready_ci.checks.env_inventory.inventory import load_inventory

    return load_inventory(_read(path, display), display)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
