"""Secret scanning of git history: pull requests, pushes, full history and staged files.

A *plan* (the commits to scan) is resolved first by :mod:`launchready_ci.git`
(``plan_pr``, ``plan_push``, ``plan_history`` or ``plan_staged``), which raises
:class:`UsageError` when the range cannot be scanned -- never an empty scan that looks
clean. Then :class:`SecretsHistoryCheck` scans only the lines those commits *added*
(:func:`launchready_ci.git.iter_added`), so a pull request costs in proportion to its diff.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from launchready_ci.checks.base import Check
from launchready_ci.checks.secrets.check import SecretsCheck
from launchready_ci.context import RunContext
from launchready_ci.errors import CheckSkipped
from launchready_ci.findings import Finding
from launchready_ci.git import AddedFile, Plan, iter_added

__all__ = ["SecretsHistoryCheck"]

# --- the check ---------------------------------------------------------------------------


class SecretsHistoryCheck(Check):
    """The secrets check over the lines a plan's commits (or the index) added.

    A secret added in one commit and removed in the next is still reported, on the
    adding commit. The same secret added again later is reported once, at its first
    addition, with the later places in ``properties["also_added_in"]``.
    """

    id = "secrets"
    title = "Secrets"
    config_key = "secrets"
    needs_config = False
    rules = SecretsCheck.rules

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        if not self.plan.staged and not self.plan.commits:
            raise CheckSkipped(f"{self.plan.description}: no commits to scan")
        from launchready_ci.checks.secrets import ds_baseline
        from launchready_ci.checks.secrets.check import env_file_finding
        from launchready_ci.checks.secrets.engine import settings
        from launchready_ci.checks.secrets.env_files import is_env_file

        baseline = section.get("detect_secrets_baseline") or ds_baseline.DEFAULT
        accepted = ds_baseline.load(ctx.root, section.get("detect_secrets_baseline"))
        excludes = tuple(section.get("exclude", ()))
        first: dict[str, Finding] = {}
        later: dict[str, list[str]] = {}
        files = lines = 0
        with settings():  # detect-secrets' settings once, not once per file
            for added in iter_added(ctx.root, self.plan):
                if added.path == baseline or _excluded(added.path, excludes):
                    continue
                files += 1
                lines += len(added.lines)
                found = list(_scan(added, accepted))
                if is_env_file(added.path):
                    env = env_file_finding(
                        added.path, list(added.lines), tracked=True, commit=added.commit
                    )
                    if env is not None:
                        found.append((env, f"env-file:{added.path}"))
                for finding, digest in found:
                    if digest in first:
                        where = f"{(added.commit or 'index')[:12]}:{finding.location.describe()}"
                        later.setdefault(digest, []).append(where)
                    else:
                        first[digest] = finding
        for digest, finding in first.items():
            extra = later.get(digest)
            if extra:
                props = (*finding.properties, ("also_added_in", tuple(extra)))
                finding = dataclasses.replace(finding, properties=props)
            yield finding
        what = "staged changes" if self.plan.staged else self.plan.description
        if not self.plan.staged:
            what += f", {_count(len(self.plan.commits), 'commit')}"
        self.scope = f"{what}: {_count(lines, 'added line')} in {_count(files, 'file change')}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    """The working tree's rule: default excludes (dependencies, build output) and the
    config's ``secrets.exclude`` globs."""
    from launchready_ci.checks.files import DEFAULT_EXCLUDES, matches_any

    return matches_any(path, (*DEFAULT_EXCLUDES, *patterns))


def _scan(added: AddedFile, accepted: frozenset[tuple[str, str]]) -> Iterator[tuple[Finding, str]]:
    """The engine's findings for one file's added lines, with each secret's digest."""
    from launchready_ci.checks.secrets.check import accept
    from launchready_ci.checks.secrets.ds_baseline import DEFAULT
    from launchready_ci.checks.secrets.engine import scan_text, to_finding

    text = "\n".join(t for _, t in added.lines)
    numbers = [n for n, _ in added.lines]
    by_number = dict(added.lines)
    for d in scan_text(added.path, text, line_numbers=numbers):
        finding = to_finding(d, added.path, commit=added.commit)
        if any((added.path, h) in accepted for h in d.sha1s):
            finding = accept(finding, DEFAULT)
        elif _ignored_in_commit(finding.rule_id, by_number, d.line):
            finding = accept(finding, "an inline ignore in the commit")
        yield finding, d.digest


def _ignored_in_commit(rule_id: str, lines: Mapping[int, str], number: int) -> bool:
    """An inline ``launchready: ignore[...]`` that the same commit added on the line or
    the line above: it holds even after later commits move or delete the line, so the
    working tree's comments, which the suppressor reads, need not match."""
    from launchready_ci.rules import matches
    from launchready_ci.suppressions import INLINE_MARKER

    for text in (lines.get(number, ""), lines.get(number - 1, "")):
        for marker in INLINE_MARKER.finditer(text):
            if any(matches(r.strip(), rule_id) for r in marker[1].split(",") if r.strip()):
                return True
    return False
