"""The base of every env-inventory rule: metadata (from :class:`Rule`) plus ``check``."""

from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan
from launchready_ci.findings import Finding
from launchready_ci.rules import Rule

__all__ = ["EnvRule"]


class EnvRule(Rule):
    """Not registered itself; subclasses are. ``check`` yields this rule's findings."""

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        raise NotImplementedError
