"""Secret scanning of the working tree.

Files are streamed through :func:`~launchready_ci.checks.secrets.engine.scan_text`
(one prefilter pass, then detect-secrets' and our own plugins on candidate lines), on
every core when there are many. Binary files, files over 2 MiB, symlinks and unreadable
files are skipped. Findings carry the secret's hash and a redacted preview, never the value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.files import iter_files
from launchready_ci.checks.secrets.engine import Detection, scan_text, to_finding
from launchready_ci.checks.secrets.rules.private_key import PrivateKey
from launchready_ci.checks.secrets.rules.provider_credential import ProviderCredential
from launchready_ci.checks.secrets.rules.secret_assignment import SecretAssignment
from launchready_ci.checks.secrets.rules.test_or_public_key import TestOrPublicKey
from launchready_ci.context import RunContext
from launchready_ci.findings import Finding

__all__ = ["SecretsCheck", "scan_files"]

MAX_BYTES = 2 * 1024 * 1024
PARALLEL_MIN_FILES = 200
_CHUNK = 64
_SNIFF = 8192


class SecretsCheck(Check):
    id = "secrets"
    title = "Secrets"
    config_key = "secrets"
    needs_config = False
    rules = (ProviderCredential, PrivateKey, SecretAssignment, TestOrPublicKey)

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        rels = list(iter_files(ctx.root, section.get("exclude", ())))
        seen: set[str] = set()
        for rel, detections in scan_files(ctx.root, rels):
            for d in detections:
                finding = to_finding(d, rel)
                if finding.fingerprint not in seen:
                    seen.add(finding.fingerprint)
                    yield finding


def scan_files(root: Path, rels: list[str]) -> Iterator[tuple[str, list[Detection]]]:
    """(path, detections) for each file with any, in the order of ``rels``."""
    workers = os.cpu_count() or 1
    if workers < 2 or len(rels) < PARALLEL_MIN_FILES:
        yield from _scan_chunk(root, rels)
        return
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    try:
        with ProcessPoolExecutor(max_workers=min(workers, 2)) as pool:
            for results in pool.map(_scan_chunk, [root] * len(chunks), chunks):
                yield from results
    except (OSError, BrokenProcessPool):  # no processes here (sandbox, limits): go on alone
        yield from _scan_chunk(root, rels)


def _scan_chunk(root: Path, rels: list[str]) -> list[tuple[str, list[Detection]]]:
    out = []
    for rel in rels:
        text = read_text(root / rel)
        if text is None:
            continue
        found = scan_text(rel, text)
        if found:
            out.append((rel, found))
    return out


def read_text(path: Path) -> str | None:
    """The file's text, or ``None`` for a symlink, a binary, a large or unreadable file."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:_SNIFF]:
        return None
    return data.decode("utf-8", errors="replace")
