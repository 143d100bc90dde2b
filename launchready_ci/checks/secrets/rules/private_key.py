from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class PrivateKey(Rule):
    """A private key (PEM or OpenSSH) is committed to the repository.

    The header alone is not enough: the key body must hold key material (a header over
    `...` or `<your key>` is documentation). A key in a test, fixture or docs file is a
    notice: test suites carry throwaway keys on purpose.

    Why
    ---
    A private key in a repository lets anyone who can read it impersonate the server,
    sign as the app, or log in to the machine it belongs to.

    Remediation
    -----------
    Replace the key pair (a committed key must be treated as known), delete the file,
    and load the new key from a secret store at deploy time.

    References
    ----------
    - https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions
    """

    id = "secrets/private-key"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": (
            "-----BEGIN " + "RSA PRIVATE KEY-----\n"
            "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
            "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
            "-----END RSA PRIVATE KEY-----",
        ),
        "good": ("-----BEGIN PUBLIC KEY-----", "-----BEGIN " + "PRIVATE KEY-----\n...\n"),
    }
