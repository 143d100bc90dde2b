"""A quick yes to "is this document valid against our schema?", so that a valid config
does not pay for importing jsonschema (0.1 s of CPU, more than the rest of a small run).

:func:`surely_valid` evaluates the JSON Schema keywords our schemas use, each as the 2020-12
specification and jsonschema's ``Draft202012Validator`` (without a format checker) define
it, and answers True only when the document is valid. Anything it does not know (another
keyword, a remote ``$ref``, a YAML date where a string is expected) makes it answer
"don't know", and the caller validates with jsonschema, which then also explains every
problem. It is never the judge of an invalid document: jsonschema is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["surely_valid"]

#: Keywords that never make a document invalid (annotations; ``format`` is one too
#: without a format checker, as the config loader validates).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
    }
)

#: None: the answer is not known here (the caller asks jsonschema).
Verdict = bool | None


def surely_valid(schema: Mapping[str, Any], instance: Any) -> bool:
    """True only if ``instance`` is valid against ``schema``; False means "not known"."""
    return _check(schema, instance, schema) is True


def _json_type(value: Any) -> str | None:
    """The JSON type of a value as YAML or JSON loads it; None for anything else."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int:
        return "integer"
    if kind is float:
        return "number"
    if kind is str:
        return "string"
    if kind is list:
        return "array"
    if kind is dict:
        return "object"
    return None


def _is_type(value: Any, kind: str, actual: str) -> bool:
    if kind == "number":
        return actual in ("integer", "number")
    if kind == "integer" and actual == "number":
        return bool(value.is_integer())  # jsonschema: 1.0 is an integer
    return kind == actual


def _equal(one: Any, two: Any) -> Verdict:
    """jsonschema's equality (``True`` is not ``1``) for scalars; None for containers."""
    if isinstance(one, list | dict) or isinstance(two, list | dict):
        return None
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return bool(one == two)


def _all(verdicts: Any) -> Verdict:
    """False as soon as one is False; True if all are True; else None."""
    unsure = False
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            unsure = True
    return None if unsure else True


def _check(schema: Any, instance: Any, root: Mapping[str, Any]) -> Verdict:
    if schema is True:
        return True
    if schema is False:
        return False
    if not isinstance(schema, Mapping):
        return None
    actual = _json_type(instance)
    if actual is None or (actual == "object" and any(type(k) is not str for k in instance)):
        return None
    unsure = False
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        verdict = _keyword(key, value, schema, instance, actual=actual, root=root)
        if verdict is False:
            return False
        if verdict is None:
            unsure = True
    return None if unsure else True


def _keyword(
    key: str,
    value: Any,
    schema: Mapping[str, Any],
    instance: Any,
    *,
    actual: str,
    root: Mapping[str, Any],
) -> Verdict:
    if key == "type":
        kinds = value if isinstance(value, list) else [value]
        return any(_is_type(instance, kind, actual) for kind in kinds)
    if key == "$ref":
        return _check(_resolve(value, root), instance, root)
    if key == "allOf":
        return _all(_check(sub, instance, root) for sub in value)
    if key == "anyOf":
        verdicts = [_check(sub, instance, root) for sub in value]
        if True in verdicts:
            return True
        return False if all(v is False for v in verdicts) else None
    if key == "if":
        condition = _check(value, instance, root)
        branch = schema.get("then" if condition else "else", True)
        return None if condition is None else _check(branch, instance, root)
    if key in ("then", "else"):
        return True  # evaluated with "if" (and ignored without one)
    if key in ("enum", "const"):
        options = value if key == "enum" else [value]
        verdicts = [_equal(instance, option) for option in options]
        if True in verdicts:
            return True
        return False if all(v is False for v in verdicts) else None
    if actual == "object":
        return _object_keyword(key, value, schema, instance, root)
    if actual == "array":
        return _array_keyword(key, value, instance, root)
    if actual == "string":
        return _string_keyword(key, value, instance)
    if actual in ("integer", "number"):
        return _number_keyword(key, value, instance)
    return True if key in _TYPED else None


def _passes(condition: bool) -> Verdict:
    """A bound, length or pattern: True when it holds, else not known. Only "type",
    "const", "enum" and "required" say "invalid" (which "if" and "anyOf" need); every
    other failure is left to jsonschema."""
    return True if condition else None


def _object_keyword(
    key: str, value: Any, schema: Mapping[str, Any], instance: dict[str, Any], root: Any
) -> Verdict:
    if key == "properties":
        return _all(_check(value[k], v, root) for k, v in instance.items() if k in value)
    if key == "additionalProperties":
        if "patternProperties" in schema:
            return None
        known = schema.get("properties", {})
        return _all(_check(value, v, root) for k, v in instance.items() if k not in known)
    if key == "required":
        return all(k in instance for k in value)
    if key == "propertyNames":
        return _all(_check(value, k, root) for k in instance)
    if key == "minProperties":
        return _passes(len(instance) >= value)
    if key == "maxProperties":
        return _passes(len(instance) <= value)
    return True if key in _TYPED else None


def _array_keyword(key: str, value: Any, instance: list[Any], root: Any) -> Verdict:
    if key == "items":
        return _all(_check(value, item, root) for item in instance)
    if key == "minItems":
        return _passes(len(instance) >= value)
    if key == "maxItems":
        return _passes(len(instance) <= value)
    if key == "uniqueItems":
        if not value:
            return True
        if all(type(item) is str for item in instance):
            return _passes(len(set(instance)) == len(instance))
        return None
    return True if key in _TYPED else None


def _string_keyword(key: str, value: Any, instance: str) -> Verdict:
    if key == "minLength":
        return _passes(len(instance) >= value)
    if key == "maxLength":
        return _passes(len(instance) <= value)
    if key == "pattern":
        return _passes(re.search(value, instance) is not None)
    return True if key in _TYPED else None


def _number_keyword(key: str, value: Any, instance: float) -> Verdict:
    if key == "minimum":
        return _passes(instance >= value)
    if key == "maximum":
        return _passes(instance <= value)
    if key == "exclusiveMinimum":
        return _passes(instance > value)
    if key == "exclusiveMaximum":
        return _passes(instance < value)
    return True if key in _TYPED else None


#: Keywords that apply to one JSON type only and pass any other (the ones handled above).
_TYPED = frozenset(
    {
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)


def _resolve(ref: Any, root: Mapping[str, Any]) -> Any:
    """A ``#/...`` pointer into the same schema; None (not known) for anything else."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    node: Any = root
    for part in ref[1:].split("/")[1:] if ref != "#" else ():
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
