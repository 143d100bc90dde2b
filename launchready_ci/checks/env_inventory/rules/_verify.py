"""The base of the deploy-time rules (``launchready env verify``) and what they read.

Their ``examples`` are small repositories in the ``==> path <==`` format of the static
rules: ``env-inventory.yml``, then a ``.env.<environment>`` file with the values to
verify (its suffix names the environment) and, for comparisons, a second ``.env.<name>``
file to compare with.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from launchready_ci.checks.env_inventory.model import Entry, Inventory
from launchready_ci.checks.env_inventory.values import ValueSource
from launchready_ci.findings import Finding
from launchready_ci.rules import Rule

__all__ = ["Verification", "VerifyRule"]


@dataclass(frozen=True)
class Verification:
    """One verification: the inventory, the environment and its values.

    ``production_like`` turns on the checks that only production needs (no local hosts,
    no test keys, https). ``compare`` is a second environment whose secrets must differ.
    """

    environment: str
    production_like: bool
    inventory: Inventory
    values: ValueSource
    compare: ValueSource | None = None

    def entries(self) -> list[Entry]:
        """Inventory entries in file order."""
        return sorted(self.inventory.entries.values(), key=lambda e: (e.line, e.column))

    def present(self, entry: Entry) -> str | None:
        """The entry's value when it is set and not blank, else None."""
        value = self.values.values.get(entry.name)
        return value if value is not None and value.strip() else None


class VerifyRule(Rule):
    """Not registered itself; subclasses are. ``verify`` yields this rule's findings."""

    @classmethod
    def verify(cls, verification: Verification) -> Iterator[Finding]:
        raise NotImplementedError
