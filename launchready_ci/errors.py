"""Errors that end a run with a clear message instead of a traceback.

Every error raised on purpose derives from :class:`LaunchreadyError`. The CLI turns
:class:`ConfigError` and :class:`UsageError` into exit code 2; a :class:`CheckSkipped`
raised inside a check becomes a *skipped* result and the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CheckError",
    "CheckSkipped",
    "ConfigError",
    "ConfigProblem",
    "LaunchreadyError",
    "UsageError",
]


class LaunchreadyError(Exception):
    """Base class of every error launchready raises on purpose."""

    exit_code = 2


class UsageError(LaunchreadyError):
    """A command-line option or argument that cannot be used."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration file, with where it is and what was expected."""

    path: str
    line: int | None
    column: int | None
    key_path: str
    message: str
    hint: str | None = None

    def render(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.key_path:
            text += f"\n  ==> at key: {self.key_path}"
        if self.hint:
            text += f"\n  ==> {self.hint}"
        return text


@dataclass
class ConfigError(LaunchreadyError):
    """A configuration file that cannot be used; holds every problem found in it."""

    problems: list[ConfigProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)

    def __str__(self) -> str:
        return self.render()


class CheckError(LaunchreadyError):
    """A check failed for a reason worth telling the user (not a bug)."""

    exit_code = 1


class CheckSkipped(LaunchreadyError):
    """Raised by a check that cannot run here; the run goes on without it."""

    exit_code = 0

    def __init__(self, reason: str, *, enable_snippet: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.enable_snippet = enable_snippet
