from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class PrivateKey(Rule):
    """A private key (PEM or OpenSSH) is committed to the repository.

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
        "bad": ("-----BEGIN " + "RSA PRIVATE KEY-----",),
        "good": ("-----BEGIN PUBLIC KEY-----",),
    }
