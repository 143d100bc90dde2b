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
    the literal is judged in context: the name must hold secret vocabulary and not just
    describe a secret (`PASSWORD_FIELD`, `token_type`, `password_reset_*`); the value must
    not be a placeholder, a stopword, dictionary words, a sequence, a run-time value
    (`${…}`, f-strings) or the name spelled again; assignments, key/value pairs, call
    arguments, CLI flags (`--requirepass`), literal fallbacks of environment reads
    (`os.environ.get("X", "…")`), SQL `INSERT`s and `Bearer` headers count. In tests,
    fixtures, docs, examples, i18n files, templates, CI workflows and compose files for
    local development the finding is a notice: those hold test values on purpose. The
    finding's confidence and reason say how sure it is and why.

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
