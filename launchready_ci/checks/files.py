"""Which files of a repository a file-reading check looks at."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from launchready_ci import git

__all__ = [
    "DEFAULT_EXCLUDES",
    "REPORT_MARKERS",
    "SECRETS_EXCLUDES",
    "is_own_report",
    "iter_files",
    "matches_any",
]

#: Never worth reading: dependencies, build output, VCS data.
DEFAULT_EXCLUDES = (
    ".git/**",
    "**/node_modules/**",
    "**/.venv/**",
    "**/venv/**",
    "**/__pycache__/**",
    "**/dist/**",
    "**/build/**",
)
#: What the secrets scan leaves out: the same but ``build/``. In a work tree git's ignore
#: rules already drop build output, so a tracked ``build/`` is source (CI scripts, Docker
#: build contexts, Gradle logic) or output committed by mistake, and either leaks a key
#: like any other file. ``dist/`` stays out: minified bundles of third-party code.
SECRETS_EXCLUDES = tuple(p for p in DEFAULT_EXCLUDES if p != "**/build/**")


#: What the first bytes of launchready's own reports contain (SARIF, JSON, Markdown).
#: Reports written into the checked directory must not be read back as input: their
#: rule help quotes ignore comments and their JSON has keys such as "secret".
REPORT_MARKERS = (
    b'"name": "launchready"',
    b"<!-- launchready report -->",
)
_HEAD_BYTES = 1024
_EXCLUDED = "excluded (dependencies, build output, config excludes)"


def is_own_report(path: Path | str) -> bool:
    """True for a file that launchready itself wrote (a report of an earlier run)."""
    if not str(path).endswith((".sarif", ".json", ".md")):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return False
    return any(marker in head for marker in REPORT_MARKERS)


def matches_any(relpath: str, patterns: Iterable[str]) -> bool:
    """Glob match where ``**/`` may also match nothing (``**/x`` matches ``x``)."""
    return _compile(tuple(patterns)).match(relpath) is not None


@functools.lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a set of globs: a path is tested once, not once per pattern."""
    parts = []
    for pattern in patterns:
        parts.append(fnmatch.translate(pattern))
        if pattern.startswith("**/"):
            parts.append(fnmatch.translate(pattern[3:]))
    return re.compile("|".join(f"(?:{p})" for p in parts) or r"(?!)")


def iter_files(
    root: Path,
    exclude: Iterable[str] = (),
    *,
    skipped: Counter[str] | None = None,
    defaults: tuple[str, ...] = DEFAULT_EXCLUDES,
    include: Iterable[str] | None = None,
) -> Iterator[str]:
    """Paths relative to ``root`` (``/`` separated): git's view when ``root`` is in a
    work tree (tracked and untracked-but-not-ignored files), else a directory walk.

    ``skipped`` counts what was left out, by reason (a directory walk counts the files
    of excluded directories as one each, without entering them). ``include``: only
    paths that match one of these globs (see :func:`matches_any`), tested before the
    file is looked at, so that a check reading a few files of a large tree does not
    stat every one; the others are not counted in ``skipped``."""
    counts: Counter[str] = skipped if skipped is not None else Counter()
    patterns = (*defaults, *tuple(exclude))
    files = git.ls_files(root)
    if files is None:
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            kept = [d for d in dirnames if not matches_any(_join(rel_dir, d) + "/x", patterns)]
            if len(kept) < len(dirnames):
                counts[_EXCLUDED] += len(dirnames) - len(kept)
            dirnames[:] = sorted(kept)
            files.extend(_join(rel_dir, f) for f in filenames)
        files.sort()
    excluded = _compile(patterns)
    if include is not None:
        wanted = _compile(tuple(include))
        files = [rel for rel in files if wanted.match(rel)]
    root_text = str(root)
    for rel in files:
        if excluded.match(rel):
            counts[_EXCLUDED] += 1
            continue
        full = os.path.join(root_text, rel)
        try:
            mode = os.lstat(full).st_mode
        except OSError:
            counts["unreadable"] += 1  # deleted but still in the index, say
            continue
        if not stat.S_ISREG(mode):
            counts["symlinks, submodules and special files"] += 1
        elif is_own_report(full):
            counts["launchready reports"] += 1
        else:
            yield rel


def _join(a: str, b: str) -> str:
    return b if a in ("", ".") else f"{a}/{b}"
