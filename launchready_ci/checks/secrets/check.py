"""Secret scanning of the working tree through detect-secrets' plugins.

Findings carry the secret's hash and a redacted preview, never the value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.files import iter_files
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
_THEIR_FILTER = "detect_secrets.filters.heuristic.is_indirect_reference"
_OUR_FILTER = "launchready_ci.checks.secrets.filters.is_indirect_reference"


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
        with transient_settings({"plugins_used": plugins}) as settings:
            # Keep detect-secrets' default filters; swap one for our marker-aware copy.
            settings.filters[_OUR_FILTER] = {"path": _OUR_FILTER}
            settings.disable_filters(_THEIR_FILTER)
            for rel in iter_files(root, section.get("exclude", ())):
                path = root / rel
                try:
                    if path.stat().st_size > _MAX_BYTES:
                        continue
                except OSError:
                    continue
                found = [
                    _finding(rel, s.type, s.line_number, s.secret_value or "")
                    for s in scan_file(str(path))
                    if not _is_local_url(s.type, s.secret_value or "", path, s.line_number)
                ]
                yield from _dedupe(found)


def _dedupe(found: list[Finding]) -> Iterator[Finding]:
    """One finding per secret and line; a provider match wins over a keyword match."""
    specific = {f.location.start_line for f in found if f.rule_id != SecretAssignment.id}
    seen: set[str] = set()
    for f in found:
        if f.rule_id == SecretAssignment.id and f.location.start_line in specific:
            continue
        if f.fingerprint in seen:
            continue
        seen.add(f.fingerprint)
        yield f


_LOCAL_HOSTS = ("@localhost", "@127.0.0.1", "@0.0.0.0", "@host.docker.internal", "@[::1]")


def _is_local_url(kind: str, value: str, path: Path, line: int) -> bool:
    """Credentials in a URL to a local development host are examples, not leaks."""
    if kind != "Basic Auth Credentials":
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for n, text in enumerate(fh, 1):
                if n == line:
                    return any(f"{value}{host}" in text for host in _LOCAL_HOSTS)
    except OSError:
        return False
    return False


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
        properties={"kind": kind, "preview": preview},
    )
