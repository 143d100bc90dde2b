"""What the env-inventory check works with: variable uses found in code, the inventory,
and the :class:`Scan` that every rule reads.

Values never enter a finding. ``Entry.default`` is kept for later rules but is left out
of ``repr`` so that it does not leak into logs or tracebacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from launchready_ci.checks.env_inventory.formats import Format
from launchready_ci.findings import Location

__all__ = ["NAME_PATTERN", "Entry", "Inventory", "Scan", "Use", "UseKind"]

#: The inventory file when the config names none.
DEFAULT_INVENTORY: Final = "env-inventory.yml"

#: What counts as a variable name, in code and in the inventory (the schema says the same).
NAME_PATTERN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UseKind:
    """How a file mentions a variable."""

    READ: Final = "read"  # code reads it: os.environ["X"], process.env.X ...
    EXAMPLE: Final = "example"  # a template such as .env.example lists it
    # A deploy file (Dockerfile, compose file, workflow, env_file) gives it a value,
    # passed in from outside (`- X`, `X: ${X}`, `ARG X`, `X: ${{ secrets.X }}`), derived
    # or empty (`$PATH:/x`, `${{ github.sha }}`, a localhost URL), written out
    # (`ENV PORT=8000`), or a URL with a password written out:
    PASS: Final = "pass"  # noqa: S105
    SET: Final = "set"
    LITERAL: Final = "literal"
    CREDENTIAL: Final = "credential"
    # A GitHub workflow names a value stored in GitHub, `${{ secrets.X }}` or
    # `${{ vars.X }}` (outside an `env:` entry that takes it whole):
    SECRET_REF: Final = "secret-ref"  # noqa: S105
    VAR_REF: Final = "var-ref"
    # Code reads a name built at run time: os.environ[f"{prefix}_URL"]. The use's name is
    # the expression as written ("{prefix}_URL"), never a variable name.
    DYNAMIC: Final = "dynamic"


@dataclass(frozen=True)
class Use:
    """One place that mentions a variable. ``line`` and ``column`` are 1-based; the
    column is in characters and points at the name (or its opening quote)."""

    name: str
    path: str
    line: int
    column: int
    kind: str = UseKind.READ
    #: The file is a test, a test fixture or test configuration (see readers.is_test_path).
    test_only: bool = False

    def location(self) -> Location:
        return Location(
            path=self.path,
            start_line=self.line,
            end_line=self.line,
            start_column=self.column,
            target=self.name,
            target_kind="env-var",
        )


Scalar = str | int | float | bool


@dataclass(frozen=True)
class Entry:
    """One variable of the inventory; ``line``/``column`` are those of its name."""

    name: str
    line: int
    column: int
    purpose: str | None = None
    owner: str | None = None
    secret: bool | None = None  # None: the inventory does not say
    required_in: tuple[str, ...] = ()
    format: Format | None = None  # see formats.py
    default: Scalar | None = field(default=None, repr=False)
    stored_in: str | None = None
    rotation: str | None = None
    provided: str | None = None  # set by the platform, CI or framework (see rules._names)


@dataclass(frozen=True)
class Inventory:
    """The parsed inventory file; ``path`` is relative to the repository root."""

    path: str
    entries: Mapping[str, Entry] = field(default_factory=lambda: MappingProxyType({}))

    def location(self, entry: Entry) -> Location:
        return Location(
            path=self.path,
            start_line=entry.line,
            end_line=entry.line,
            start_column=entry.column,
            target=entry.name,
            target_kind="env-var",
        )


@dataclass(frozen=True)
class Scan:
    """Everything the rules look at, gathered once by the check.

    ``inventory`` is None when the file does not exist; ``inventory_path`` is the
    configured path either way, and ``setting`` is where launchready.yml configures it.
    """

    uses: tuple[Use, ...]
    inventory: Inventory | None
    inventory_path: str
    setting: Location

    def used_names(self) -> frozenset[str]:
        return frozenset(u.name for u in self.uses)
