from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.formats import check_format
from launchready_ci.checks.env_inventory.rules._verify import Verification, VerifyRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class InvalidFormat(VerifyRule):
    """A variable's value does not have the format its inventory entry declares.

    Why
    ---
    A port that is not a number, a database URL with a typo in the scheme or a
    timeout without a unit is usually found by the application at start-up, in
    production, as a crash loop. Found at deploy time, it is a settings fix.

    Every variable that is set (not blank) and whose inventory entry has a `format` is
    checked against it: `url`, `https-url`, `postgres-url`, `email`, `hostname`, `int`,
    `bool`, `duration` (`30s`, `5m`, `1h30m`, `PT5M`), `string`, `{enum: [...]}` or
    `{regex: ...}` (matching the whole value). Every format but `string` also refuses
    leading or trailing whitespace, such as a newline pasted with a key. The message
    says what is wrong in general words; it never repeats the value or part of it.

    Remediation
    -----------
    Correct the value where this environment's configuration is stored. If the value is
    right and the declared format is too strict, change the entry's `format`.

    References
    ----------
    - https://12factor.net/config
    - https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS
    - https://en.wikipedia.org/wiki/ISO_8601#Durations
    """

    id = "env/invalid-format"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  PORT:\n    secret: false\n    format: int\n"
            "==> .env.production <==\nPORT=80a\n",
        ),
        "good": (
            "==> env-inventory.yml <==\nversion: 1\nvariables:\n"
            "  PORT:\n    secret: false\n    format: int\n"
            "==> .env.production <==\nPORT=8080\n",
        ),
    }

    @classmethod
    def verify(cls, verification: Verification) -> Iterator[Finding]:
        source = verification.values
        for entry in verification.entries():
            value = verification.present(entry)
            if entry.format is None or value is None:
                continue
            problem = check_format(entry.format, value)
            if problem is None:
                continue
            yield cls.finding(
                f"{entry.name} in {source.label} {problem}",
                verification.inventory.location(entry),
                content=entry.name,
                properties={
                    "variable": entry.name,
                    "format": entry.format.describe(),
                    "environment": verification.environment,
                },
            )
