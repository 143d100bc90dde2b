"""Every check, imported explicitly so that the rule registry is complete and ordered.

The checks are imported on first use (``CHECKS``, :func:`load_all`, or
:func:`launchready_ci.rules.all_rules`), not when a submodule is: a command that needs one
part (``launchready env init`` reads code) does not pay for importing them all
(detect-secrets, httpx, dnspython ... about half a second, more on a loaded machine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["CHECKS", "Check", "check_class", "load_all"]

if TYPE_CHECKING:
    from launchready_ci.checks.base import Check

    #: In the order they run and are reported.
    CHECKS: tuple[type[Check], ...]


def load_all() -> tuple[type[Check], ...]:
    """Import every check (registering every rule); the checks ``run`` runs, in order."""
    from launchready_ci import suppressions  # noqa: F401  (registers launchready/* rules)
    from launchready_ci.checks.domain.check import (  # noqa: F401  (registers its rules; not in
        DomainCheck,  # CHECKS: it queries the network, see `launchready domain check`)
    )
    from launchready_ci.checks.email.check import (  # noqa: F401  (registers its rules; not in
        EmailCheck,  # CHECKS: it reports the smoke test's email steps)
    )
    from launchready_ci.checks.env_inventory.check import EnvInventoryCheck
    from launchready_ci.checks.env_inventory.verify import (  # noqa: F401  (registers its rules;
        EnvVerifyCheck,  # not in CHECKS: it needs an environment, see `launchready env verify`)
    )
    from launchready_ci.checks.migrations.check import (  # noqa: F401  (registers its rules;
        MigrationsCheck,
        MigrationsDryRunCheck,  # not in CHECKS: it needs a database, see `migrations dry-run`)
    )
    from launchready_ci.checks.secrets.check import SecretsCheck
    from launchready_ci.checks.smoke.check import (  # noqa: F401  (registers its rules; not in
        SmokeCheck,  # CHECKS: it sends requests to a live release, see `launchready smoke run`)
    )
    from launchready_ci.checks.workflows.check import (  # noqa: F401  (registers its rules; not
        WorkflowsCheck,  # in CHECKS: `launchready audit` runs the deploy workflow review)
    )

    return (SecretsCheck, EnvInventoryCheck, MigrationsCheck)


#: id, module and class of each check of ``CHECKS``, in order.
_RUN_CHECKS = (
    ("secrets", "launchready_ci.checks.secrets.check", "SecretsCheck"),
    ("env", "launchready_ci.checks.env_inventory.check", "EnvInventoryCheck"),
    ("migrations", "launchready_ci.checks.migrations.check", "MigrationsCheck"),
)


def check_class(check_id: str) -> type[Check] | None:
    """The check of ``CHECKS`` whose id is ``check_id`` (None for another id), importing
    that check alone."""
    import importlib

    for cid, module, name in _RUN_CHECKS:
        if cid == check_id:
            found: type[Check] = getattr(importlib.import_module(module), name)
            return found
    return None


def __getattr__(name: str) -> Any:
    if name == "Check":  # on first use too: a reader's import need not load the config model
        from launchready_ci.checks.base import Check

        globals()["Check"] = Check
        return Check
    if name == "CHECKS":
        checks = load_all()
        globals()["CHECKS"] = checks
        return checks
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
