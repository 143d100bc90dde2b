"""Lines for ``$GITHUB_OUTPUT`` (and ``$GITHUB_ENV``, same format).

Every value uses the heredoc form with a random delimiter, as ``@actions/core`` does
(``ghadelimiter_<uuid>``), even a value without a line break: a ``name=value`` line is
only safe while nobody adds a line break to the value, and values come from inputs and
paths. A delimiter that occurs in the value would end it early and let the rest of the
value set other outputs, so it is checked. scripts/action-lib.sh writes the same form.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

__all__ = ["format_output"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ATTEMPTS = 10


def _random_delimiter() -> str:
    return f"ghadelimiter_{uuid.uuid4()}"


def format_output(
    name: str, value: str, *, delimiter: Callable[[], str] = _random_delimiter
) -> str:
    """``name<<DELIM\\nvalue\\nDELIM\\n``.

    ``delimiter`` is injectable for tests; the default is random on purpose (a fixed one
    could be planted in a value).
    """
    if not _NAME.match(name):
        raise ValueError(f"not a valid output name: {name!r}")
    for _ in range(_ATTEMPTS):
        delim = delimiter()
        if delim and delim not in value and delim not in name:
            return f"{name}<<{delim}\n{value}\n{delim}\n"
    raise ValueError(f"could not find a delimiter for output {name!r} absent from its value")
