"""Deploy-time verification of an environment's values against the inventory
(``launchready env verify --environment NAME [--compare OTHER]``).

:class:`EnvVerifyCheck` is configured by its constructor and passed to
``runner.run(..., checks=[EnvVerifyCheck(...)])``; it is not in ``checks.CHECKS``
because it needs an environment and its values. It reads the inventory path from the
``env:`` section of launchready.yml, as the static ``env`` check does, and runs the rules
of :attr:`EnvVerifyCheck.rules`:

- ``env/missing-in-environment``: required here, but absent or blank;
- ``env/invalid-format``: does not fit the entry's ``format``;
- ``env/unsafe-for-environment``: a placeholder anywhere; a local host, a test key or
  plain http in a production-like environment; a live key elsewhere;
- ``env/shared-secret``: with ``compare``, a secret equal in both environments.

An environment is *production-like* when its name, in any case, is ``production``,
``prod``, ``prd`` or ``live``, or starts with ``production``, ``prod`` or ``prd``
followed by ``-``, ``_`` or ``.`` (``prod-eu``); ``production_like=`` overrides that.

Variables that are set but not in the inventory are not reported (the static check
covers what the code reads), except by ``env/shared-secret`` when their name looks
secret. No value, nor any part of one, reaches a finding, an error or a log line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Final

from launchready_ci.checks.base import Check
from launchready_ci.checks.env_inventory.check import (
    DEFAULT_INVENTORY,
    EnvInventoryCheck,
    _inventory_path,
)
from launchready_ci.checks.env_inventory.inventory import load_inventory
from launchready_ci.checks.env_inventory.model import Inventory
from launchready_ci.checks.env_inventory.rules._verify import Verification, VerifyRule
from launchready_ci.checks.env_inventory.rules.invalid_format import InvalidFormat
from launchready_ci.checks.env_inventory.rules.missing_in_environment import (
    MissingInEnvironment,
)
from launchready_ci.checks.env_inventory.rules.shared_secret import SharedSecret
from launchready_ci.checks.env_inventory.rules.unsafe_for_environment import (
    UnsafeForEnvironment,
)
from launchready_ci.checks.env_inventory.values import ValueSource
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckError
from launchready_ci.findings import Finding

__all__ = ["EnvVerifyCheck", "is_production_like"]

_PRODUCTION: Final = re.compile(r"(?:production|prod|prd|live)|(?:production|prod|prd)[-_.].*")


def is_production_like(environment: str) -> bool:
    """Whether ``environment`` is production by its name (see the module docstring)."""
    return bool(_PRODUCTION.fullmatch(environment.strip().lower()))


class EnvVerifyCheck(Check):
    """Verify the values of one environment (and optionally compare with another)."""

    id = "env-verify"
    title = "Environment verify"
    config_key = "env"
    # As `launchready run` treats the env check: without an env: section and without a
    # root env-inventory.yml it is skipped with the snippet that enables it (exit 0); an
    # inventory that the section names and that is missing is an error.
    needs_config = True
    enabled_by = DEFAULT_INVENTORY
    enable_snippet = EnvInventoryCheck.enable_snippet
    rules: ClassVar[tuple[type[VerifyRule], ...]] = (
        MissingInEnvironment,
        InvalidFormat,
        UnsafeForEnvironment,
        SharedSecret,
    )

    def __init__(
        self,
        environment: str,
        values: ValueSource,
        compare: ValueSource | None = None,
        production_like: bool | None = None,
    ) -> None:
        if not environment.strip():
            raise ValueError("an environment name is required")
        self.environment = environment
        self.values = values
        self.compare = compare
        self.production_like = (
            is_production_like(environment) if production_like is None else production_like
        )
        # Check.title is a class attribute; this instance reports under its environment.
        self.__dict__["title"] = f"Environment {environment}"

    def __repr__(self) -> str:
        return (
            f"EnvVerifyCheck(environment={self.environment!r}, values={self.values!r}, "
            f"compare={self.compare!r}, production_like={self.production_like!r})"
        )

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        verification = Verification(
            environment=self.environment,
            production_like=self.production_like,
            inventory=load_configured_inventory(ctx, section),
            values=self.values,
            compare=self.compare,
        )
        for rule in self.rules:
            yield from rule.verify(verification)


def load_configured_inventory(ctx: RunContext, section: Mapping[str, Any]) -> Inventory:
    """The inventory that ``env.inventory`` names; a missing file is a :class:`CheckError`:
    a deploy cannot be verified against nothing."""
    configured = str(section.get("inventory", DEFAULT_INVENTORY))
    path = _inventory_path(ctx, configured)
    display = ctx.relpath(path)
    if not path.is_file():
        raise CheckError(
            f"no inventory at {display}: env verify checks the environment against it "
            "(set env.inventory in launchready.yml if it lives elsewhere)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CheckError(f"cannot read {display}: {exc.strerror}") from None
    return load_inventory(raw, display)
