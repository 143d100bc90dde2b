"""Which files of a repository a file-reading check looks at."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["DEFAULT_EXCLUDES", "REPORT_MARKERS", "is_own_report", "iter_files", "matches_any"]

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


#: What the first bytes of launchready's own reports contain (SARIF, JSON, Markdown).
#: Reports written into the checked directory must not be read back as input: their
#: rule help quotes ignore comments and their JSON has keys such as "secret".
REPORT_MARKERS = (
    b'"name": "launchready"',
    b"<!-- launchready report -->",
)
_HEAD_BYTES = 1024


def is_own_report(path: Path) -> bool:
    """True for a file that launchready itself wrote (a report of an earlier run)."""
    if path.suffix not in (".sarif", ".json", ".md"):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return False
    return any(marker in head for marker in REPORT_MARKERS)


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
        if path.is_file() and not path.is_symlink() and not is_own_report(path):
            yield rel


def _join(a: str, b: str) -> str:
    return b if a in ("", ".") else f"{a}/{b}"
