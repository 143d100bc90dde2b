"""Every check, imported explicitly so that the rule registry is complete and ordered."""

from __future__ import annotations

from launchready_ci import suppressions  # noqa: F401  (registers launchready/unused-ignore)
from launchready_ci.checks.base import Check
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
from launchready_ci.checks.workflows.check import (  # noqa: F401  (registers its rules; not in
    WorkflowsCheck,  # CHECKS: `launchready audit` runs the deploy workflow review)
)

__all__ = ["CHECKS", "Check"]

#: In the order they run and are reported.
CHECKS: tuple[type[Check], ...] = (SecretsCheck, EnvInventoryCheck, MigrationsCheck)
