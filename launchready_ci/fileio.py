"""File IO every part shares: writing a file whole or not at all, and reading a file only
when it is text of a size worth reading."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import NamedTuple

__all__ = ["MAX_BYTES", "SNIFF_BYTES", "Text", "atomic_write", "read_limited"]

#: Files over this size are not read by the scanners (and the report says so).
MAX_BYTES = 2 * 1024 * 1024
#: How much of a file is looked at for a NUL byte to call it binary.
SNIFF_BYTES = 8192


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: a reader (or a
    crash) never sees half a file. An existing file keeps its mode; a new one gets the
    umask's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Text(NamedTuple):
    """What :func:`read_limited` found: the text, or ``None`` and why it was skipped."""

    text: str | None
    skipped: str
    size: int


def read_limited(path: Path, max_bytes: int = MAX_BYTES) -> Text:
    """The file's text (UTF-8, undecodable bytes replaced), or ``None`` with the reason for
    a symlink or special file, a file over ``max_bytes``, a binary or an unreadable file."""
    try:
        if path.is_symlink() or not path.is_file():
            return Text(None, "symlinks, submodules and special files", 0)
        if path.stat().st_size > max_bytes:
            return Text(None, f"over {max_bytes // 1024 // 1024} MiB", 0)
        data = path.read_bytes()
    except OSError:
        return Text(None, "unreadable", 0)
    if b"\0" in data[:SNIFF_BYTES]:
        return Text(None, "binary", 0)
    return Text(data.decode("utf-8", errors="replace"), "", len(data))
