"""Workflow-command escaping, checked against the toolkit's rules and decoded the way the
runner decodes it."""

from __future__ import annotations

import pytest

from launchready_ci.github.commands import annotation, command, escape_data, escape_property

# The runner (actions/runner, ActionCommand.cs) unescapes in this order, "%25" last.
_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


def _unescape(text: str, mappings: tuple[tuple[str, str], ...]) -> str:
    for escaped, raw in mappings:
        text = text.replace(escaped, raw)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one workflow command line like the runner does (TryParseV2)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, props_text = info.partition(" ")
    props = {}
    if props_text:
        for pair in props_text.split(","):
            key, _, value = pair.partition("=")
            props[key] = _unescape(value, _PROPERTY)
    return name, props, _unescape(data, _DATA)


def test_escape_data_matches_the_toolkit() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"


def test_escape_property_matches_the_toolkit() -> None:
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"


def test_percent_is_escaped_first_so_escapes_are_not_doubled() -> None:
    assert escape_data("%0A") == "%250A"
    assert parse(command("notice", {}, "%0A literally"))[2] == "%0A literally"


@pytest.mark.parametrize(
    "message",
    ["plain", "a%b", "line1\nline2", "cr\rlf\r\n", "::error::forged", "x::y", "%3A%2C"],
)
def test_message_round_trips_and_stays_one_line(message: str) -> None:
    line = command("warning", {"file": "a:b,c.py", "title": "t%,:\n"}, message)
    assert "\n" not in line and "\r" not in line
    name, props, data = parse(line)
    assert (name, data) == ("warning", message)
    assert props == {"file": "a:b,c.py", "title": "t%,:\n"}


def test_none_and_empty_properties_are_left_out() -> None:
    assert command("error", {"file": None, "title": ""}, "m") == "::error::m"
    assert command("error", {"line": 0}, "m") == "::error line=0::m"


def test_bad_names_are_refused() -> None:
    with pytest.raises(ValueError):
        command("error x", {}, "m")
    with pytest.raises(ValueError):
        command("error", {"fi le": "x"}, "m")


def test_annotation_drops_columns_on_multi_line_regions() -> None:
    line = annotation("error", "m", file="a.py", line=1, end_line=3, col=2, end_column=5)
    assert line == "::error file=a.py,line=1,endLine=3::m"


def test_annotation_keeps_columns_on_one_line() -> None:
    line = annotation("notice", "m", file="a.py", line=4, end_line=4, col=2, end_column=5)
    assert line == "::notice file=a.py,line=4,endLine=4,col=2,endColumn=5::m"


def test_annotation_without_file_has_no_position() -> None:
    assert annotation("warning", "m", line=4, title="T") == "::warning title=T::m"


def test_annotation_level_is_checked() -> None:
    with pytest.raises(ValueError):
        annotation("fatal", "m")


def test_add_mask_masks_each_line_and_escapes_it() -> None:
    from launchready_ci.github.commands import add_mask

    lines = add_mask("p%ss\nsecond line\n\n").splitlines()
    assert lines[:2] == ["::add-mask::p%25ss", "::add-mask::second line"]
    assert add_mask("   ") == ""


def test_add_mask_masks_the_forms_a_server_echoes_too() -> None:
    from launchready_ci.github.commands import add_mask

    masked = {line.removeprefix("::add-mask::") for line in add_mask("hunter2 pass").splitlines()}
    assert {"hunter2 pass", "hunter2%2520pass", "hunter2+pass", "HUNTER2 PASS"} <= masked
    assert "aHVudGVyMiBwYXNz" in masked  # base64
    assert "68756e7465723220706173730a"[:-2] in masked  # hex
