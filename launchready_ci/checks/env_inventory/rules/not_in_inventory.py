from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan, UseKind
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules._names import (
    NEEDS_ENTRY,
    is_github_builtin,
    provided_by,
)
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register

_VERBS = {
    UseKind.PASS: "is passed in here",
    UseKind.SECRET_REF: "is a GitHub secret used here",
    UseKind.VAR_REF: "is a GitHub variable used here",
}


#: Uses where a platform-provided name needs no entry; a stored GitHub secret or variable
#: of that name (``${{ vars.FLY_REGION }}``) is the team's own.
_FROM_OUTSIDE = frozenset({UseKind.READ, UseKind.PASS})


@register
class NotInInventory(EnvRule):
    """Code reads, or a deploy file needs, a variable that has no entry in the inventory.

    Why
    ---
    A variable nobody wrote down is a launch surprise: production starts without it,
    or with a value nobody can explain, and when it leaks nobody knows who can rotate
    it. The inventory is the one list that says what each variable is for, who owns it,
    whether it is a secret and where it must be set.

    One finding per place that makes the environment provide a variable the inventory
    does not list, so each can be annotated on its line and suppressed where it is:

    - code reads it: Python (with `ast`: `os.environ["X"]`, `os.environ.get("X")`,
      `os.getenv("X")`, `environ["X"]` after `from os import environ`, and the fields
      of pydantic-settings `BaseSettings` classes with their `env_prefix` and aliases),
      JavaScript and TypeScript (`process.env.X`, `process.env["X"]`,
      `const { X } = process.env`, `import.meta.env.X`, `Bun.env.X`,
      `Deno.env.get("X")`), Ruby (`ENV["X"]`, `ENV.fetch("X", default)`, also in ERB
      and in Rails' `config/*.yml`), Go (`os.Getenv("X")`, `os.LookupEnv("X")`, and
      `env:"X"` struct tags);
    - a deploy file passes it in from outside: a Dockerfile `ARG X` without a default,
      a compose `environment:` entry `- X`, `X:` or `X: ${X}` (and every `${Y}` that a
      compose value interpolates), a workflow `env:` entry `X: ${{ secrets.Y }}`;
    - a workflow refers to a stored secret or variable, `${{ secrets.X }}` or
      `${{ vars.X }}`, anywhere but as the whole value of an `env:` entry (there the
      entry's name stands for it, as the variable the program sees).

    Not reported: keys that only a `.env.example` lists (see `env/example-extra-key`);
    variables that a Dockerfile, compose file or workflow sets to a value written in
    that file (`ENV PORT=8000`, `NODE_ENV: production`): the file defines them; and the
    variables GitHub Actions sets itself (`GITHUB_TOKEN`, `GITHUB_SHA` and the other
    default `GITHUB_` variables, `RUNNER_*`, `ACTIONS_*`, `CI`).

    What the readers cannot see: names computed at run time (`os.environ[name]`,
    `process.env[key]`, `ENV["#{prefix}_URL"]`), variables read by frameworks and
    libraries on your behalf (django-environ, Prisma's `DATABASE_URL`, kelseyhightower
    envconfig, viper), settings classes whose `BaseSettings` base comes from another
    module, shell scripts and `run:` steps, and code inside comments or strings.

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
            if (
                use.kind not in NEEDS_ENTRY
                or use.test_only
                or use.name in inventory.entries
                or is_github_builtin(use.name)
                or (use.kind in _FROM_OUTSIDE and provided_by(use.name) is not None)
            ):
                continue
            verb = _VERBS.get(use.kind, "is read here")
            yield cls.finding(
                f"{use.name} {verb} but has no entry in {inventory.path}",
                use.location(),
                content=use.name,
                properties={"variable": use.name},
            )
