"""JSON Web Keys that hold private material (RFC 7517/7518).

A JWK is a JSON object with ``kty``. Its public members (``n``, ``e``, ``x``, ``y``,
``crv``) may be published; its private members may not: ``d`` (the RSA private exponent
or the EC/OKP private key), the RSA factors and CRT values (``p``, ``q``, ``dp``, ``dq``,
``qi``), and ``k``, the key itself of a symmetric (``oct``) key. Keys are written over
several lines as often as on one, in JSON, YAML and JavaScript object literals, so the
object is read from its ``kty`` to its closing brace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from launchready_ci.checks.secrets.prefilter import Trigger

__all__ = ["TRIGGERS", "private_members"]

TRIGGERS = (Trigger("jwk", r"[\"']?kty[\"']?\s*:", caseless=True),)

_KTY = re.compile(r"""(?i)["']?kty["']?\s*:\s*["']?(?P<kty>[A-Za-z]+)""")
#: A private member with a base64url value (at least 128 bits).
_PRIVATE = re.compile(
    r"""(?:^|[\s{,])["']?(?P<name>d|p|q|dp|dq|qi|k)["']?\s*:\s*["'](?P<val>[A-Za-z0-9_-]{22,})["']"""
)
_MAX_LINES = 40


def private_members(lines: list[str], index: int) -> Iterator[tuple[int, str]]:
    """(line index, value) of the first private member of each JWK whose ``kty`` is on
    line ``index``: one finding per key, on the line that holds its secret. The object is
    read from the brace that opens it to the one that closes it, members in any order."""
    first = max(0, index - _MAX_LINES)
    region = lines[first : index + _MAX_LINES]
    text = "\n".join(region)
    offset = sum(len(line) + 1 for line in region[: index - first])
    for kty in _KTY.finditer(lines[index]):
        at = offset + kty.start()
        open_, close = _enclosing(text, at)
        symmetric = kty.group("kty").lower() == "oct"
        for m in _PRIVATE.finditer(text, open_, close):
            if (m.group("name") == "k") == symmetric:
                yield first + text.count("\n", 0, m.start("val")), m.group("val")
                break


def _enclosing(text: str, at: int) -> tuple[int, int]:
    """The span of the innermost ``{…}`` around offset ``at`` (the text's ends where a
    brace is missing)."""
    open_ = _unmatched(text, range(at - 1, -1, -1), "{", "}", 0)
    return open_, _unmatched(text, range(at, len(text)), "}", "{", len(text))


def _unmatched(text: str, order: range, wanted: str, nested: str, default: int) -> int:
    """The first ``wanted`` brace in ``order`` that no ``nested`` one before it pairs."""
    depth = 0
    for i in order:
        c = text[i]
        if c == nested:
            depth += 1
        elif c == wanted:
            if depth == 0:
                return i
            depth -= 1
    return default
