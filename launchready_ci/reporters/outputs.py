"""Step outputs for ``$GITHUB_OUTPUT``: the verdict and counts, for later steps'
``if:`` conditions and for the composite actions' ``outputs:``.

Names use dashes like every action input and output here. File outputs are present
only for files the CLI wrote (``files`` keys: ``sarif``, ``json``, ``markdown``,
``baseline``).
"""

from __future__ import annotations

from collections.abc import Mapping

from launchready_ci.findings import CheckStatus, Report
from launchready_ci.github.outputs import format_output

__all__ = ["FILE_OUTPUTS", "render"]

#: ``files`` key -> output name.
FILE_OUTPUTS = {
    "sarif": "sarif-file",
    "json": "json-file",
    "markdown": "markdown-file",
    "baseline": "baseline-file",
}

_NO_FILES: Mapping[str, str] = {}


def render(report: Report, *, files: Mapping[str, str] = _NO_FILES) -> str:
    counts = report.counts()
    values: list[tuple[str, str]] = [
        ("result", report.result),
        ("exit-code", str(report.exit_code)),
        ("findings", str(sum(counts.values()))),
        ("errors", str(counts["error"])),
        ("warnings", str(counts["warning"])),
        ("notices", str(counts["notice"])),
        ("suppressed", str(report.suppressed)),
        ("skipped-checks", _ids(report, CheckStatus.SKIPPED)),
        ("errored-checks", _ids(report, CheckStatus.ERRORED)),
    ]
    unknown = sorted(set(files) - set(FILE_OUTPUTS))
    if unknown:
        raise ValueError(f"unknown file output key(s): {', '.join(unknown)}")
    values.extend((name, files[key]) for key, name in FILE_OUTPUTS.items() if key in files)
    return "".join(format_output(name, value) for name, value in values)


def _ids(report: Report, status: CheckStatus) -> str:
    return ",".join(r.check_id for r in report.results if r.status is status)
