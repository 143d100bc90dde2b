"""detect-secrets filters of our own (loaded by detect-secrets through their import path)."""

from __future__ import annotations

from detect_secrets.filters import heuristic

from launchready_ci.suppressions import INLINE_MARKER

__all__ = ["is_indirect_reference"]


def is_indirect_reference(line: str) -> bool:
    """detect-secrets' indirect-reference heuristic, blind to our inline-ignore comment.

    Its regex reads ``launchready: ignore[rule]`` as an assignment of an indexed
    expression and drops every secret on that line, which would make a same-line ignore
    look unused. Stripping the marker first keeps the heuristic for real code.
    """
    return bool(heuristic.is_indirect_reference(INLINE_MARKER.sub("", line)))
