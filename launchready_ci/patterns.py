"""Regular expressions written by users (smoke ``matches:`` and ``regex:`` captures, the
env inventory's ``format: {regex: ...}``), matched by RE2 in time linear in the text.

Python's ``re`` backtracks: ``(a+)+$`` against 41 bytes runs for minutes, whatever the
step's deadline, and a pull request can commit such a pattern. RE2 (google-re2, the
library the RE2 authors maintain) never backtracks; the price is that it has no
backreferences and no lookaround, so a pattern that uses them is a config problem with
its line, like any pattern that does not compile. A pattern whose program would pass
:data:`MAX_MEMORY` (``(a{1000}){1000}``) is refused the same way.
"""

from __future__ import annotations

import functools
from typing import Protocol

__all__ = ["MAX_MEMORY", "Match", "Pattern", "PatternError", "compile_pattern"]

#: The most memory RE2 may give one compiled pattern.
MAX_MEMORY = 8 << 20


class PatternError(ValueError):
    """The pattern does not compile (syntax, an unsupported feature, too large)."""


class Match(Protocol):
    def group(self, index: int = 0, /) -> str: ...

    def groups(self) -> tuple[str | None, ...]: ...


class Pattern(Protocol):
    @property
    def pattern(self) -> str: ...

    def search(self, text: str) -> Match | None: ...

    def fullmatch(self, text: str) -> Match | None: ...


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Pattern:
    """``pattern`` compiled for linear-time matching, or :class:`PatternError` with the
    reason in words."""
    import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]

    options = re2.Options()
    options.log_errors = False  # RE2 would write the pattern to stderr, past our console
    options.max_mem = MAX_MEMORY
    try:
        compiled: Pattern = re2.compile(pattern, options=options)
    except re2.error as exc:
        raise PatternError(_reason(exc)) from None
    except (TypeError, ValueError, OverflowError) as exc:  # lone surrogates, NUL...
        raise PatternError(str(exc) or type(exc).__name__) from None
    return compiled


def _reason(exc: Exception) -> str:
    text = exc.args[0] if exc.args else exc
    reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if "invalid perl operator: (?" in reason or "invalid escape sequence: \\" in reason:
        reason += " (lookahead, lookbehind and backreferences are not supported: RE2 syntax)"
    return reason
