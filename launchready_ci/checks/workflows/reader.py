"""Read the workflows as GitHub runs them: every ``.github/workflows/*.yml|*.yaml`` with the
positions of its keys, so each finding lands on its line; and the small accessors every
area of the review uses (jobs, steps, labels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchready_ci.config.yamlpos import LoadedYaml, format_key_path, load_yaml
from launchready_ci.errors import ConfigError
from launchready_ci.findings import Location

__all__ = ["WORKFLOWS", "Workflow", "jobs_of", "label", "read_workflows", "step_label", "steps_of"]

WORKFLOWS = ".github/workflows"


def jobs_of(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return {}
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}


def steps_of(job: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    steps = job.get("steps")
    if not isinstance(steps, list):
        return []
    return [(i, s) for i, s in enumerate(steps) if isinstance(s, dict)]


@dataclass(frozen=True)
class Workflow:
    """One workflow file, parsed, with the positions of its keys."""

    path: str  # relative to the repository root, "/" separators
    doc: LoadedYaml
    lines: tuple[str, ...]

    @property
    def file(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return jobs_of(self.data)

    def line(self, *key: str | int) -> int | None:
        """The line of a key (``"jobs", "deploy"``) or of a list item (``..., "steps", 2``)."""
        path = format_key_path(key)
        pos = self.doc.key_positions.get(path) or self.doc.positions.get(path)
        return pos[0] if pos else None

    def at(self, *key: str | int) -> Location:
        return Location(path=self.path, start_line=self.line(*key) or 1)


def read_workflows(root: Path) -> tuple[list[Workflow], list[str]]:
    """Every ``.github/workflows/*.yml|*.yaml`` (what GitHub runs), and the names of the
    files that could not be read as YAML."""
    folder = root / WORKFLOWS
    files = (
        sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
        if folder.is_dir()
        else []
    )
    workflows: list[Workflow] = []
    invalid: list[str] = []
    for file in files:
        rel = f"{WORKFLOWS}/{file.name}"
        try:
            raw = file.read_bytes()
            doc = load_yaml(raw, rel)
        except (OSError, ConfigError):
            invalid.append(file.name)
            continue
        if not isinstance(doc.data, dict):
            invalid.append(file.name)
            continue
        lines = tuple(raw.decode("utf-8").splitlines())
        workflows.append(Workflow(rel, doc, lines))
    return workflows, invalid


def label(wf: Workflow) -> str:
    name = wf.data.get("name")
    return f"{wf.file} ({name})" if isinstance(name, str) and name else wf.file


def step_label(index: int, step: Mapping[str, Any]) -> str:
    for key in ("name", "id", "uses"):
        if isinstance(step.get(key), str):
            return f"step {step[key]!r}"
    return f"step {index + 1}"
