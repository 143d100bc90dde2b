"""Bracket arithmetic over masked source text (comments and string contents blanked), for
the readers that match code with regular expressions: where a bracket closes, where a
value ends, where a call's arguments are."""

from __future__ import annotations

__all__ = ["arguments", "closing", "value_end"]

_OPENING = "([{"
_CLOSING = ")]}"


def closing(masked: str, at: int, opening: str = "{", close: str = "}") -> int:
    """The offset of the bracket that closes the one at ``at``; -1 when it never does."""
    depth = 0
    for i in range(at, len(masked)):
        c = masked[i]
        if c == opening:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
    return -1


def value_end(masked: str, start: int) -> int:
    """The offset of the ``,`` or closing bracket that ends the value at ``start``."""
    depth = 0
    for i in range(start, len(masked)):
        c = masked[i]
        if c in _OPENING:
            depth += 1
        elif c in _CLOSING:
            if depth == 0:
                return i
            depth -= 1
        elif c == "," and depth == 0:
            return i
    return len(masked)


def arguments(masked: str, start: int, limit: int = 2000) -> list[tuple[int, int]]:
    """The spans of a call's top-level arguments, from just after its ``(`` (looking at
    most ``limit`` characters ahead)."""
    out: list[tuple[int, int]] = []
    depth = 0
    begin = start
    for i in range(start, min(len(masked), start + limit)):
        c = masked[i]
        if c in _OPENING:
            depth += 1
        elif c in _CLOSING:
            if depth == 0:
                if masked[begin:i].strip():
                    out.append((begin, i))
                return out
            depth -= 1
        elif c == "," and depth == 0:
            out.append((begin, i))
            begin = i + 1
    return out
