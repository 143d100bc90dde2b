from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules._names import NEEDS_ENTRY, is_github_builtin
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class InventoryMissing(EnvRule):
    """The env check is configured but its inventory file does not exist.

    Why
    ---
    Turning the check on says "we keep an inventory of our environment variables"; a
    missing file means that list does not exist yet (or the setting points at the wrong
    place), so nothing about names, owners or secrets can be checked.

    The finding is on the `inventory:` setting (or the `env:` section) of
    launchready.yml and says how many variables need an entry (those that code reads,
    deploy files pass in, or workflows take from GitHub's secrets and variables; see
    `env/not-in-inventory`), so you know how much the new file must list. The rules
    that compare with the inventory do not run until the file exists;
    `env/secret-literal`, which needs only the files, does. A repository whose code
    reads no variable (yet) needs no inventory, and gets no finding.
    The inventory path must stay inside the repository; one outside is a configuration
    error.

    Remediation
    -----------
    Create the file (by default `env-inventory.yml` at the repository root) with
    `version: 1` and a `variables:` entry for each variable the code reads, or fix the
    `env.inventory` path in launchready.yml.

    References
    ----------
    - https://12factor.net/config
    """

    id = "env/inventory-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> launchready.yml <==\nenv:\n  inventory: env-inventory.yml\n"
            "==> app.py <==\nimport os\nos.environ['DATABASE_URL']",
        ),
        "good": (
            "==> launchready.yml <==\nenv:\n  inventory: env-inventory.yml\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables: {}",
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        if scan.inventory is not None:
            return
        names = sorted(
            {u.name for u in scan.uses if u.kind in NEEDS_ENTRY and not is_github_builtin(u.name)}
        )
        if not names:
            return  # nothing would need an entry: an empty inventory proves nothing
        count = f"{len(names)} variable{'' if len(names) == 1 else 's'}"
        yield cls.finding(
            f"inventory file {scan.inventory_path} not found; the repository needs {count}",
            scan.setting,
            content=scan.inventory_path,
            properties={"inventory": scan.inventory_path, "variables": ",".join(names)},
        )
