"""Placeholder replaced by the env-inventory check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.context import RunContext
from launchready_ci.findings import Finding

__all__ = ["EnvInventoryCheck"]


class EnvInventoryCheck(Check):
    id = "env"
    title = "Environment inventory"
    config_key = "env"
    needs_config = True
    enable_snippet = "env:\n  inventory: env-inventory.yml\n"

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        return iter(())
