"""A last line of defence: scrub values of secret-looking environment variables from
every string launchready writes. Findings never hold secret values by design; this
catches a value that reaches an output some other way (a URL, an error message)."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["Scrubber", "is_secret_name", "shown_url"]

_SECRET_NAME = re.compile(
    r"(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH|DSN|DATABASE_URL|_KEY$)",
    re.IGNORECASE,
)
_MIN_LEN = 8


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


class Scrubber:
    def __init__(self, environ: Mapping[str, str], extra: tuple[str, ...] = ()) -> None:
        values = {v for k, v in environ.items() if is_secret_name(k) and len(v) >= _MIN_LEN}
        values.update(v for v in extra if len(v) >= _MIN_LEN)
        # Longest first so that a value containing another is replaced whole.
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            if values
            else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("***", text)


def shown_url(url: str) -> str:
    """A URL as reports show it: every query value replaced by ``…`` (names kept) and no
    fragment, so an invite token or a signed link never reaches a log. The smoke test's
    request line and redirect messages, a step's default name and the domain check's
    links all show URLs this way (a template such as ``{{ env.APP }}/x?t=1`` too)."""
    base, sep, rest = url.partition("?")
    if not sep:
        return url.partition("#")[0]
    names = [part.split("=", 1)[0] for part in rest.partition("#")[0].split("&")]
    return base + "?" + "&".join(f"{name}=…" if name else "…" for name in names)
