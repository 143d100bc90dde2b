"""Annotations: levels, escaping, locations and GitHub's per-step cap."""

from __future__ import annotations

from dataclasses import replace

from launchready_ci.findings import Confidence, Finding, Location, Report, Severity
from launchready_ci.reporters import annotations as annotations_r
from launchready_ci.rules import all_rules
from tests.reporters.conftest import NASTY, make_report
from tests.reporters.test_github_commands import parse


def _lines(report: Report, **kwargs: object) -> list[str]:
    out = annotations_r.render(report, **kwargs)  # type: ignore[arg-type]
    assert out == "" or out.endswith("\n")
    return out.splitlines()


def test_levels_follow_severity_and_errored_check_comes_first(report: Report) -> None:
    names = [parse(line)[0] for line in _lines(report)]
    assert names == ["error", "error", "error", "warning", "warning", "notice"]
    _name, props, message = parse(_lines(report)[0])
    assert props["title"] == "launchready: migrations check errored"
    assert "localhost:5432" in message


def test_file_finding_has_escaped_position_and_round_trips(report: Report) -> None:
    line = next(line for line in _lines(report) if "secret-assignment" in line)
    assert "file=config/prod%3Aeu%2C1 #x.env,line=3,endLine=3,col=1,endColumn=30," in line
    assert "100%25 sure" in line and "%0D%0A" in line
    assert "\r" not in line and "\x1b" not in line
    _name, props, message = parse(line)
    assert props["file"] == "config/prod:eu,1 #x.env"
    assert props["title"].startswith("secrets/secret-assignment: A literal value")
    expected = NASTY.replace("\x1b", "\\x1b")
    assert message.startswith(expected + "\n\nFix: ")
    assert message.endswith("docs/rules/secrets/secret-assignment.md")


def test_target_finding_has_no_file_and_names_the_target(report: Report) -> None:
    _name, props, message = parse(_lines(report)[-1])
    assert "file" not in props and "line" not in props
    assert message.startswith("hostname staging.example.com: Ignore of secrets/*")


def _many(n: int, severity: Severity) -> list[Finding]:
    rule = all_rules()["secrets/secret-assignment"]
    return [
        rule.finding(
            f"{severity.label} {i}",
            Location(path=f"f{i:03d}.py", start_line=1),
            severity=severity,
            confidence=Confidence.HIGH,
        )
        for i in range(n)
    ]


def _report_with(findings: list[Finding]) -> Report:
    base = make_report(tuple(findings))
    # Only the secrets check: no errored-check annotation in the counts.
    return replace(base, results=base.results[:1])


def test_cap_keeps_ten_per_level_and_says_how_many_more() -> None:
    findings = _many(25, Severity.ERROR) + _many(12, Severity.WARNING) + _many(3, Severity.NOTICE)
    lines = _lines(_report_with(findings), more_at="the job summary")
    names = [parse(line)[0] for line in lines]
    assert names == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 3 + ["notice"]
    _name, props, message = parse(lines[-1])
    assert props == {"title": "launchready: more findings"}
    assert message.startswith("17 more annotations (15 errors, 2 warnings) not shown")
    assert message.endswith("Read every finding in the job summary.")
    # Most severe first: the first error lines are the first findings.
    assert parse(lines[0])[2].startswith("error 0")


def test_cap_keeps_a_notice_slot_for_the_more_notice() -> None:
    findings = _many(11, Severity.ERROR) + _many(10, Severity.NOTICE)
    names = [parse(line)[0] for line in _lines(_report_with(findings), more_at="the log")]
    assert names.count("error") == 10
    assert names.count("notice") == 10  # 9 findings + the summary notice: within GitHub's 10
    assert "2 more annotations (1 error, 1 notice)" in _lines(_report_with(findings))[-1]


def test_no_more_notice_when_everything_fits() -> None:
    findings = _many(10, Severity.ERROR) + _many(10, Severity.WARNING) + _many(10, Severity.NOTICE)
    lines = _lines(_report_with(findings))
    assert len(lines) == 30
    assert "more annotation" not in lines[-1]


def test_per_level_limit_is_configurable() -> None:
    lines = _lines(_report_with(_many(5, Severity.WARNING)), per_level_limit=2)
    assert [parse(line)[0] for line in lines] == ["warning", "warning", "notice"]
    assert "3 more annotations (3 warnings)" in lines[-1]


def test_empty_report_renders_nothing() -> None:
    assert annotations_r.render(_report_with([])) == ""


def test_on_a_pull_request_the_changed_lines_come_first_within_each_level() -> None:
    """GitHub shows ten annotations of a level per step: the ones on the lines the pull
    request changed must be among them, then the ones in the files it changed."""
    errors = _many(15, Severity.ERROR)
    changed = {errors[13].location.path: frozenset({errors[13].location.start_line})}
    changed |= {errors[14].location.path: frozenset({9999})}  # the file, not the line
    lines = _lines(_report_with(errors), changed=changed)
    messages = [parse(line)[2] for line in lines if parse(line)[0] == "error"]
    assert messages[0].startswith("error 13") and messages[1].startswith("error 14")
    assert messages[2].startswith("error 0"), "the rest in their usual order"
    assert _lines(_report_with(errors))[0] != lines[0], "without a pull request: as before"
