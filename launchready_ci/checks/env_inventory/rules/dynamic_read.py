from __future__ import annotations

from collections.abc import Iterator

from launchready_ci.checks.env_inventory.model import Scan, UseKind
from launchready_ci.checks.env_inventory.rules._base import EnvRule
from launchready_ci.findings import Confidence, Finding, Severity
from launchready_ci.rules import register


@register
class DynamicRead(EnvRule):
    """Code reads an environment variable whose name it builds at run time.

    Why
    ---
    `os.environ[f"{provider}_API_KEY"]` reads a variable no one can find by its name:
    the env check cannot tell which variables it needs, so it cannot say that one is
    missing from the inventory or from production. Such reads are where launch-day
    "it worked on my machine" comes from.

    Reported once per place, as a notice, with the name as written (`{provider}_API_KEY`):
    f-strings, template literals (`` process.env[`${p}_URL`] ``) and concatenations
    (`os.Getenv(prefix + "_URL")`) with a literal part. A name that is only a variable
    (`os.environ[name]`) is not reported: it is a helper's parameter or a loop, and the
    helper's calls are read instead. Reads in tests are not reported. Keys of
    `.env.example` and inventory entries that such a read could produce are not called
    unused by `env/example-extra-key` and `env/unused-entry`.

    Remediation
    -----------
    List every variable the read can produce in the inventory (or `.env.example`), or
    replace the computed name with a lookup table of literal names, so that each is
    checked. Suppress the notice once the names are listed.

    References
    ----------
    - https://12factor.net/config
    """

    id = "env/dynamic-read"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH
    examples = {
        "bad": ('==> app.py <==\nimport os\nkey = os.environ[f"{provider.upper()}_API_KEY"]\n',),
        "good": ('==> app.py <==\nimport os\nkey = os.environ["STRIPE_API_KEY"]\n',),
    }

    @classmethod
    def check(cls, scan: Scan) -> Iterator[Finding]:
        seen: set[tuple[str, str]] = set()
        for use in scan.uses:
            if use.kind != UseKind.DYNAMIC or use.test_only or (use.path, use.name) in seen:
                continue
            seen.add((use.path, use.name))
            yield cls.finding(
                f"the variable's name is built at run time ({use.name}): the env check "
                "cannot tell which variables this reads",
                use.location(),
                content=f"{use.path}:{use.name}",
                properties={"pattern": use.name},
            )
