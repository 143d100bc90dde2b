"""Secret scanning of the working tree through detect-secrets' plugins.

Findings carry the secret's hash and a redacted preview, never the value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.secrets.files import iter_files
from launchready_ci.checks.secrets.rules.private_key import PrivateKey
from launchready_ci.checks.secrets.rules.provider_credential import ProviderCredential
from launchready_ci.checks.secrets.rules.secret_assignment import SecretAssignment
from launchready_ci.context import RunContext
from launchready_ci.findings import Finding, Location, redact
from launchready_ci.rules import Rule

__all__ = ["SecretsCheck"]

#: detect-secrets plugins that report values of no known format; handled by
#: SecretAssignment (keyword) or left out (entropy, IP addresses: too noisy alone).
_GENERIC = {"Secret Keyword": SecretAssignment}
_DISABLED = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector"}
_MAX_BYTES = 2 * 1024 * 1024


class SecretsCheck(Check):
    id = "secrets"
    title = "Secrets"
    config_key = "secrets"
    needs_config = False
    rules = (ProviderCredential, PrivateKey, SecretAssignment)

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.core.scan import scan_file
        from detect_secrets.settings import transient_settings

        classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
        plugins = [{"name": c.__name__} for c in classes if c.__name__ not in _DISABLED]
        root = ctx.root
        with transient_settings({"plugins_used": plugins}):
            for rel in iter_files(root, section.get("exclude", ())):
                path = root / rel
                try:
                    if path.stat().st_size > _MAX_BYTES:
                        continue
                except OSError:
                    continue
                seen: set[tuple[str, int]] = set()
                for secret in scan_file(str(path)):
                    key = (secret.secret_hash, secret.line_number)
                    if key in seen:
                        continue
                    seen.add(key)
                    value = secret.secret_value or ""
                    yield _finding(rel, secret.type, secret.line_number, value)
                    del value


def _finding(rel: str, kind: str, line: int, value: str) -> Finding:
    rule: type[Rule]
    digest = hashlib.sha256(value.encode()).hexdigest()
    preview = redact(value)
    if kind == "Private Key":
        rule = PrivateKey
        message = "Private key committed"
    elif kind in _GENERIC:
        rule = _GENERIC[kind]
        message = f"Literal secret assigned to a secret-looking name ({preview})"
    else:
        rule = ProviderCredential
        message = f"{kind} committed ({preview})"
    return rule.finding(
        message,
        Location(path=rel, start_line=line, end_line=line),
        content=digest,
        properties={"secret_type": kind, "secret_sha256": digest, "preview": preview},
    )
