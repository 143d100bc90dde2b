"""The IO half of ``launchready run``: config, context, reporters, files, exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from launchready_ci import config as config_mod
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.errors import UsageError
from launchready_ci.findings import Report
from launchready_ci.redaction import Scrubber
from launchready_ci.runner import RunOptions, run
from launchready_ci.suppressions import atomic_write, load_baseline, write_baseline

__all__ = ["execute"]


def execute(
    *,
    root: Path | None,
    config_path: str | None,
    only: tuple[str, ...],
    fail_on: str | None,
    baseline: str | None,
    write_baseline: str | None,
    sarif: str | None,
    json_path: str | None,
    markdown: str | None,
    summary: bool | None,
    annotations: bool | None,
    color: bool | None,
    quiet: bool,
    debug: bool,
) -> int:
    from launchready_ci.reporters import annotations as annotations_r
    from launchready_ci.reporters import json as json_r
    from launchready_ci.reporters import outputs as outputs_r
    from launchready_ci.reporters import sarif as sarif_r
    from launchready_ci.reporters import summary as summary_r
    from launchready_ci.reporters import text as text_r

    environ = dict(os.environ)
    github = GitHubEnv.from_environ(environ)
    root = (root or Path(github.workspace or ".")).resolve()
    if not root.is_dir():
        raise UsageError(f"--root {root} is not a directory")
    config = config_mod.load(root, config_path)
    baseline_path = baseline or config.baseline
    ctx = RunContext(root=root, config=config, github=github, environ=environ)
    options = RunOptions(
        only=only,
        fail_on=fail_on.lower() if fail_on else None,
        baseline=load_baseline(root, baseline_path) if baseline_path else None,
        debug=debug,
    )
    report = run(ctx, options)
    scrub = Scrubber(environ)

    written: dict[str, str] = {}
    for path, render in ((sarif, sarif_r.render), (json_path, json_r.render)):
        if path:
            _write(root, path, scrub(render(report)))
            written["sarif" if render is sarif_r.render else "json"] = path
    markdown_text: str | None = None
    if markdown:
        markdown_text = scrub(summary_r.render(report))
        _write(root, markdown, markdown_text)
        written["markdown"] = markdown
    if write_baseline:
        write_baseline_file(root, write_baseline, report)
        written["baseline"] = write_baseline

    if not quiet:
        use_color = color if color is not None else _isatty() and "NO_COLOR" not in environ
        click.echo(scrub(text_r.render(report, color=use_color)), nl=False)
    if annotations if annotations is not None else github.actions:
        where = "the job summary" if github.step_summary else "the terminal report"
        click.echo(scrub(annotations_r.render(report, more_at=where)), nl=False)
    if (summary if summary is not None else bool(github.step_summary)) and github.step_summary:
        text = markdown_text if markdown_text is not None else scrub(summary_r.render(report))
        _append(Path(github.step_summary), text)
    if github.output:
        _append(Path(github.output), scrub(outputs_r.render(report, files=written)))
    return report.exit_code


def write_baseline_file(root: Path, path: str, report: Report) -> None:
    full = Path(path) if Path(path).is_absolute() else root / path
    write_baseline(full, report.findings)


def _write(root: Path, path: str, text: str) -> None:
    full = Path(path) if Path(path).is_absolute() else Path.cwd() / path
    try:
        atomic_write(full, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _append(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot append to {path}: {exc.strerror}") from None


def _isatty() -> bool:
    return sys.stdout.isatty()
