"""Tests on a response's values: a plain value means "equals", a mapping holds tests that
must all hold (``contains``, ``matches``, ``at_most``, ``count`` ...).

:func:`check` returns ``None`` when the value passes, else a short reason that quotes
the value only through ``show`` (the caller redacts what it shows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from launchready_ci.findings import Confidence, Severity
from launchready_ci.patterns import compile_pattern
from launchready_ci.rules import Rule, register

__all__ = [
    "FAILURE_RULES",
    "MISSING",
    "AssertionFailed",
    "CaptureFailed",
    "InvalidJson",
    "check",
    "describe_status",
    "status_ok",
]


@register
class AssertionFailed(Rule):
    """A journey step answered, but not as the spec expects (status, header, JSON, body or URL).

    Why
    ---
    This is the deploy that "worked" while sign-in returns 500, the feed sends members
    back to the login page, or the API answers with an error object. Members find it
    before anyone on the team does, and the first paid cohort remembers it.

    Remediation
    -----------
    Read the request line and the response excerpt in the report. If the release is
    broken, roll it back (`launchready rollback`) and fix forward; if the app changed
    on purpose, update the step's `expect:` in launchready.yml in the same pull request.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15
    - https://hurl.dev/docs/asserting-response.html
    """

    id = "smoke/assertion-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("sign-in › log in: status 500, expected 200",),
        "good": ("sign-in › log in: 200, $.user.plan = 'founding'",),
    }


@register
class CaptureFailed(Rule):
    """A step answered but the value later steps need (a token, a cookie) was not in it.

    Why
    ---
    The journey cannot go on: a login that no longer returns its token, or sets its
    session cookie under another name, signs nobody in, whatever its status code says.

    Remediation
    -----------
    Check what the endpoint returns now. If the field or cookie was renamed on purpose,
    update the step's `capture:`; if not, the release broke sign-in.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9535
    - https://www.rfc-editor.org/rfc/rfc6265#section-4.1
    """

    id = "smoke/capture-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("capture token: {json: $.token} -> nothing at $.token",),
        "good": ("capture token: {json: $.token} -> a value",),
    }


@register
class InvalidJson(Rule):
    """A step whose JSON is asserted or captured answered with something that is not JSON.

    Why
    ---
    An HTML error page from a proxy, a truncated body or a debug dump in place of the
    API's JSON breaks every mobile client at once, usually with a crash rather than a
    message.

    Remediation
    -----------
    Look at the excerpt: an HTML page usually means a proxy or platform error in front
    of the app, a cut-off body a crash mid-response.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8259
    """

    id = "smoke/invalid-json"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ('{"version": "v1",',), "good": ('{"version": "v1"}',)}


#: A judged response's failure kind -> its rule.
FAILURE_RULES: Mapping[str, type[Rule]] = {
    "assertion": AssertionFailed,
    "capture": CaptureFailed,
    "invalid-json": InvalidJson,
}


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


#: The value of a header, JSON path or capture that is not there.
MISSING: Any = _Missing()

_TYPES: Mapping[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def status_ok(status: int, expected: tuple[int | str, ...]) -> bool:
    if not expected:
        return 200 <= status < 400
    for item in expected:
        if isinstance(item, int) and status == item:
            return True
        if isinstance(item, str) and str(status)[0] == item[0]:
            return True
    return False


def describe_status(expected: tuple[int | str, ...]) -> str:
    return " or ".join(str(x) for x in expected) if expected else "2xx or 3xx"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | dict) else None


def check(value: Any, test: Any, show: Callable[[Any], str] = repr) -> str | None:
    """``None`` if ``value`` passes ``test``, else why not."""
    if not isinstance(test, Mapping):
        test = {"equals": test}
    for op, want in test.items():
        reason = _one(op, value, want, show)
        if reason is not None:
            return reason
    return None


def _one(op: str, value: Any, want: Any, show: Callable[[Any], str]) -> str | None:
    if op == "exists":
        present = value is not MISSING
        return None if present == want else ("absent" if want else f"present: {show(value)}")
    if value is MISSING:
        return f"absent, expected a value ({op.replace('_', ' ')} {show(want)})"
    if op == "equals":
        return None if _equal(value, want) else f"{show(value)}, expected {show(want)}"
    if op == "not_equals":
        return f"{show(value)}, expected anything else" if _equal(value, want) else None
    if op in ("contains", "not_contains"):
        if isinstance(value, list):
            found = any(_equal(item, want) for item in value)
        else:
            found = str(want) in _as_text(value)
        if found == (op == "contains"):
            return None
        return f"{show(value)} does{' not' if op == 'contains' else ''} contain {show(want)}"
    if op == "starts_with":
        ok = _as_text(value).startswith(want)
        return None if ok else f"{show(value)} does not start with {show(want)}"
    if op == "ends_with":
        ok = _as_text(value).endswith(want)
        return None if ok else f"{show(value)} does not end with {show(want)}"
    if op == "matches":  # linear time (RE2): the spec compiled it already
        ok = compile_pattern(want).search(_as_text(value)) is not None
        return None if ok else f"{show(value)} does not match /{want}/"
    if op == "one_of":
        ok = any(_equal(value, item) for item in want)
        return None if ok else f"{show(value)}, expected one of {show(want)}"
    if op == "type":
        return None if _TYPES[want](value) else f"{show(value)} is not of type {want}"
    if op in ("count", "min_count"):
        size = _size(value)
        if size is None:
            return f"{show(value)} has no length"
        ok = size == want if op == "count" else size >= want
        return None if ok else f"{size} item(s), expected {'' if op == 'count' else '≥ '}{want}"
    number = _number(value)
    if number is None:
        return f"{show(value)} is not a number"
    ok = {
        "less_than": number < want,
        "greater_than": number > want,
        "at_most": number <= want,
        "at_least": number >= want,
    }[op]
    return None if ok else f"{show(value)}, expected {op.replace('_', ' ')} {want}"


def _equal(value: Any, want: Any) -> bool:
    if isinstance(value, str) and not isinstance(want, str) and want is not None:
        return value == _scalar_text(want)  # headers and regex captures are text
    if isinstance(value, bool) or isinstance(want, bool):
        return type(value) is type(want) and value == want
    return bool(value == want)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)
