"""The validated, frozen configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchready_ci.errors import ConfigError

__all__ = ["Config", "Ignore", "Position"]


@dataclass(frozen=True)
class Position:
    """Where a value sits in its YAML file (1-based)."""

    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Ignore:
    """A config ignore: a rule (or ``domain/*``), optionally limited to paths or targets."""

    rule: str
    paths: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    reason: str = ""
    position: Position | None = None
    key_path: str = ""  # e.g. ignore[2], for error messages


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Config:
    """launchready.yml after validation. ``sections`` holds each check's own section."""

    path: str | None = None
    fail_on: str | None = None
    baseline: str | None = None
    ignores: tuple[Ignore, ...] = ()
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=_empty)
    positions: Mapping[str, Position] = field(default_factory=_empty)

    def section(self, key: str) -> Mapping[str, Any] | None:
        return self.sections.get(key)

    def position(self, key_path: str) -> Position | None:
        return self.positions.get(key_path)

    def error(self, key_path: str, message: str, hint: str | None = None) -> ConfigError:
        """A config error at ``key_path``'s place in the file (a check that finds a value
        it cannot use after validation: a path outside the repository, a ref git lacks)."""
        from launchready_ci.errors import ConfigError, ConfigProblem

        where = self.position(key_path)
        problem = ConfigProblem(
            where.path if where else self.path or "launchready.yml",
            where.line if where else None,
            where.column if where else None,
            key_path,
            message,
            hint,
        )
        return ConfigError([problem])
