"""Which files of a repository a file-reading check looks at."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["DEFAULT_EXCLUDES", "iter_files", "matches_any"]

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


def matches_any(relpath: str, patterns: Iterable[str]) -> bool:
    """Glob match where ``**/`` may also match nothing (``**/x`` matches ``x``)."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(relpath, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(relpath, pattern[3:]):
            return True
    return False


def _git_files(root: Path) -> list[str] | None:
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return sorted({p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p})


def iter_files(root: Path, exclude: Iterable[str] = ()) -> Iterator[str]:
    """Paths relative to ``root`` (``/`` separated): git's view when ``root`` is in a
    work tree (tracked and untracked-but-not-ignored files), else a directory walk."""
    patterns = (*DEFAULT_EXCLUDES, *exclude)
    files = _git_files(root)
    if files is None:
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            dirnames[:] = sorted(
                d for d in dirnames if not matches_any(_join(rel_dir, d) + "/x", patterns)
            )
            files.extend(_join(rel_dir, f) for f in filenames)
        files.sort()
    for rel in files:
        if matches_any(rel, patterns):
            continue
        path = root / rel
        if path.is_file() and not path.is_symlink():
            yield rel


def _join(a: str, b: str) -> str:
    return b if a in ("", ".") else f"{a}/{b}"
