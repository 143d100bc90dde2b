"""The one path to stdout and stderr (launchready_ci.github.console): what the runner
would read as a workflow command never gets through, except the commands launchready
writes on purpose; checked with the runner's own parsing (tests.helpers.log_commands)."""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.findings import CheckResult, CheckStatus, Location, Report, Severity
from launchready_ci.github.commands import annotation, neutralise, starts_command
from launchready_ci.github.console import GuardedStream, echo, guarded
from launchready_ci.reporters import FORMATS
from launchready_ci.reporters import annotations as annotations_r
from launchready_ci.rules import all_rules
from tests.helpers import log_commands

# --- neutralise ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("::error::x\n", "\\::error::x\n"),
        ("   ::add-mask::x\n", "   \\::add-mask::x\n"),
        ("\t::stop-commands::t", "\t\\::stop-commands::t"),
        ("a ##[add-mask]b\n", "a ##\\[add-mask]b\n"),
        ("a\r::error::x", "a\\r\\::error::x"),
        ("a\r\nb\n", "a\nb\n"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\u202eevil", "\\u202eevil"),
        ("x\u2028::error::y", "x\\u2028::error::y"),
        ("a: b :: c\n", "a: b :: c\n"),
    ],
)
def test_what_the_runner_would_read_as_a_command_is_neutralised(text: str, expected: str) -> None:
    assert neutralise(text) == expected
    assert neutralise(expected) == expected  # idempotent
    assert log_commands(neutralise(text)) == []


def test_only_the_named_commands_launchready_built_get_through() -> None:
    line = annotation("error", "bad\n::add-mask::x", file="a.py", line=1) + "\n"
    mask = "::add-mask::hunter2\n"
    assert neutralise(line, commands={"error"}) == line
    assert neutralise(mask, commands={"error"}) == "\\" + mask
    assert neutralise(" " + line, commands={"error"}).startswith(" \\::")  # never indented
    assert neutralise(mask, commands={"add-mask"}) == mask


def test_colour_is_kept_only_when_asked_and_outside_actions_nothing_else_changes() -> None:
    painted = "\x1b[1;31merror\x1b[0m ::x\n"
    assert neutralise(painted, color=True) == painted
    assert neutralise(painted, actions=False) == "\\x1b[1;31merror\\x1b[0m ::x\n"
    assert neutralise("::error::x\r", actions=False) == "::error::x\r"
    assert neutralise("\x1b]0;title\x07", color=True) == "\\x1b]0;title\\x07"


# --- the stream -----------------------------------------------------------------------------


def test_a_command_cannot_be_assembled_from_two_writes() -> None:
    raw = io.StringIO()
    stream = GuardedStream(raw, actions=True)
    for part in ("a #", "#[add-mask]x\n", "  ", ":", ":error::y", "\r", "\n", "tail ::"):
        stream.write(part)
    stream.finish()
    assert raw.getvalue() == "a ##\\[add-mask]x\n  \\::error::y\ntail ::"
    assert log_commands(raw.getvalue()) == []


def test_the_guard_covers_what_click_prints_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from launchready_ci.cli import cli

    done = CliRunner().invoke(cli, ["run", "--fail-on", "x ##[add-mask]y"], env=_ACTIONS)
    assert done.exit_code == 2
    assert "##\\[add-mask]y" in done.output
    assert log_commands(done.output) == []


