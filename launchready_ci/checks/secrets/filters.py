"""detect-secrets filters of our own (loaded by detect-secrets through their import path)."""

from __future__ import annotations

import re

from detect_secrets.filters import heuristic

from launchready_ci.suppressions import INLINE_MARKER

__all__ = ["is_indirect_reference", "is_placeholder"]


def is_indirect_reference(line: str) -> bool:
    """detect-secrets' indirect-reference heuristic, blind to our inline-ignore comment.

    Its regex reads ``launchready: ignore[rule]`` as an assignment of an indexed
    expression and drops every secret on that line, which would make a same-line ignore
    look unused. Stripping the marker first keeps the heuristic for real code.
    """
    return bool(heuristic.is_indirect_reference(INLINE_MARKER.sub("", line)))


_PLACEHOLDER = re.compile(
    r"(?i)^(?:changeme|change[_-]?me|placeholder|redacted|dummy|example|sample|secret|password"
    r"|test|todo|none|null|foo|bar|foobar|your[_-].*|my[_-].*|insert[_-].*|replace[_-].*)$"
    r"|(?i:example(?:key)?$|[_-]example[_-]|xxxx|\*\*\*\*|\.\.\.|…|your[_-]?(?:api[_-]?)?(?:key|token|secret)|changeme)"
    r"|^[<{\[(%$].*[>}\])%]$|^\$\{?\w+\}?$|^(?:process\.env|os\.environ|env\.|ENV\[)"
)


#: YAML/JSON scalars that a keyword such as `secret:` may be given but are never secrets
#: (an inventory's `secret: true`, a flag's `password: null`).
_NOT_VALUES = frozenset(
    {"true", "false", "yes", "no", "on", "off", "null", "none", "nil", "undefined"}
)


def is_placeholder(secret: str) -> bool:
    """Values that show where a secret goes: ``changeme``, ``xxxx``, ``<TOKEN>``,
    ``${VAR}``, ``process.env.X``, AWS's ``…EXAMPLE`` keys."""
    value = secret.strip("'\"` ")
    if len(set(value.lower())) <= 2 or value.lower() in _NOT_VALUES:
        return True
    return bool(_PLACEHOLDER.search(value))
