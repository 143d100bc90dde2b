from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules._names import dynamic_matcher
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class UnusedEntry(EnvRule):
    """The inventory lists a variable that nothing in the repository reads.

    Why
    ---
    Stale entries make the inventory lie: people keep setting, paying for and rotating
    credentials the app stopped using, and an old secret stays alive in every
    environment long after anyone remembers why.

    The finding is on the entry's line in the inventory. Any mention counts as a use:
    code that reads the variable, a key of `.env.example`, `.env.sample` or
    `.env.template`, a Dockerfile `ENV`/`ARG`, a compose `environment:`, `build.args`
    or `env_file:` key, a workflow `env:` key, and `${{ secrets.X }}` or
    `${{ vars.X }}` in a workflow (see `env/not-in-inventory` for what each reader
    sees). So `ENV PORT=8000` alone keeps `PORT` in use: the platform or framework reads
    it. An entry that a read building its name at run time could produce
    (`os.environ[f"{prefix}_URL"]`) is not reported either. Confidence is medium
    because many reads are invisible to the readers: names
    computed at run time (`os.environ[name]`), variables read by a framework, library
    or platform on your behalf (`DATABASE_URL` for Prisma), and shell scripts.

    Remediation
    -----------
    If nothing uses the variable, delete its entry and remove the value from every
    environment and secret store. If something the readers cannot see uses it, list it
    in `.env.example` (which counts as a use) or suppress this finding for it with
    `ignore: [{rule: env/unused-entry, targets: [NAME], reason: ...}]`.

    References
    ----------
    - https://12factor.net/config
    """

    id = "env/unused-entry"
    severity = Severity.NOTICE
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "==> app.py <==\nprint('hello')\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  LEGACY_API_TOKEN:\n    purpose: Old partner API\n"
            '    owner: "@platform"\n    secret: true',
        ),
        "good": (
            "==> app.py <==\nimport os\ntoken = os.getenv('LEGACY_API_TOKEN')\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  LEGACY_API_TOKEN:\n    purpose: Old partner API\n"
            '    owner: "@platform"\n    secret: true',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        used = scan.used_names()
        dynamic = dynamic_matcher(scan.uses)
        for entry in inventory.entries.values():
            if entry.name in used or (dynamic is not None and dynamic.fullmatch(entry.name)):
                continue
            yield cls.finding(
                f"{entry.name} has an inventory entry but nothing in the repository uses it",
                inventory.location(entry),
                content=entry.name,
                properties={"variable": entry.name},
            )