def test_echo_without_a_guard_still_neutralises(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.StringIO()
    monkeypatch.setattr("sys.stdout", raw)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    echo("x\n::error::y", nl=False)
    assert raw.getvalue() == "x\n\\::error::y"


def test_guarded_restores_the_streams() -> None:
    import sys

    before = sys.stdout, sys.stderr
    with guarded({"GITHUB_ACTIONS": "true"}):
        assert isinstance(sys.stdout, GuardedStream)
    assert (sys.stdout, sys.stderr) == before


# --- the property: no reporter's output starts a command under Actions ----------------------

_ACTIONS = {"GITHUB_ACTIONS": "true"}
_BREAKS = st.sampled_from(["\n", "\r", "\r\n", "\u2028", "\x85", "\x0b", "\x0c", "\x1c"])
_STARTS = st.sampled_from(["::", " ::", "\t::", "##[", "::add-mask::", "::stop-commands::"])
_NAMES = st.sampled_from(["error", "warning", "notice", "add-mask", "set-output", "group"])
_HOSTILE = st.lists(
    st.one_of(
        st.text(max_size=12),
        _BREAKS,
        _STARTS,
        _NAMES,
        st.sampled_from(["\x1b[2K", "\x1b]8;;x\x07", "%0A", "%3A%3A", "]", ",", "title=F"]),
    ),
    max_size=10,
).map("".join)
_RULES = sorted(all_rules())


@st.composite
def hostile_reports(draw: st.DrawFn) -> Report:
    findings = []
    for _ in range(draw(st.integers(0, 4))):
        rule = all_rules()[draw(st.sampled_from(_RULES))]
        path = draw(_HOSTILE) or "x"
        if draw(st.booleans()):
            location = Location(path=path, start_line=draw(st.integers(1, 9)))
        else:
            location = Location(target=path, target_kind=draw(_HOSTILE) or "hostname")
        identifier = draw(_HOSTILE)  # a SQL identifier, a field name, a header...
        message = f"{draw(_HOSTILE)} {identifier!s} on {draw(_HOSTILE)}"
        findings.append(rule.finding(message, location, content=identifier))
    results = (
        CheckResult(
            check_id="secrets",
            title="Secrets",
            status=CheckStatus.FAILED if findings else CheckStatus.PASSED,
            findings=tuple(findings),
            scope=draw(_HOSTILE),
            measurements=(("Step", "Result"), (draw(_HOSTILE), draw(_HOSTILE))),
        ),
        CheckResult(
            check_id="smoke",
            title="Smoke",
            status=draw(st.sampled_from([CheckStatus.ERRORED, CheckStatus.SKIPPED])),
            reason=draw(_HOSTILE),
        ),
    )
    return Report(
        tool_version="0",
        results=results,
        fail_on=Severity.ERROR,
        config_path=draw(_HOSTILE) or None,
    )


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _printed(text: str, *, commands: frozenset[str] = frozenset(), color: bool = False) -> str:
    """What the job log gets when the CLI prints ``text`` as it prints a report."""
    raw = io.StringIO()
    with _environ(_ACTIONS):
        import sys

        saved = sys.stdout
        sys.stdout = raw
        try:
            with guarded():
                echo(text, nl=False, commands=commands, color=color)
        finally:
            sys.stdout = saved
    return raw.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=hostile_reports(), color=st.booleans())
def test_no_reporter_under_actions_emits_a_line_that_starts_a_command(
    report: Report, color: bool
) -> None:
    for name, module in FORMATS.items():
        render = importlib.import_module(module).render
        text = render(report, color=color) if name == "text" else render(report)
        allowed = annotations_r.COMMANDS if name == "annotations" else frozenset()
        out = _printed(text, commands=allowed, color=color and name == "text")
        assert "\x1b" not in out.replace("\x1b[", "") or color
        found = log_commands(out)
        if name != "annotations":
            assert found == [], (name, [c.line for c in found])
            continue
        # Exactly the annotations the reporter meant: one per line it wrote, each with
        # the title it gave (a rule id or launchready's own), nothing indented.
        assert len(found) == text.count("\n")
        for command in found:
            assert command.line.startswith(f"::{command.name} ")
            assert command.name in allowed
            title = command.properties.get("title", "")
            assert title.startswith("launchready: ") or title.split(":")[0] in all_rules()
        lines = out.split("\n")
        assert not any(starts_command(line) and not line.startswith("::") for line in lines)
