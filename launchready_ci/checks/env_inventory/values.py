"""Where ``launchready env verify`` reads values from: the process environment or a file.

A file is one of

- a dotenv file (``NAME=value`` lines, as read by python-dotenv; ``export``, quotes,
  comments and multi-line quoted values work; ``${OTHER}`` is **not** expanded, because
  ``docker run --env-file`` and most platforms take values literally),
- a JSON object of strings, such as ``jq -n env > env.json`` writes,
- an ``env -0`` dump: ``NAME=value`` entries separated by NUL bytes (values may hold
  newlines).

The kind is told from the content: a NUL byte means ``env -0``, a first character ``{``
(or ``[``, to refuse it clearly) means JSON, anything else is dotenv. Dotenv follows
python-dotenv: in an unquoted value `` #`` starts a comment.

No error, log line or ``repr`` holds a value: errors name the file and a line or an
entry number only, python-dotenv's own warnings (line numbers only) are dropped, and
:attr:`ValueSource.values` is left out of ``repr``.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from launchready_ci.checks.env_inventory.model import NAME_PATTERN
from launchready_ci.errors import UsageError

__all__ = ["PROCESS_ENVIRONMENT", "ValueSource", "load_values", "parse_values"]

#: The label of values read from the process environment.
PROCESS_ENVIRONMENT: Final = "the process environment"


@dataclass(frozen=True)
class ValueSource:
    """Values of environment variables and where they came from (``label``: a path or
    :data:`PROCESS_ENVIRONMENT`, used in messages). ``values`` stays out of ``repr``."""

    label: str
    values: Mapping[str, str] = field(repr=False, default_factory=lambda: MappingProxyType({}))


def load_values(source: str | None, environ: Mapping[str, str]) -> ValueSource:
    """The values of ``source``: None for ``environ`` (the process environment), else the
    path of a dotenv, JSON or ``env -0`` file.

    Raises :class:`UsageError` (exit 2) naming the path, never its content, when the
    file cannot be read or parsed.
    """
    if source is None:
        return ValueSource(PROCESS_ENVIRONMENT, MappingProxyType(dict(environ)))
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or type(exc).__name__}") from None
    return ValueSource(source, MappingProxyType(parse_values(raw, source)))


def parse_values(raw: bytes, label: str) -> dict[str, str]:
    """Parse the bytes of a values file; ``label`` names it in errors."""
    if b"\0" in raw:
        return _env0(raw, label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    if text.lstrip().startswith(("{", "[")):
        return _json(text, label)
    return _dotenv(text, label)


def _env0(raw: bytes, label: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, item in enumerate(raw.split(b"\0"), 1):
        if not item.strip():
            continue  # the terminator after the last entry
        name_b, eq, value_b = item.partition(b"=")
        if not eq:
            raise UsageError(f"{label}: entry {number} of the env -0 dump is not NAME=value")
        try:
            name = name_b.decode("utf-8").strip()
            value = value_b.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{label}: entry {number} of the env -0 dump is not UTF-8") from None
        if NAME_PATTERN.fullmatch(name):  # skip BASH_FUNC_x%% and other non-variables
            out[name] = value
    return out


def _json(text: str, label: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # exc.msg is a fixed phrase ("Expecting ',' delimiter"); str(exc) is not used
        # because it could in principle grow to quote the document.
        raise UsageError(f"{label}:{exc.lineno}:{exc.colno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise UsageError(f"{label}: invalid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise UsageError(f"{label}: expected a JSON object of NAME: value strings")
    out: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(value, str):
            kind = "null" if value is None else type(value).__name__
            raise UsageError(f"{label}: the value of {name!r} is a JSON {kind}, expected a string")
        out[name] = value
    return out


def _dotenv(text: str, label: str) -> dict[str, str]:
    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    # python-dotenv skips a line it cannot parse and logs only its number; a skipped
    # line could be a variable the deploy needs, so it is an error here, and the
    # library's own warnings are kept out of the logs.
    with _quiet_dotenv():
        for binding in parse_stream(io.StringIO(text)):
            if binding.error:
                raise UsageError(
                    f"{label}:{binding.original.line}: not a NAME=value line that "
                    "python-dotenv can parse"
                )
        parsed = dotenv_values(stream=io.StringIO(text), interpolate=False)
    # `NAME` alone (no `=`) parses to None: declared but empty.
    return {name: value or "" for name, value in parsed.items()}


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@contextmanager
def _quiet_dotenv() -> Iterator[None]:
    logger = logging.getLogger("dotenv.main")
    drop = _DropAll()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)
