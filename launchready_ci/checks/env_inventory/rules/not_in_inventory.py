from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan, UseKind
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class NotInInventory(EnvRule):
    """Code reads an environment variable that has no entry in the inventory.

    Why
    ---
    A variable nobody wrote down is a launch surprise: production starts without it,
    or with a value nobody can explain, and when it leaks nobody knows who can rotate
    it. The inventory is the one list that says what each variable is for, who owns it,
    whether it is a secret and where it must be set.

    The check reads Python (with `ast`), JavaScript and TypeScript (`.js .jsx .ts .tsx
    .mjs .cjs .mts .cts`, by pattern) and `.env.example`-style templates, and reports
    every place that names a variable the inventory does not list: one finding per use,
    so each can be annotated and suppressed where it is.

    What it sees: names written literally, such as `os.environ["X"]`,
    `os.environ.get("X")`, `os.getenv("X")`, `environ["X"]` after `from os import
    environ`, `process.env.X`, `process.env["X"]`, `import.meta.env.X`,
    `const { X } = process.env`, and the keys of `.env.example`, `.env.sample` and
    `.env.template`. What it cannot see: names computed at run time
    (`os.environ[name]`, `process.env[key]`), variables read by frameworks or settings
    libraries on your behalf (pydantic-settings, django-environ, Prisma's
    `DATABASE_URL`), shell scripts, Dockerfiles and workflow files, and code inside
    comments or strings.

    Remediation
    -----------
    Add an entry for the variable to the inventory (by default `env-inventory.yml`)
    with at least `purpose`, `owner` and `secret`. If the read is dead code, delete it.

    References
    ----------
    - https://12factor.net/config
    - https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment
    """

    id = "env/not-in-inventory"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            '==> app.py <==\nimport os\nstripe_key = os.environ["STRIPE_SECRET_KEY"]\n'
            "==> env-inventory.yml <==\nversion: 1\nvariables: {}",
        ),
        "good": (
            '==> app.py <==\nimport os\nstripe_key = os.environ["STRIPE_SECRET_KEY"]\n'
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    purpose: Charge cards for memberships\n"
            '    owner: "@payments"\n    secret: true',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        for use in scan.uses:
            if use.name in inventory.entries:
                continue
            verb = "is listed here" if use.kind == UseKind.EXAMPLE else "is read here"
            yield cls.finding(
                f"{use.name} {verb} but has no entry in {inventory.path}",
                use.location(),
                content=use.name,
                properties={"variable": use.name},
            )
