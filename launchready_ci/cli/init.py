"""``launchready init``: adopt launchready on an existing repository in one command.

It looks at the repository (:func:`launchready_ci.adoption.survey`), writes a commented
launchready.yml with the sections that apply, drafts env-inventory.yml, records a
baseline of today's findings and prints the next three steps. A file that exists is kept
byte for byte unless ``--force``; so a second run changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from launchready_ci.cli._common import ROOT, guard, record_baseline
from launchready_ci.errors import UsageError
from launchready_ci.github.console import echo

__all__ = ["init"]


@click.command()
@ROOT
@click.option(
    "--force", is_flag=True, help="Replace launchready.yml, the inventory and the baseline."
)
@guard
def init(**opts: Any) -> int:
    """Set launchready up on this repository: launchready.yml for what is here, a drafted
    env-inventory.yml, a baseline of today's findings, and the next three steps.

    Existing files are kept byte for byte (use --force to replace them); a second run
    changes nothing. Exit status: 0 done, 2 usage or config error.
    """
    return run_init(opts["root"], force=opts["force"])


def run_init(root: Path | None, *, force: bool) -> int:
    from launchready_ci import adoption
    from launchready_ci.checks.env_inventory.check import DEFAULT_INVENTORY
    from launchready_ci.checks.env_inventory.draft import draft
    from launchready_ci.checks.env_inventory.readers import read_uses
    from launchready_ci.checks.files import iter_files
    from launchready_ci.checks.workflows.deploy import deploy_jobs
    from launchready_ci.checks.workflows.reader import read_workflows
    from launchready_ci.config.loader import CONFIG_CANDIDATES, load
    from launchready_ci.fileio import atomic_write, read_limited

    top = _repository_top((root or Path.cwd()).resolve())
    files = list(iter_files(top))
    workflows, _ = read_workflows(top)
    deploying = {w.path for w in workflows if deploy_jobs(w.data, w.file)}
    found = adoption.survey(
        files, lambda rel: read_limited(top / rel).text, lambda rel: rel in deploying
    )
    uses = list(read_uses(top))
    drafted = draft(uses)
    has_variables = bool(drafted.added)
    said: list[str] = []

    existing = next((c for c in CONFIG_CANDIDATES if (top / c).is_file()), None)
    config_rel = existing or "launchready.yml"
    if existing and not force:
        said.append(f"kept {existing}")
    else:
        inventory = DEFAULT_INVENTORY if has_variables else None
        _write(top / config_rel, adoption.render_config(found, inventory=inventory), atomic_write)
        said.append(
            f"{'replaced' if existing else 'wrote'} {config_rel} ({_sections(found, inventory)})"
        )
    config = load(top, None)
    section = config.section("env") or {}
    inventory_rel = str(section.get("inventory", DEFAULT_INVENTORY))
    inventory_path = (top / inventory_rel).resolve()
    if not inventory_path.is_relative_to(top):
        raise UsageError(f"env.inventory {inventory_rel!r} must be a path inside the repository")
    if has_variables and (force or not inventory_path.exists()):
        _write(inventory_path, drafted.text, atomic_write)
        said.append(f"drafted {inventory_rel} ({len(drafted.added)} variables)")
    elif inventory_path.exists():
        said.append(f"kept {inventory_rel}")

    baseline_rel = config.baseline or adoption.BASELINE_FILE
    baseline_path = (top / baseline_rel).resolve()
    if not baseline_path.is_relative_to(top):
        raise UsageError(f"baseline {baseline_rel!r} must be a path inside the repository")
    if force or not baseline_path.exists():
        count = _record_baseline(top, baseline_path)
        said.append(
            f"recorded {baseline_rel}: {count:,} entries for today's findings (a finding "
            "repeated in one file is one entry, so a run can hold back more findings than that)"
        )
    else:
        said.append(f"kept {baseline_rel}")
    if not config.baseline:
        said.append(f"note: {config_rel} has no `baseline:`; add `baseline: {baseline_rel}`")
    inventory_note = inventory_rel if inventory_path.exists() else None
    _say(said, adoption.next_steps(found, inventory=inventory_note, config=config_rel))
    return 0


def _say(done: list[str], steps: list[str]) -> None:
    for line in done:
        echo(line)
    echo("next:")
    for n, step in enumerate(steps, 1):
        echo(f"  {n}. {step}")


def _record_baseline(top: Path, path: Path) -> int:
    """Run every enabled check and record its findings in ``path``; how many there were."""
    record_baseline(top, path)
    return len(json.loads(path.read_text(encoding="utf-8"))["findings"])


def _repository_top(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _sections(found: Any, inventory: str | None) -> str:
    names = ["secrets"]
    if inventory:
        names.append("env")
    if found.linted_migrations:
        names.append("migrations")
    return ", ".join(names)


def _write(path: Path, text: str, writer: Any) -> None:
    try:
        writer(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path.name}: {exc.strerror}") from None
