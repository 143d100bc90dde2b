#!/usr/bin/env python3
"""Write every bash/sh ``run:`` block of GitHub workflows and composite actions to a file.

    python scripts/extract_run_scripts.py --out DIR [--forbid-expressions] FILE...

Prints the written paths, one a line, for ``shellcheck``. Each script starts with a
shebang for its shell and a comment naming the YAML file, line and step it came from.
``${{ ... }}`` expressions become ``${GITHUB_EXPRESSION}`` so that shellcheck can parse
the rest; with ``--forbid-expressions`` any expression in a ``run:`` block is an error
instead, because inputs and step outputs must reach scripts through ``env:`` (an
expression is pasted into the script before bash parses it: a template injection).
Steps in pwsh, python, cmd or a custom shell are left out. Exit status: 0, or 1 when
an expression was forbidden or a file could not be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
PLACEHOLDER = "${GITHUB_EXPRESSION}"
SHELLS = {"bash": "bash", "sh": "sh"}


@dataclass(frozen=True)
class RunBlock:
    source: Path
    line: int
    where: str  # "job build, step 3 (Run tests)" or "step 2 (Install)"
    shell: str
    script: str


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _default_shell(node: yaml.Node) -> str | None:
    return _scalar(_get(_get(_get(node, "defaults"), "run"), "shell"))


def _steps(
    steps: yaml.Node | None, where: str, shell: str | None
) -> Iterator[tuple[yaml.Node, str, str]]:
    if not isinstance(steps, yaml.SequenceNode):
        return
    for index, step in enumerate(steps.value, 1):
        run = _get(step, "run")
        if run is None:
            continue
        name = _scalar(_get(step, "name")) or _scalar(_get(step, "id")) or ""
        label = f"{where}step {index}" + (f" ({name})" if name else "")
        step_shell = _scalar(_get(step, "shell")) or shell or "bash"
        yield run, label, step_shell


def run_blocks(path: Path) -> Iterator[RunBlock]:
    """Every ``run:`` block of a workflow or composite action, with its shell."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    if root is None:
        return
    found: list[tuple[yaml.Node, str, str]] = []
    runs = _get(root, "runs")
    if runs is not None:  # an action; only composite actions have steps
        found.extend(_steps(_get(runs, "steps"), "", None))
    jobs = _get(root, "jobs")
    if isinstance(jobs, yaml.MappingNode):
        workflow_shell = _default_shell(root)
        for job_key, job in jobs.value:
            runs_on = str(_scalar(_get(job, "runs-on")) or "")
            shell = _default_shell(job) or workflow_shell
            if shell is None and runs_on.startswith("windows"):
                shell = "pwsh"
            found.extend(_steps(_get(job, "steps"), f"job {job_key.value}, ", shell))
    for run, label, shell in found:
        program = shell.split()[0]
        if program not in SHELLS or not isinstance(run, yaml.ScalarNode):
            continue
        yield RunBlock(path, run.start_mark.line + 1, label, SHELLS[program], run.value)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the scripts")
    parser.add_argument("--forbid-expressions", action="store_true")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    count = 0
    for path in args.files:
        try:
            blocks = list(run_blocks(path))
        except (OSError, yaml.YAMLError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            status = 1
            continue
        for block in blocks:
            expressions = EXPRESSION.findall(block.script)
            if expressions and args.forbid_expressions:
                for expr in expressions:
                    print(
                        f"{path}:{block.line}: {block.where}: {expr} inside run:"
                        " pass it through env: instead",
                        file=sys.stderr,
                    )
                status = 1
            count += 1
            target = args.out / f"{count:03d}-{_slug(str(path))}-{_slug(block.where)}.sh"
            header = f"#!/usr/bin/env {block.shell}\n# {path}:{block.line}: {block.where}\n"
            target.write_text(header + EXPRESSION.sub(PLACEHOLDER, block.script), "utf-8")
            print(target)
    return status


if __name__ == "__main__":
    sys.exit(main())
