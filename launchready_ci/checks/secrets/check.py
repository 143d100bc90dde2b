"""Secret scanning of the working tree.

Files are streamed through :func:`~launchready_ci.checks.secrets.engine.scan_text`
(one prefilter pass, then detect-secrets' and our own plugins on candidate lines), on
every core when there are many. Binary files, files over 2 MiB, symlinks, lockfiles and
unreadable files are skipped and counted, and the result's scope says so. Findings carry
the secret's hash and a redacted preview, never the value.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from launchready_ci import git
from launchready_ci.checks.base import Check
from launchready_ci.checks.files import SECRETS_EXCLUDES, iter_files
from launchready_ci.checks.secrets import ds_baseline
from launchready_ci.checks.secrets.engine import (
    Detection,
    prepare,
    scan_named,
    settings,
    skipped_name,
    to_finding,
)
from launchready_ci.checks.secrets.env_files import is_env_file, judge_env_file
from launchready_ci.checks.secrets.rules.committed_env_file import CommittedEnvFile
from launchready_ci.checks.secrets.rules.private_key import PrivateKey
from launchready_ci.checks.secrets.rules.provider_credential import ProviderCredential
from launchready_ci.checks.secrets.rules.secret_assignment import SecretAssignment
from launchready_ci.checks.secrets.rules.test_or_public_key import TestOrPublicKey
from launchready_ci.context import RunContext
from launchready_ci.fileio import read_limited
from launchready_ci.findings import Finding, Location, Severity

__all__ = ["ScanStats", "SecretsCheck", "env_file_finding", "scan_files"]

PARALLEL_MIN_FILES = 200
_CHUNK = 64


@dataclasses.dataclass
class ScanStats:
    """What a scan read and what it skipped, by reason."""

    files: int = 0
    bytes: int = 0
    skipped: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, other: ScanStats) -> None:
        self.files += other.files
        self.bytes += other.bytes
        self.skipped.update(other.skipped)

    def describe(self) -> str:
        text = f"{self.files:,} file{'' if self.files == 1 else 's'} ({_size(self.bytes)})"
        parts = [f"{n:,} {why}" for why, n in sorted(self.skipped.items()) if n]
        if parts:  # a directory walk counts 0 for a folder with nothing excluded
            text += "; skipped " + ", ".join(parts)
        return text


class SecretsCheck(Check):
    id = "secrets"
    title = "Secrets"
    config_key = "secrets"
    needs_config = False
    rules = (ProviderCredential, PrivateKey, SecretAssignment, TestOrPublicKey, CommittedEnvFile)

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        baseline = section.get("detect_secrets_baseline") or ds_baseline.DEFAULT
        accepted = ds_baseline.load(ctx.root, section.get("detect_secrets_baseline"))
        stats = ScanStats()
        rels = list(
            iter_files(
                ctx.root,
                section.get("exclude", ()),
                skipped=stats.skipped,
                defaults=SECRETS_EXCLUDES,
            )
        )
        if baseline in rels:  # its hashed_secret values are hashes, not secrets
            rels.remove(baseline)
            stats.skipped["detect-secrets baseline"] += 1
        seen: set[str] = set()
        env_files: dict[str, list[Detection]] = {rel: [] for rel in rels if is_env_file(rel)}

        def emit(rel: str, d: Detection) -> Iterator[Finding]:
            finding = to_finding(d, rel)
            if any((rel, h) in accepted for h in d.sha1s):
                finding = accept(finding, ds_baseline.DEFAULT)
            if finding.fingerprint not in seen:
                seen.add(finding.fingerprint)
                yield finding

        for rel, detections in scan_files(ctx.root, rels, stats):
            if rel in env_files:
                env_files[rel] = detections  # judged with the file, below
                continue
            for d in detections:
                yield from emit(rel, d)
        tracked = git.tracked(ctx.root, list(env_files))
        for rel, detections in env_files.items():
            # One finding per leaked value: a provider format is the most specific, then
            # the committed dotenv file (which names its entries), then a generic literal.
            specific = [d for d in detections if not _generic(d)]
            found = None
            text = read_limited(ctx.root / rel).text
            if text is not None:
                lines = list(enumerate(text.split("\n"), start=1))
                found = env_file_finding(
                    rel,
                    lines,
                    tracked=tracked is None or rel in tracked,
                    skip_lines={d.line for d in specific},
                )
            covered = set(found_lines(found)) if found is not None else set()
            for d in detections:
                if not (_generic(d) and d.line in covered):
                    yield from emit(rel, d)
            if found is not None:
                yield found
        self.scope = stats.describe()


def _generic(d: Detection) -> bool:
    """A literal judged by its context (name, URL), not by a provider's format."""
    return d.rule is SecretAssignment or (d.rule is ProviderCredential and d.provider == "URL")


