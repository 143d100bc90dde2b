from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan, UseKind
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules._names import dynamic_matcher, is_github_builtin
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class ExampleExtraKey(EnvRule):
    """A `.env.example` lists a key that nothing uses and the inventory does not have.

    Why
    ---
    Every key in the template is a question for the next person who sets the app up:
    "where do I get this value?". A key nothing uses sends them hunting for a
    credential the app no longer needs, and keeps an old secret alive in everyone's
    local `.env`.

    A key of `.env.example`, `.env.sample`, `.env.template` or `<name>.env.example` is
    reported on its line when the inventory has no entry for it and no other file
    mentions it: no code reads it, and no Dockerfile, compose file or workflow sets or
    passes it (any template counts, anywhere in the repository), and no read that builds
    its name at run time could produce it (`os.environ[f"{prefix}_URL"]` could be
    `SMTP_URL`: see `env/dynamic-read`). Confidence is medium:
    a variable read by a framework, a library or a shell script is invisible to the
    readers (see `env/not-in-inventory`). A key that something uses but the inventory
    lacks is reported at the use, by `env/not-in-inventory`, not here.

    Remediation
    -----------
    Delete the key from the template. If something the readers cannot see needs it,
    add an inventory entry that says what it is for (that keeps it, and documents it).

    References
    ----------
    - https://12factor.net/config
    """

    id = "env/example-extra-key"
    severity = Severity.NOTICE
    confidence = Confidence.MEDIUM
    examples = {
        "bad": (
            "==> app.py <==\nimport os\nurl = os.environ['DATABASE_URL']\n"
            "==> .env.example <==\nDATABASE_URL=\nOLD_MAILER_TOKEN=\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  DATABASE_URL:\n    purpose: Postgres\n"
            '    owner: "@platform"\n    secret: true',
        ),
        "good": (
            "==> app.py <==\nimport os\nurl = os.environ['DATABASE_URL']\n"
            "==> .env.example <==\nDATABASE_URL=\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  DATABASE_URL:\n    purpose: Postgres\n"
            '    owner: "@platform"\n    secret: true',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        if inventory is None:
            return
        used = {u.name for u in scan.uses if u.kind != UseKind.EXAMPLE}
        dynamic = dynamic_matcher(scan.uses)
        for use in scan.uses:
            if (
                use.kind != UseKind.EXAMPLE
                or use.name in used
                or use.name in inventory.entries
                or is_github_builtin(use.name)
                or (dynamic is not None and dynamic.fullmatch(use.name))
            ):
                continue
            yield cls.finding(
                f"{use.name} is listed in {use.path} but nothing uses it "
                f"and {inventory.path} has no entry for it",
                use.location(),
                content=use.name,
                properties={"variable": use.name},
            )
