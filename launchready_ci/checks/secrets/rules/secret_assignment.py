from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class SecretAssignment(Rule):
    """A literal value is assigned to a secret-looking name (password, token, api_key...).

    Why
    ---
    A password or token written into code or config ends up in every clone, backup and
    CI log of the repository. Unlike provider keys there is no format to confirm it, so
    this rule reports with medium confidence: it may be a placeholder.

    Remediation
    -----------
    Read the value from an environment variable or secret store. If it is a harmless
    placeholder, make that obvious (`changeme`, `<your-token>`) or mark the line with
    `# pragma: allowlist secret`.

    References
    ----------
    - https://cwe.mitre.org/data/definitions/798.html
    """

    id = "secrets/secret-assignment"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ('db_password = "' + "hunter2-but-longer-9x" + '"',),
        "good": ('db_password = os.environ["DB_PASSWORD"]',),
    }