def found_lines(finding: Finding) -> tuple[int, ...]:
    """The lines of the entries a committed-env-file finding counts."""
    return tuple(dict(finding.properties).get("lines", ()))


def accept(finding: Finding, by: str) -> Finding:
    """``finding``, marked as accepted (counted as suppressed) by ``by``."""
    return dataclasses.replace(finding, properties=(*finding.properties, ("accepted_by", by)))


def env_file_finding(
    rel: str,
    lines: list[tuple[int, str]],
    *,
    tracked: bool,
    commit: str | None = None,
    skip_lines: frozenset[int] | set[int] = frozenset(),
) -> Finding | None:
    """The ``secrets/committed-env-file`` finding for a dotenv file's lines, if any;
    entries on ``skip_lines`` are already reported by a more specific rule."""
    verdict = judge_env_file(lines, skip_lines=skip_lines)
    if verdict is None:
        return None
    shown = ", ".join(verdict.names[:5]) + (" ..." if len(verdict.names) > 5 else "")
    count = len(verdict.names)
    values = f"{count} real-looking secret value{'s' if count != 1 else ''} ({shown})"
    if commit:
        message = f"{rel} was committed in {commit[:12]} with {values}"
    elif tracked:
        message = f"{rel} is committed with {values}"
    else:
        message = f"{rel} holds {values} and is not ignored by git: one `git add .` from a leak"
    props: dict[str, Any] = {"names": verdict.names, "lines": verdict.lines}
    if commit:
        props["commit"] = commit
    return CommittedEnvFile.finding(
        message,
        Location(path=rel, start_line=verdict.first_line, end_line=verdict.first_line),
        content=rel,
        severity=CommittedEnvFile.severity if tracked else Severity.WARNING,
        properties=props,
    )


def scan_files(
    root: Path, rels: list[str], stats: ScanStats | None = None
) -> Iterator[tuple[str, list[Detection]]]:
    """(path, detections) for each file with any, in the order of ``rels``."""
    stats = stats if stats is not None else ScanStats()
    workers = os.cpu_count() or 1
    if workers < 2 or len(rels) < PARALLEL_MIN_FILES:
        found, part = _scan_chunk(root, rels)
        stats.add(part)
        yield from found
        return
    chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
    prepare()  # compiled once here, inherited by the workers (fork), not once in each
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=min(workers, 2)) as pool:
            for found, part in pool.map(_scan_chunk, [root] * len(chunks), chunks):
                stats.add(part)
                done += 1
                yield from found
    except (OSError, BrokenProcessPool):  # no processes here (sandbox, limits): go on alone
        for chunk in chunks[done:]:
            found, part = _scan_chunk(root, chunk)
            stats.add(part)
            yield from found


def _scan_chunk(root: Path, rels: list[str]) -> tuple[list[tuple[str, list[Detection]]], ScanStats]:
    with settings():
        return _scan_each(root, rels)


def _scan_each(root: Path, rels: list[str]) -> tuple[list[tuple[str, list[Detection]]], ScanStats]:
    out = []
    stats = ScanStats()
    for rel in rels:
        if skipped_name(rel):
            stats.skipped["lockfile or non-text names"] += 1
            continue
        text, why, size = read_limited(root / rel)
        if text is None:
            stats.skipped[why] += 1
            continue
        stats.files += 1
        stats.bytes += size
        found = scan_named(rel, text)  # its name was checked above
        if found:
            out.append((rel, found))
    return out, stats


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
