"""Tests on a response's values: a plain value means "equals", a mapping holds tests that
must all hold (``contains``, ``matches``, ``at_most``, ``count`` ...).

:func:`check` returns ``None`` when the value passes, else a short reason that quotes
the value only through ``show`` (the caller redacts what it shows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["MISSING", "check", "describe_status", "status_ok"]


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
    if op == "matches":
        ok = re.search(want, _as_text(value)) is not None
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
