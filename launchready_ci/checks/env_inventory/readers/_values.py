"""How a deploy file gives a variable its value, as a :class:`UseKind` (never the value).

Shared by the Dockerfile, compose, workflow and env-file readers. The value itself is
looked at here and dropped: a :class:`Use` holds only the kind.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Final

from launchready_ci.checks.env_inventory.model import UseKind

__all__ = ["EXPRESSION", "SHELL_REF", "LineIndex", "value_kind"]

#: ``$X``, ``${X}``, ``${X:-default}``, ``${X?message}``: shell, Dockerfile, compose.
SHELL_REF: Final = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)[^}\n]*\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
#: A GitHub Actions expression, ``${{ ... }}``.
EXPRESSION: Final = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)

# scheme://user:password@host — the password is what matters.
_URL_PASSWORD = re.compile(
    r"\A\s*[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@\s:]*:(?P<password>[^/?#\s]+)@(?P<host>\[[^\]]*\]|[^/?#:\s]*)"
)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})  # noqa: S104
#: Connection strings whose only secret part is the password: without one, nothing
#: secret is written (``redis://redis:6379/0``). An https URL may hold its secret in the
#: path or query (a Slack webhook), so it is not in this list.
_CONNECTION = re.compile(
    r"\A\s*(?:postgres|postgresql|mysql|mariadb|redis|rediss|mongodb|mongodb\+srv|amqp|amqps"
    r"|nats|memcached|clickhouse|sqlserver|cockroachdb|sqlite)(?:\+[a-z0-9]+)?://",
    re.IGNORECASE,
)


def value_kind(value: str, refs: re.Pattern[str] | None) -> str:
    """The kind of a value written in a file: LITERAL, CREDENTIAL or SET.

    ``refs`` finds the file's interpolations (``SHELL_REF``, ``EXPRESSION``), or is None
    where nothing is interpolated. A URL with a password is CREDENTIAL unless the
    password is an interpolation or the host is this machine (a CI or local database);
    a database-style connection string without a password, any other value with an
    interpolation (derived) and an empty value are SET; the rest is LITERAL.
    """
    if not value.strip():
        return UseKind.SET
    url = _URL_PASSWORD.match(value)
    if url is not None:
        if url.group("host").lower() in _LOCAL_HOSTS:
            return UseKind.SET
        if refs is None or refs.search(url.group("password")) is None:
            return UseKind.CREDENTIAL
    elif _CONNECTION.match(value):
        return UseKind.SET  # a connection string without a password
    if refs is not None and refs.search(value) is not None:
        return UseKind.SET
    return UseKind.LITERAL


class LineIndex:
    """Offsets in a text to 1-based (line, column); lines as git counts them (``\\n``)."""

    def __init__(self, text: str) -> None:
        self.starts: Sequence[int] = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1
