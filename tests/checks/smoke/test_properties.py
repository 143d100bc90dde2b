"""Properties of the smoke spec and its tests: any `smoke:` section yields a spec or a
ConfigError with a line (never a traceback), and the value tests never raise."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.checks.smoke.assertions import MISSING, check
from launchready_ci.checks.smoke.spec import read_spec
from launchready_ci.config import load
from launchready_ci.errors import ConfigError

KEYS = [
    "journeys", "name", "steps", "url", "method", "json", "form", "body", "headers",
    "capture", "expect", "status", "regex", "cookie", "header", "matches", "contains",
    "budget", "kind", "readiness", "version", "version_json", "runs", "timeout",
    "connect_timeout", "max_body", "redirects", "version_header",
]  # fmt: skip
TEMPLATES = ["{{ token }}", "{{ env.PASSWORD }}", "{{", "$.a[", "$.user.id", "(", "2xx", "GET"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 700),
    st.text(max_size=12),
    st.sampled_from(TEMPLATES),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=4),
    ),
    max_leaves=25,
)
step = st.fixed_dictionaries(
    {"url": st.sampled_from(["/", "/api/{{ token }}", "https://x.test/a"])},
    optional={
        "method": st.sampled_from(["GET", "POST", "PATCH", "BREW"]),
        "capture": st.dictionaries(
            st.sampled_from(["token", "t-1", "code"]),
            st.dictionaries(st.sampled_from(["json", "regex", "header", "url"]), scalars),
            max_size=2,
        ),
        "expect": st.dictionaries(st.sampled_from(["status", "json", "body", "url"]), values),
        "headers": st.dictionaries(st.text(max_size=5), st.sampled_from(TEMPLATES)),
        "json": values,
        "form": values,
        "budget": st.sampled_from(["300ms", "1s", "fast", 2, "none", None]),
        "runs": scalars,
        "timeout": st.sampled_from(["300ms", "0s", "soon", -1, 2.5]),
        "connect_timeout": scalars,
        "max_body": scalars,
        "redirects": scalars,
    },
)
sections = st.one_of(
    values,
    st.fixed_dictionaries(
        {
            "journeys": st.lists(
                st.fixed_dictionaries(
                    {"name": st.text(max_size=5), "steps": st.lists(step, max_size=3)},
                    optional={"runs": scalars, "timeout": scalars, "redirects": scalars},
                ),
                max_size=3,
            )
        },
        optional={"readiness": values, "runs": scalars, "timeout": scalars},
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section=sections)
def test_a_smoke_section_gives_a_spec_or_a_config_error(section: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "launchready.yml").write_text(yaml.safe_dump({"smoke": section}))
        try:
            config = load(root)
            smoke = config.section("smoke")
            if smoke is not None:
                read_spec(config, smoke)
        except ConfigError as exc:
            assert exc.problems
            assert all(p.path == "launchready.yml" for p in exc.problems)


@settings(max_examples=300, deadline=None)
@given(value=values | st.just(MISSING), test=values)
def test_value_tests_never_raise(value: Any, test: Any) -> None:
    ops = {"equals", "not_equals", "contains", "not_contains", "exists", "one_of", "count"}
    if isinstance(test, dict):
        test = {k: v for k, v in test.items() if k in ops}
        if "one_of" in test and not isinstance(test["one_of"], list):
            test["one_of"] = [test["one_of"]]
        if "exists" in test:
            test["exists"] = bool(test["exists"])
        if "count" in test and not isinstance(test["count"], int):
            test["count"] = 1
    result = check(value, test)
    assert result is None or isinstance(result, str)


def test_value_tests_say_why() -> None:
    assert check("application/json", {"contains": "json"}) is None
    assert check(3, {"at_least": 1, "less_than": 5}) is None
    assert check([1, 2], {"count": 2, "contains": 2}) is None
    assert check("abc", {"matches": "^a.c$", "starts_with": "a", "ends_with": "c"}) is None
    assert check(MISSING, {"exists": False}) is None
    assert check("200", 200) is None  # a header is text
    assert check(True, 1) is not None  # but JSON true is not 1
    assert check(MISSING, "x") == "absent, expected a value (equals 'x')"
    assert check(7, {"at_most": 5}) == "7, expected at most 5"
    assert check([1], {"min_count": 2}) == "1 item(s), expected ≥ 2"
    assert check("free", {"one_of": ["founding", "pro"]}) == (
        "'free', expected one of ['founding', 'pro']"
    )
