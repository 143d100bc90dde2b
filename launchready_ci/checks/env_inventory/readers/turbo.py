"""turbo.json: the variables the build's tasks are given (``env``, ``passThroughEnv``).

Turborepo hands a task only the variables its configuration lists (in strict mode) and
keys its cache on them: ``globalEnv``, ``globalPassThroughEnv``, and each task's
``env`` and ``passThroughEnv`` (``tasks`` since Turborepo 2, ``pipeline`` before). Each
listed name is a PASS use, located at its string; wildcards (``NEXT_PUBLIC_*``) and
exclusions (``!X``) are not names and are skipped. A file that is not JSON is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import NAME_PATTERN, Use, UseKind
from launchready_ci.checks.env_inventory.readers._values import LineIndex

__all__ = ["read"]

_LISTS = ("env", "passThroughEnv")


def read(text: str, path: str) -> Iterator[Use]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    if not isinstance(data, dict):
        return
    names: list[str] = []
    for key in ("globalEnv", "globalPassThroughEnv"):
        names.extend(_strings(data.get(key)))
    tasks = data.get("tasks") if isinstance(data.get("tasks"), dict) else data.get("pipeline")
    if isinstance(tasks, dict):
        for task in tasks.values():
            if isinstance(task, dict):
                for key in _LISTS:
                    names.extend(_strings(task.get(key)))
    index = LineIndex(text)
    seen: set[str] = set()
    for name in names:
        if name in seen or not NAME_PATTERN.fullmatch(name):
            continue
        seen.add(name)
        quoted = f'"{name}"'
        at = text.find(quoted)
        while at >= 0:
            line, column = index.position(at + 1)
            yield Use(name, path, line, column, UseKind.PASS)
            at = text.find(quoted, at + len(quoted))


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
