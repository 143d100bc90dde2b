from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class MissingOwner(EnvRule):
    """Inventory entries do not say who owns the variable or what it is for.

    Why
    ---
    When a value leaks, expires or breaks production at launch, the first questions are
    "what is this for?" and "who can change it?". An entry without answers is a name
    on a list; the inventory earns its keep only when every variable has both.

    Every entry whose `owner` or `purpose` is absent, empty or only spaces is listed in
    one finding, on the line of the first of them in the inventory: a fresh draft has
    them all, and one finding to work through is what a team acts on (a finding per
    entry is hundreds of warnings on a mature repository). Entries marked `provided:`
    (the platform, CI or framework sets them) are not asked for an owner. The rule reads
    the inventory only; it cannot tell whether an owner still works here or a purpose
    is still true.

    Remediation
    -----------
    Fill in `owner` (a team, a person or an @handle) and `purpose` (one sentence) for
    each entry listed; mark a variable that the platform sets `provided: <platform>`.

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

    #: How many names the message lists before "and N more".
    SHOWN = 10

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        lacking = [
            entry
            for entry in inventory.entries.values()
            if entry.provided is None
            and not all((value or "").strip() for value in (entry.owner, entry.purpose))
        ]
        if not lacking:
            return
        names = [entry.name for entry in lacking]
        shown = ", ".join(names[: cls.SHOWN])
        more = f" and {len(names) - cls.SHOWN} more" if len(names) > cls.SHOWN else ""
        noun = "entry has" if len(names) == 1 else f"{len(names)} entries have"
        yield cls.finding(
            f"{noun} no owner or purpose in {inventory.path}: {shown}{more}",
            inventory.location(lacking[0]),
            content=",".join(sorted(names)),
            properties={"variables": ",".join(names), "count": len(names)},
        )
