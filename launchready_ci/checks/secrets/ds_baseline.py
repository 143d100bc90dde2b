"""Reading a detect-secrets baseline (``.secrets.baseline``), so a team can switch over.

detect-secrets records each accepted secret as its file name and the SHA-1 of the value
(``hashed_secret``). A detection with the same file and hash is accepted here too: it is
counted as suppressed, not reported. Entries that ``detect-secrets audit`` marked as real
(``"is_secret": true``) are not accepted: someone confirmed them as live credentials, so
they are reported until they are removed and rotated. Only the hashes are read.
"""

from __future__ import annotations

import json
from pathlib import Path

from launchready_ci.errors import ConfigError, ConfigProblem

__all__ = ["DEFAULT", "load"]

DEFAULT = ".secrets.baseline"


def load(root: Path, configured: str | None) -> frozenset[tuple[str, str]]:
    """(file, hashed_secret) pairs accepted by the baseline; empty without one."""
    path = root / (configured or DEFAULT)
    if not path.is_file():
        if configured:
            raise _error(
                configured,
                "does not exist",
                key="secrets.detect_secrets_baseline",
                hint="create it with `detect-secrets scan > .secrets.baseline`, or remove the key",
            )
        return frozenset()
    label = configured or DEFAULT
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(label, f"cannot be read ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise _error(label, f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _error(label, "not a detect-secrets baseline (JSON nested too deeply)") from None
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, dict):
        raise _error(label, "not a detect-secrets baseline (no `results` object)")
    accepted: set[tuple[str, str]] = set()
    for filename, entries in results.items():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("is_secret") is True:
                continue
            digest = entry.get("hashed_secret")
            if isinstance(digest, str):
                accepted.add((str(filename).replace("\\", "/"), digest.lower()))
    return frozenset(accepted)


def _error(
    path: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    *,
    key: str = "",
    hint: str | None = None,
) -> ConfigError:
    return ConfigError([ConfigProblem(path, line, column, key, message, hint)])
