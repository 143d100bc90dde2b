"""Every reporter against its golden file, on the same fixed report (see conftest)."""

from __future__ import annotations

import re
from collections.abc import Callable

from launchready_ci.findings import Report
from launchready_ci.reporters import annotations as annotations_r
from launchready_ci.reporters import json, outputs, sarif, summary, text


def test_text(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.txt", text.render(report))


def test_text_color(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.color.txt", text.render(report, color=True))


def test_annotations(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("annotations.txt", annotations_r.render(report))


def test_summary(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("summary.md", summary.render(report))


def test_sarif(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.sarif", sarif.render(report))


def test_json(report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.json", json.render(report))


def test_outputs(report: Report, golden: Callable[[str, str], None]) -> None:
    files = {"sarif": "launchready.sarif", "json": "out/launchready.json"}
    # Every value in the heredoc form; the delimiters are random, the file shows DELIM.
    text = re.sub(r"ghadelimiter_[0-9a-f-]{36}", "DELIM", outputs.render(report, files=files))
    golden("outputs.txt", text)
