from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan, UseKind
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.checks.env_inventory.rules._names import looks_secret
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class SecretLiteral(EnvRule):
    """A secret is given a value written out in a workflow, compose file or Dockerfile.

    Why
    ---
    A value written into a committed file is readable by everyone with access to the
    repository, its forks and its history, and, for a Dockerfile, by everyone who can
    pull the image (`ENV` and `ARG` values stay in the image's metadata and history).
    Rotating it means a commit, and the old value stays in git forever.

    Reported, on the line of the variable's name (the value is never shown):

    - a variable marked `secret: true` in the inventory, given a value written out in a
      workflow `env:` block, a compose `environment:` or `build.args`, an env file that
      a compose file loads with `env_file:` (when it is committed), or a Dockerfile
      `ENV` or `ARG` default;
    - any variable given a URL with a password written out (`postgres://app:pw@db/app`)
      in those places;
    - a variable the inventory does not mark either way, whose name looks like a
      secret's: it contains the word `SECRET`, `TOKEN`, `PASSWORD`, `PASSWD`, `PASS`,
      `CREDENTIALS`, `APIKEY`, `API_KEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `AUTH_KEY`,
      `SIGNING_KEY` or `ENCRYPTION_KEY`, and does not end in a word such as `_URL`,
      `_FILE`, `_NAME`, `_ID` or `_TTL` (confidence medium).

    Fine, and not reported: `${{ secrets.X }}` and other `${{ }}` expressions,
    interpolations such as `${X}`, `$X` or `${X:-dev-default}` (the default is a
    fallback for local runs; `launchready env verify` checks what production really
    gets), empty values, a URL whose password is an interpolation, a URL to
    `localhost` or `127.0.0.1` (a CI or local database), a database connection string
    without a password (`redis://redis:6379/0`, `postgres://db/app`), a variable marked
    `secret: false`, public-prefixed names (`NEXT_PUBLIC_`, `VITE_` ...) not marked
    secret, `.env.example`
    templates (their values are examples by definition), files of the test suite (a
    compose file under `tests/` or `testing/`, fixtures: their values are fake by
    construction; the secrets scan still reads them), and `env:` of a workflow's
    service containers (throwaway CI databases). Not seen: values written in `run:`
    scripts, shell files, Kubernetes manifests or Terraform.

    Remediation
    -----------
    Move the value into a secret store and pass it in: `${{ secrets.X }}` in a
    workflow, `X: ${X}` or `- X` in a compose file (set in the deploy environment), a
    build secret in a Dockerfile (`RUN --mount=type=secret,id=x`) rather than `ARG` or
    `ENV`. Then rotate the value: it has been committed, so treat it as leaked. If the
    value is not secret, mark the variable `secret: false` in the inventory.

    References
    ----------
    - https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions
    - https://docs.docker.com/compose/how-tos/environment-variables/set-environment-variables/
    - https://docs.docker.com/build/building/secrets/
    """

    id = "env/secret-literal"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> docker-compose.yml <==\nservices:\n  web:\n    image: app\n"
            "    environment:\n      STRIPE_SECRET_KEY: not-a-real-key-but-written-out\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    purpose: Charge cards\n"
            '    owner: "@payments"\n    secret: true',
        ),
        "good": (
            "==> docker-compose.yml <==\nservices:\n  web:\n    image: app\n"
            "    environment:\n      STRIPE_SECRET_KEY: ${STRIPE_SECRET_KEY}\n"
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  STRIPE_SECRET_KEY:\n    purpose: Charge cards\n"
            '    owner: "@payments"\n    secret: true',
        ),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        inventory = scan.inventory
        for use in scan.uses:
            if use.kind not in (UseKind.LITERAL, UseKind.CREDENTIAL) or use.test_only:
                continue
            entry = inventory.entries.get(use.name) if inventory is not None else None
            secret = entry.secret if entry is not None else None
            confidence = Confidence.HIGH
            if secret is False:
                continue
            if secret is True and inventory is not None:
                why, reason = f"marked secret in {inventory.path}", "inventory"
            elif use.kind == UseKind.CREDENTIAL:
                why, reason = "a URL with a password", "credential-url"
            elif looks_secret(use.name):
                why, reason = "named like a secret", "name"
                confidence = Confidence.MEDIUM
            else:
                continue
            yield cls.finding(
                f"{use.name} is {why}, but its value is written out in {use.path}",
                use.location(),
                content=use.name,
                confidence=confidence,
                properties={"variable": use.name, "reason": reason},
            )
