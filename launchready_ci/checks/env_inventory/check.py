"""The environment-variable inventory check.

It compares the variables the repository mentions (Python, JavaScript/TypeScript,
Ruby, Go, Dockerfiles, compose files, GitHub workflows, ``.env.example``; see
:mod:`.readers`) with the inventory file (``env-inventory.yml``;
see :mod:`.inventory`), and runs each rule of :data:`EnvInventoryCheck.rules` over the
result. A rule is one module in ``rules/`` with a ``check(scan)`` classmethod.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from launchready_ci.checks.base import Check
from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.checks.env_inventory.model import DEFAULT_INVENTORY, Inventory, Scan
from launchready_ci.checks.env_inventory.readers import read_uses
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules.dynamic_read import DynamicRead
from launchready_ci.checks.env_inventory.rules.example_extra_key import ExampleExtraKey
from launchready_ci.checks.env_inventory.rules.example_missing_key import ExampleMissingKey
from launchready_ci.checks.env_inventory.rules.inventory_missing import InventoryMissing
from launchready_ci.checks.env_inventory.rules.missing_owner import MissingOwner
from launchready_ci.checks.env_inventory.rules.not_in_inventory import NotInInventory
from launchready_ci.checks.env_inventory.rules.public_prefix_secret import PublicPrefixSecret
from launchready_ci.checks.env_inventory.rules.secret_literal import SecretLiteral
from launchready_ci.checks.env_inventory.rules.unused_entry import UnusedEntry
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckError
from launchready_ci.findings import Finding, Location

__all__ = ["DEFAULT_INVENTORY", "EnvInventoryCheck"]


class EnvInventoryCheck(Check):
    id = "env"
    title = "Environment inventory"
    config_key = "env"
    needs_config = True
    enabled_by = DEFAULT_INVENTORY  # a root env-inventory.yml turns the check on
    enable_snippet = "env:\n  inventory: env-inventory.yml\n"
    rules: ClassVar[tuple[type[EnvRule], ...]] = (
        InventoryMissing,
        SecretLiteral,
        PublicPrefixSecret,
        NotInInventory,
        ExampleMissingKey,
        ExampleExtraKey,
        MissingOwner,
        UnusedEntry,
        DynamicRead,
    )

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        scan = self.scan(ctx, section)
        for rule in self.rules:
            yield from rule.check(scan)

    @staticmethod
    def scan(ctx: RunContext, section: Mapping[str, Any]) -> Scan:
        configured = str(section.get("inventory", DEFAULT_INVENTORY))
        setting = _setting_location(ctx, "inventory" in section, configured)
        path = _inventory_path(ctx, configured)
        display = ctx.relpath(path)
        uses = tuple(read_uses(ctx.root, section.get("exclude", ())))
        # A missing file is a finding (env/inventory-missing), not a ConfigError: the
        # config is valid, and "this repository has no inventory yet" is the very kind
        # of launch gap the check exists to report. As a finding it is located at the
        # setting, appears in annotations, SARIF and the summary like any other problem,
        # can be baselined while the file is being written, and says how many variables
        # the file must cover. A ConfigError would mark the check "errored", which reads
        # as "launchready is broken" and hides all of that.
        inventory = _load(path, display) if path.is_file() else None
        return Scan(uses=uses, inventory=inventory, inventory_path=display, setting=setting)


def _setting_location(ctx: RunContext, explicit: bool, configured: str) -> Location:
    config = ctx.config
    position = (config.position("env.inventory") if explicit else None) or config.position("env")
    if config.path is None or position is None:
        return Location(target=configured, target_kind="file")
    return Location(
        path=position.path,
        start_line=position.line,
        end_line=position.line,
        start_column=position.column,
        target=configured,
        target_kind="file",
    )


def _inventory_path(ctx: RunContext, configured: str) -> Path:
    """The inventory must live in the repository: it is reviewed with the code."""
    root = ctx.root.resolve()
    path = (root / configured).resolve()
    if path.is_relative_to(root):
        return path
    raise ctx.config.error(
        "env.inventory",
        "the inventory file must be inside the repository",
        "expected a path relative to the repository root, such as env-inventory.yml",
    )


def _load(path: Path, display: str) -> Inventory:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CheckError(f"cannot read {display}: {exc.strerror}") from None
    return load_inventory(raw, display)
