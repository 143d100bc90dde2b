"""$GITHUB_OUTPUT lines, and the heredoc form for values with line breaks."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from launchready_ci.findings import Report
from launchready_ci.github.outputs import format_output
from launchready_ci.reporters import outputs
from tests.reporters.conftest import make_report


def parse_output_file(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file the way the runner does (simple and heredoc forms)."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq >= 0 and (heredoc < 0 or eq < heredoc):
            values[line[:eq]] = line[eq + 1 :]
            continue
        name, delim = line[:heredoc], line[heredoc + 2 :]
        body = list(itertools.takewhile(lambda x, d=delim: x != d, lines))  # type: ignore[misc]
        values[name] = "\n".join(body)
    return values


def test_render(report: Report) -> None:
    out = outputs.render(report, files={"sarif": "r.sarif", "markdown": "s.md"})
    assert parse_output_file(out) == {
        "result": "failed",
        "exit-code": "1",
        "findings": "5",
        "errors": "2",
        "warnings": "2",
        "notices": "1",
        "suppressed": "2",
        "skipped-checks": "env",
        "errored-checks": "migrations",
        "sarif-file": "r.sarif",
        "markdown-file": "s.md",
    }


def test_passed_with_findings() -> None:
    report = make_report(fail_on=None)
    assert parse_output_file(outputs.render(report))["result"] == "passed-with-findings"
    only_secrets = replace(make_report(), results=make_report().results[:1])
    assert parse_output_file(outputs.render(only_secrets))["result"] == "failed"


def test_unknown_file_key_is_refused(report: Report) -> None:
    with pytest.raises(ValueError):
        outputs.render(report, files={"html": "x.html"})


def test_one_line_values_use_the_heredoc_form_too() -> None:
    """A name=value line is one line break away from setting another output."""
    out = format_output("sarif-file", "a b=c", delimiter=lambda: "ghadelimiter_X")
    assert out == "sarif-file<<ghadelimiter_X\na b=c\nghadelimiter_X\n"
    assert parse_output_file(out) == {"sarif-file": "a b=c"}


def test_heredoc_for_line_breaks() -> None:
    out = format_output("list", "a\nb", delimiter=lambda: "ghadelimiter_X")
    assert out == "list<<ghadelimiter_X\na\nb\nghadelimiter_X\n"
    assert parse_output_file(out) == {"list": "a\nb"}
    assert format_output("cr", "a\rb", delimiter=lambda: "D").startswith("cr<<D\n")


def test_delimiter_found_in_value_is_not_used() -> None:
    candidates = iter(["EVIL", "EVIL", "SAFE"])
    out = format_output("x", "line\nEVIL\nrest", delimiter=lambda: next(candidates))
    assert out == "x<<SAFE\nline\nEVIL\nrest\nSAFE\n"


def test_random_delimiter_is_random_and_absent() -> None:
    a = format_output("x", "1\n2")
    b = format_output("x", "1\n2")
    assert a != b and a.startswith("x<<ghadelimiter_")


def test_no_usable_delimiter_raises() -> None:
    with pytest.raises(ValueError):
        format_output("x", "a\nD", delimiter=lambda: "D")


@pytest.mark.parametrize("name", ["", "a=b", "a<<b", "a\nb", "a b"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        format_output(name, "v")
