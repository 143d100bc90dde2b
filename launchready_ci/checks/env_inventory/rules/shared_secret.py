from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Mapping

from launchready_ci.checks.env_inventory.model import Entry
from launchready_ci.checks.env_inventory.rules._verify import Verification, VerifyRule
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.redaction import is_secret_name
from launchready_ci.rules import register


@register
class SharedSecret(VerifyRule):
    """A secret has the same value in two environments.

    Why
    ---
    Staging is where more people have access, debug logging is on and test data is
    copied around. A secret shared with production turns any staging leak into a
    production breach, and rotating it in one place breaks the other.

    `launchready env verify --environment NAME --compare OTHER` reads a second
    environment (a dotenv, JSON or `env -0` file, or an exported environment) and
    compares, for every secret, the two values. Values are never compared or shown side
    by side: each is hashed with HMAC-SHA256 under a random key made for this run and
    then forgotten, and only the hashes are compared. Leading and trailing whitespace is
    ignored. Secrets are the entries with `secret: true`, entries that do not say and
    have a secret-looking name (`..._KEY`, `..._TOKEN`, `..._SECRET`, `PASSWORD`,
    `DATABASE_URL` ...), and variables missing from the inventory with such a name
    (reported with medium confidence). A variable set in only one environment is not
    compared.

    Remediation
    -----------
    Give one of the environments a newly generated value, usually the one that is not
    production. Then rotate the old value wherever it is still used: it has been
    reachable from both environments.

    References
    ----------
    - https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html
    - https://datatracker.ietf.org/doc/html/rfc2104
    """

    id = "env/shared-secret"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  SESSION_SECRET:\n    secret: true\n"
            "==> .env.production <==\nSESSION_SECRET=9QvD2tRw7LmKx4Zp\n"
            "==> .env.staging <==\nSESSION_SECRET=9QvD2tRw7LmKx4Zp\n",
        ),
        "good": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  SESSION_SECRET:\n    secret: true\n"
            "==> .env.production <==\nSESSION_SECRET=9QvD2tRw7LmKx4Zp\n"
            "==> .env.staging <==\nSESSION_SECRET=Hs3Ve8BnYc1Wq6Jt\n",
        ),
    }

    @classmethod
    def verify(cls, verification: Verification) -> Iterator[Finding]:
        other = verification.compare
        if other is None:
            return
        mine = verification.values
        inventory = verification.inventory
        for name in shared_secrets(mine.values, other.values, inventory.entries):
            entry = inventory.entries.get(name)
            location = (
                inventory.location(entry)
                if entry is not None
                else Location(target=name, target_kind="env-var")
            )
            declared = entry is not None and entry.secret is True
            yield cls.finding(
                f"{name} has the same value in {mine.label} and {other.label}",
                location,
                content=name,
                confidence=Confidence.HIGH if declared else Confidence.MEDIUM,
                properties={
                    "variable": name,
                    "environment": verification.environment,
                    "compared_with": other.label,
                },
            )


def _is_secret(name: str, entry: Entry | None) -> bool:
    if entry is not None and entry.secret is not None:
        return entry.secret
    return is_secret_name(name)


def shared_secrets(
    first: Mapping[str, str], second: Mapping[str, str], entries: Mapping[str, Entry]
) -> list[str]:
    """Names of the secrets whose (stripped, non-empty) values are equal in both
    mappings, sorted. Only salted hashes are compared; the salt lives for this call."""
    salt = secrets.token_bytes(32)

    def digest(value: str) -> bytes:
        return hmac.new(
            salt, value.strip().encode("utf-8", "surrogatepass"), hashlib.sha256
        ).digest()

    names = sorted(
        name
        for name in first.keys() & second.keys()
        if _is_secret(name, entries.get(name)) and first[name].strip() and second[name].strip()
    )
    return [
        name for name in names if hmac.compare_digest(digest(first[name]), digest(second[name]))
    ]
