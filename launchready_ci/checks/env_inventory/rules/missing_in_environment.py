from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.rules._verify import Verification, VerifyRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class MissingInEnvironment(VerifyRule):
    """A variable the inventory requires in this environment is not set, or is empty.

    Why
    ---
    An application that starts without a required variable fails at the first request
    that needs it, or worse, falls back to a default that is wrong in production. At
    deploy time the fix is one setting away; after the deploy it is an outage.

    `launchready env verify --environment NAME` reads the values the deploy will use
    (the process environment of the deploy job, or a dotenv, JSON or `env -0` file) and
    reports every inventory entry whose `required_in` lists NAME and whose value is
    absent, empty or only whitespace. The finding is on the entry's line in the
    inventory; it never shows a value.

    Remediation
    -----------
    Set the variable where this environment's configuration is stored, then deploy
    again; the entry's `stored_in` says where. If the environment does not need it,
    take the environment out of the entry's `required_in`.

    References
    ----------
    - https://12factor.net/config
    - https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#environment-secrets
    """

    id = "env/missing-in-environment"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  DATABASE_URL:\n    secret: true\n    required_in: [production]\n"
            "==> .env.production <==\nDATABASE_URL=\n",
        ),
        "good": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  DATABASE_URL:\n    secret: true\n    required_in: [production]\n"
            "==> .env.production <==\nDATABASE_URL=postgres://app@db.internal/app\n",
        ),
    }

    @classmethod
    def verify(cls, verification: Verification) -> Iterator[Finding]:
        env = verification.environment
        source = verification.values
        for entry in verification.entries():
            if env not in entry.required_in or verification.present(entry) is not None:
                continue
            state = "is not set" if source.values.get(entry.name) is None else "is empty"
            yield cls.finding(
                f"{entry.name} is required in {env} but {state} in {source.label}",
                verification.inventory.location(entry),
                content=f"{entry.name}:{env}",
                remediation=_where(entry.name, env, entry.stored_in),
                properties={"variable": entry.name, "environment": env},
            )


def _where(name: str, environment: str, stored_in: str | None) -> str | None:
    """A remediation naming where the value goes, when the inventory says."""
    where = (stored_in or "").strip()
    if not where:
        return None
    return f"Set {name} for {environment} in {where}, then deploy again."
