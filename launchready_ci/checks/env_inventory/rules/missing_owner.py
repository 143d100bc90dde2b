from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class MissingOwner(EnvRule):
    """An inventory entry does not say who owns the variable or what it is for.

    Why
    ---
    When a value leaks, expires or breaks production at launch, the first questions are
    "what is this for?" and "who can change it?". An entry without answers is a name
    on a list; the inventory earns its keep only when every variable has both.

    An entry whose `owner` or `purpose` is absent, empty or only spaces is reported on
    its line in the inventory. The rule reads the inventory only; it cannot tell
    whether an owner still works here or a purpose is still true.

    Remediation
    -----------
    Fill in `owner` (a team, a person or an @handle) and `purpose` (one sentence) for
    the entry.

    References
    ----------
    - https://12factor.net/config
    """

    id = "env/missing-owner"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> app.py <==\nimport os\nurl = os.environ['DATABASE_URL']\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  DATABASE_URL:\n    secret: true",
        ),
        "good": (
            "==> app.py <==\nimport os\nurl = os.environ['DATABASE_URL']\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  DATABASE_URL:\n    purpose: Postgres connection for the members database\n"
            '    owner: "@platform"\n    secret: true',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        for entry in inventory.entries.values():
            missing = [
                key
                for key, value in (("owner", entry.owner), ("purpose", entry.purpose))
                if not (value or "").strip()
            ]
            if not missing:
                continue
            yield cls.finding(
                f"{entry.name} has no {' or '.join(missing)} in {inventory.path}",
                inventory.location(entry),
                content=entry.name,
                properties={"variable": entry.name, "missing": ",".join(missing)},
            )
