"""Placeholder values: what shows where a secret goes, never a secret."""

from __future__ import annotations

import re

__all__ = ["is_placeholder"]


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
