"""Readers find the environment variables a file mentions, one small module per language.

Each reader is a function ``read(text, path) -> Iterator[Use]``. They see names written
literally (``os.environ["X"]``, ``process.env.X``); a name computed at run time
(``os.environ[name]``, ``process.env[key]``) is invisible to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath

from launchready_ci.checks.env_inventory.model import Use
from launchready_ci.checks.env_inventory.readers import dotenv, javascript, python
from launchready_ci.checks.files import iter_files

__all__ = ["MAX_BYTES", "Reader", "read_uses", "reader_for"]

Reader = Callable[[str, str], Iterator[Use]]

#: Larger files are generated or vendored; reading them costs time and finds noise.
MAX_BYTES = 2 * 1024 * 1024

_BY_SUFFIX: dict[str, Reader] = {
    ".py": python.read,
    **{suffix: javascript.read for suffix in javascript.SUFFIXES},
}


def reader_for(path: str) -> Reader | None:
    """The reader for a repository-relative path, or None when no reader applies."""
    pure = PurePosixPath(path)
    if dotenv.is_template(pure.name):
        return dotenv.read
    if ".min." in pure.name:
        return None  # minified bundles: build output, full of other packages' reads
    return _BY_SUFFIX.get(pure.suffix.lower())


def read_uses(root: Path, exclude: Iterable[str] = ()) -> Iterator[Use]:
    """Every use in the repository at ``root``, file by file in path order."""
    for rel in iter_files(root, exclude):
        reader = reader_for(rel)
        if reader is None:
            continue
        text = _read_text(root / rel)
        if text is not None:
            yield from reader(text, rel)


def _read_text(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", errors="replace")
