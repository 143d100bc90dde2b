from __future__ import annotations

import posixpath
from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan, UseKind
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules._names import is_github_builtin
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class ExampleMissingKey(EnvRule):
    """Code reads a required variable that the `.env.example` next to it does not list.

    Why
    ---
    `.env.example` is how a new developer, a preview deploy or a fresh staging
    environment learns which variables to set. A required variable missing from it is
    found the hard way: the app crashes on start, or a feature silently stays off,
    on the first machine that follows the template.

    A variable counts as required when its inventory entry has a non-empty
    `required_in` (the owner's decision; a read with a default such as
    `os.getenv("X", "1")` does not make a variable optional for this rule, and a read
    without one does not make it required). The template that must list it is the
    nearest `.env.example`, `.env.sample`, `.env.template` or `<name>.env.example` in
    the directory of the reading file or above it, so each app of a monorepo is held to
    its own template. Where no template exists, or the variable is not in the
    inventory (see `env/not-in-inventory`), nothing is reported.

    The finding is on the first line that reads the variable (in path order) under
    that template: in a pull request that adds a read, that is the line it adds. Only
    code reads count (not Dockerfiles, compose files or workflows, which are deploy
    configuration). A template with no keys at all is not seen as a template.

    Remediation
    -----------
    Add the variable to the template with an empty or obviously fake value
    (`STRIPE_SECRET_KEY=`) and a comment saying where to get a real one. Never copy a
    real value into a template: it is committed.

    References
    ----------
    - https://12factor.net/config
    - https://github.com/motdotla/dotenv#should-i-commit-my-env-file
    """

    id = "env/example-missing-key"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> app.py <==\nimport os\nkey = os.environ['STRIPE_SECRET_KEY']\n"
            "==> .env.example <==\nDATABASE_URL=\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    purpose: Charge cards\n"
            '    owner: "@payments"\n    secret: true\n    required_in: [production]\n'
            "  DATABASE_URL:\n    purpose: Postgres\n"
            '    owner: "@platform"\n    secret: true',
        ),
        "good": (
            "==> app.py <==\nimport os\nkey = os.environ['STRIPE_SECRET_KEY']\n"
            "==> .env.example <==\nDATABASE_URL=\nSTRIPE_SECRET_KEY=\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    purpose: Charge cards\n"
            '    owner: "@payments"\n    secret: true\n    required_in: [production]\n'
            "  DATABASE_URL:\n    purpose: Postgres\n"
            '    owner: "@platform"\n    secret: true',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        templates: dict[str, dict[str, set[str]]] = {}  # folder -> template -> keys
        for use in scan.uses:
            if use.kind == UseKind.EXAMPLE:
                in_folder = templates.setdefault(posixpath.dirname(use.path), {})
                in_folder.setdefault(use.path, set()).add(use.name)
        if not templates:
            return
        reported: set[tuple[str, str]] = set()
        reads = sorted(
            (u for u in scan.uses if u.kind == UseKind.READ),
            key=lambda u: (u.path, u.line, u.column),
        )
        for use in reads:
            entry = inventory.entries.get(use.name)
            if entry is None or not entry.required_in or is_github_builtin(use.name):
                continue
            folder = _nearest(posixpath.dirname(use.path), templates)
            if folder is None or (folder, use.name) in reported:
                continue
            if any(use.name in keys for keys in templates[folder].values()):
                continue
            reported.add((folder, use.name))
            template = min(templates[folder])
            yield cls.finding(
                f"{use.name} is required in {', '.join(entry.required_in)} "
                f"but {template} does not list it",
                use.location(),
                content=f"{template}:{use.name}",
                properties={"variable": use.name, "template": template},
            )


def _nearest(folder: str, templates: dict[str, dict[str, set[str]]]) -> str | None:
    """The closest folder at or above ``folder`` that holds a template."""
    while True:
        if folder in templates:
            return folder
        if not folder:
            return None
        folder = posixpath.dirname(folder)
