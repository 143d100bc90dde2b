"""Value formats: each accepts what it documents, refuses the rest, and describes a
refusal without repeating the value; ``check_format`` never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from launchready_ci.checks.env_inventory.formats import (
    FORMAT_NAMES,
    Format,
    FormatError,
    check_format,
    parse_format,
)

GOOD: dict[str, list[str]] = {
    "url": [
        "https://api.clubhouse.app/v1?x=1#y",
        "http://10.0.0.7:8080",
        "redis://:pw@cache.internal:6379/0",
        "amqp://user@[2001:db8::1]:5672/vhost",
        "https://bücher.de/",
    ],
    "https-url": ["https://clubhouse.app", "HTTPS://clubhouse.app:8443/path"],
    "postgres-url": [
        "postgres://app:pw@db.internal:5432/app",
        "postgresql://db/app?sslmode=require",
        "postgresql:///app?host=/var/run/postgresql",
        "postgresql+psycopg://app@h1:5432,h2:5433/app",
        "postgres://app@[::1]/app",
    ],
    "email": ["ops@clubhouse.app", "first.last+tag@mail.clubhouse.app"],
    "hostname": ["db.internal", "localhost", "smtp.postmarkapp.com.", "10.1.2.3", "2001:db8::1"],
    "int": ["0", "8080", "-1", "+42"],
    "bool": ["true", "False", "1", "0", "YES", "no", "on", "Off"],
    "duration": [
        "30s",
        "500ms",
        "5m",
        "1h30m",
        "1.5h",
        "7d",
        "2w",
        "PT5M",
        "P1D",
        "P1DT12H",
        "PT0.5S",
        "P2W",
        "pt30s",
    ],
    "string": ["", "  anything at all  ", "\x00"],
}

BAD: dict[str, list[tuple[str, str]]] = {
    "url": [
        ("clubhouse.app/path", "is not a URL"),
        ("https://", "has no host"),
        ("https://clubhouse app", "spaces or control characters"),
        ("https://clubhouse.app:99999", "port"),
        ("https://clubhouse.app:http", "port"),
        ("https://[2001:db8::1/", "IPv6"),
        ("https://[zz::1]/", "IPv6"),
        ("1https://clubhouse.app", "is not a URL"),
    ],
    "https-url": [
        ("http://clubhouse.app", "is not an https URL (it uses plain http)"),
        ("ftp://clubhouse.app", "another scheme"),
        ("clubhouse.app", "is not a URL"),
    ],
    "postgres-url": [
        ("mysql://db/app", "scheme is not postgres"),
        ("postgresdb.internal", "is not a PostgreSQL URL"),
        ("postgres://db:port/app", "port"),
        ("postgres://h1:5432,/app", "has no host"),
    ],
    "email": [
        ("ops", "is not an email address"),
        ("ops@localhost", "is not an email address"),
        ("@clubhouse.app", "is not an email address"),
        ("ops@@clubhouse.app", "is not an email address"),
        ("o ps@clubhouse.app", "is not an email address"),
        (".ops@clubhouse.app", "is not an email address"),
    ],
    "hostname": [
        ("db_internal", "is not a hostname"),
        ("-db.internal", "is not a hostname"),
        ("https://db.internal", "is not a hostname"),
        ("999.1.1.1", "is not a hostname"),
        ("a" * 64 + ".internal", "is not a hostname"),
    ],
    "int": [("1.5", "is not an integer"), ("1e3", "is not an integer"), ("٣", "is not an integer")],
    "bool": [("maybe", "is not a boolean"), ("truthy", "is not a boolean")],
    "duration": [
        ("30", "without a unit"),
        ("5 m", "is not a duration"),
        ("P", "is not a duration"),
        ("PT", "is not a duration"),
        ("P1DT", "is not a duration"),
        ("5M", "is not a duration"),
        ("soon", "is not a duration"),
    ],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in table.items() for value in values]


@pytest.mark.parametrize(("name", "value"), _cases(GOOD))
def test_good_values_pass(name: str, value: str) -> None:
    assert check_format(parse_format(name), value) is None


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [(name, value, expected) for name, items in BAD.items() for value, expected in items],
)
def test_bad_values_are_described_without_the_value(name: str, value: str, expected: str) -> None:
    problem = check_format(parse_format(name), value)
    assert problem is not None
    assert expected in problem
    if len(value) >= 6:
        assert value not in problem


@pytest.mark.parametrize("name", [n for n in FORMAT_NAMES if n != "string"])
def test_every_format_but_string_refuses_empty_and_padded_values(name: str) -> None:
    fmt = parse_format(name)
    assert check_format(fmt, "") == "is empty"
    good = GOOD[name][0]
    assert check_format(fmt, good + "\n") == "has leading or trailing whitespace"
    assert check_format(fmt, " " + good) == "has leading or trailing whitespace"


def test_enum_is_exact() -> None:
    fmt = parse_format({"enum": ["info", "warn", "error"]})
    assert fmt == Format("enum", choices=("info", "warn", "error"))
    assert check_format(fmt, "warn") is None
    assert check_format(fmt, "WARN") == "is not one of the allowed values: info, warn, error"


def test_regex_matches_the_whole_value() -> None:
    fmt = parse_format({"regex": "[a-z]{3}-[0-9]+"})
    assert check_format(fmt, "eur-12") is None
    assert check_format(fmt, "eur-12x") == "does not match the regex [a-z]{3}-[0-9]+"
    assert check_format(fmt, "xeur-12") is not None


def test_a_catastrophic_regex_checks_a_value_in_linear_time() -> None:
    # Python's re backtracks for minutes on this; RE2 answers at once.
    fmt = parse_format({"regex": "(a+)+$"})
    assert check_format(fmt, "a" * 40 + "!") == "does not match the regex (a+)+$"


@pytest.mark.parametrize(
    ("raw", "message", "key"),
    [
        ("integer", "unknown format 'integer'", ""),
        ({"regex": "(?<=x)y"}, "lookahead, lookbehind and backreferences", "regex"),
        ({"regex": "(unclosed"}, "the regex does not compile: missing )", "regex"),
        ({"regex": ""}, "expected a regular expression", "regex"),
        ({"enum": []}, "expected a non-empty list of strings", "enum"),
        ({"enum": "a"}, "expected a non-empty list of strings", "enum"),
        ({"enum": [1, 2]}, "expected a non-empty list of strings", "enum"),
        ({"choices": ["a"]}, "unknown key 'choices'", ""),
        ({"enum": ["a"], "regex": "a"}, "one key", ""),
        (3, "one key", ""),
    ],
)
def test_parse_format_errors(raw: object, message: str, key: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_format(raw)
    assert message in info.value.message
    assert info.value.key == key


def test_describe() -> None:
    assert str(parse_format("https-url")) == "https-url"
    assert parse_format({"enum": ["a", "b"]}).describe() == "enum (a, b)"
    assert parse_format({"regex": "x+"}).describe() == "regex x+"


_FORMATS = [
    *(parse_format(n) for n in FORMAT_NAMES),
    parse_format({"enum": ["a", "b"]}),
    parse_format({"regex": "(a|b)*c"}),
    Format("no-such-format"),
]


@settings(max_examples=300, deadline=None)
@given(value=st.text(), fmt=st.sampled_from(_FORMATS))
def test_check_format_never_raises(value: str, fmt: Format) -> None:
    problem = check_format(fmt, value)
    assert problem is None or isinstance(problem, str)


_URLISH = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["http://", "https://", "postgres://", "postgresql+x://", "", "mailto:"]),
    st.text(alphabet=st.sampled_from(list("ab1:@[]/.,%?#-_ \n\x00é")), max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(value=_URLISH, fmt=st.sampled_from(_FORMATS))
def test_check_format_never_raises_on_url_like_text(value: str, fmt: Format) -> None:
    problem = check_format(fmt, value)
    assert problem is None or isinstance(problem, str)


@settings(max_examples=200, deadline=None)
@given(
    raw=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=2),
        max_leaves=6,
    )
)
def test_parse_format_gives_a_format_or_a_format_error(raw: object) -> None:
    try:
        fmt = parse_format(raw)
    except FormatError:
        return
    assert isinstance(fmt, Format)
