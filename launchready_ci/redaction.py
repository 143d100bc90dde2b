"""A last line of defence: scrub values of secret-looking environment variables from
every string launchready writes. Findings never hold secret values by design; this
catches a value that reaches an output some other way (a URL, an error message), also
when it comes back encoded: a form-posted password echoed URL-encoded by a debug page,
a token in base64 or hex, a value upper-cased."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

__all__ = ["Scrubber", "is_secret_name", "secret_forms", "shown_url"]

_SECRET_NAME = re.compile(
    r"(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH|DSN|DATABASE_URL|_KEY$)",
    re.IGNORECASE,
)
_MIN_LEN = 8


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def secret_forms(value: str) -> list[str]:
    """``value`` and the forms a server or a framework echoes it in: URL-encoded (``%20``
    and ``+`` for a space), base64 (standard and URL-safe, padded or not, and the part
    that stays the same wherever the value sits in a longer base64 text), hex, upper and
    lower case. Forms shorter than the value's own minimum are left out."""
    raw = value.encode("utf-8", "surrogateescape")
    found = [value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for shift in range(3):  # after 0, 1 or 2 other bytes, before anything
            text = encode(bytes(shift) + raw).decode()
            start = (4 * shift + 2) // 3
            end = len(text) if (shift + len(raw)) % 3 == 0 else 4 * ((shift + len(raw)) // 3)
            found.append(text[start:end])
            if shift == 0:
                found.extend((text, text.rstrip("=")))
    found += [raw.hex(), raw.hex().upper(), value.upper(), value.lower()]
    return [f for f in dict.fromkeys(found) if len(f) >= _MIN_LEN]


class Scrubber:
    """Replaces every secret value, in each of its :func:`secret_forms` and in any case,
    with ``***``."""

    def __init__(self, environ: Mapping[str, str], extra: tuple[str, ...] = ()) -> None:
        values = {v for k, v in environ.items() if is_secret_name(k) and len(v) >= _MIN_LEN}
        values.update(v for v in extra if len(v) >= _MIN_LEN)
        forms = {form for value in values for form in secret_forms(value)}
        # Longest first so that a value containing another is replaced whole.
        self._pattern = (
            re.compile(
                "|".join(re.escape(v) for v in sorted(forms, key=len, reverse=True)),
                re.IGNORECASE,
            )
            if forms
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
