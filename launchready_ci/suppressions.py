"""Suppressions: config ignores, inline ``launchready: ignore[rule-id]`` comments (on the
finding's line or the line above), ``launchready: ignore-file[rule-id]`` comments (the
whole file) and a baseline keyed by fingerprint. An ignore that matches nothing is itself
a finding."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from launchready_ci import git
from launchready_ci.checks.files import SECRETS_EXCLUDES, is_own_report
from launchready_ci.config.model import Ignore
from launchready_ci.errors import UsageError
from launchready_ci.fileio import MAX_BYTES, atomic_write, read_limited
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.rules import Rule, canonical, matches, register

__all__ = [
    "INLINE_MARKER",
    "Baseline",
    "StaleBaseline",
    "Suppressor",
    "UnusedIgnore",
    "find_inline_ignores",
    "load_baseline",
    "write_baseline",
]

INLINE_MARKER = re.compile(r"launchready:\s*ignore(?:-file)?\[([^\]\r\n]*)\]")
BASELINE_VERSION = 1


@register
class UnusedIgnore(Rule):
    """An ignore (in launchready.yml or an inline comment) matches no finding.

    Why
    ---
    Ignores outlive the problem they hid. A stale ignore is a trap: the next real
    problem at that place, or of that rule, will be silenced without anyone deciding
    so. Reporting unused ignores keeps the list of accepted risks honest.

    Remediation
    -----------
    Delete the ignore. If the rule id was misspelt, `launchready rules` lists the ids.

    References
    ----------
    - https://github.com/launchready/launchready-ci#suppressing-findings
    """

    id = "launchready/unused-ignore"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("x = 1  # launchready: ignore[secrets/private-key]",),
        "good": ("x = 1",),
    }


@register
class StaleBaseline(Rule):
    """Entries of the baseline match no finding any more.

    Why
    ---
    A baseline records the findings a team accepted on the day it adopted launchready,
    so that a run fails only on what is new. When one of them is fixed, its entry stays
    behind: harmless today, but a stale entry would hide the same problem if it came
    back at the same place. Like an unused ignore, it is reported so that the list of
    accepted risks stays honest.

    One finding per check, on the baseline file, counts the entries whose rule ran and
    matched nothing (entries of checks that did not run are left alone).

    Remediation
    -----------
    Run `launchready baseline update` (it records today's findings and drops the
    stale entries), review the diff and commit it.

    References
    ----------
    - https://github.com/launchready/launchready-ci#suppressing-findings
    """

    id = "launchready/stale-baseline"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH
    examples = {
        "bad": ("a baseline entry for a key that was removed since",),
        "good": ("a baseline with only the findings still there",),
    }


@dataclass(frozen=True)
class InlineIgnore:
    path: str
    line: int  # the line the comment is on
    rule: str
    whole_file: bool = False  # ``ignore-file[...]``: every line of the file


def find_inline_ignores(root: Path, paths: Iterable[str] | None = None) -> list[InlineIgnore]:
    """Every ``launchready: ignore[...]`` comment: via ``git grep`` in a work tree, else by
    reading ``paths``."""
    found: list[InlineIgnore] = []
    hits = git.grep(
        root,
        "launchready:",  # INLINE_MARKER below does the rest
        fixed=True,
        exclude=_not_scanned(root),
        exclude_globs=SECRETS_EXCLUDES,  # every file a check reads
    )
    if hits is None:
        hits = []
        for rel in paths or ():
            text = read_limited(root / rel).text  # the scanners' size limit and skip list
            for n, line in enumerate((text or "").splitlines(), 1):
                if "launchready:" in line:
                    hits.append((rel, n, line))
    own_reports: dict[str, bool] = {}
    for rel, n, text in hits:
        if rel not in own_reports:
            own_reports[rel] = is_own_report(root / rel)
        if own_reports[rel]:
            continue
        for m in INLINE_MARKER.finditer(text):
            whole = "-file[" in m.group(0)
            for rule in m.group(1).split(","):
                rule = rule.strip()
                if rule:
                    found.append(InlineIgnore(rel, n, rule, whole))
    return found


def _not_scanned(root: Path) -> list[str]:
    """The files of the work tree that no scanner reads (over the size limit, or not
    regular files), so that the ignore comments are looked for where findings can be:
    one 1 GB untracked file cost git grep 1 GB of memory."""
    out = []
    for rel in git.ls_files(root) or ():
        try:
            info = os.lstat(root / rel)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            out.append(rel)
    return out


@dataclass
class Baseline:
    """A baseline file: the fingerprints it accepts, each with its rule and location."""

    path: str
    fingerprints: set[str] = field(default_factory=set)
    rules: dict[str, str] = field(default_factory=dict)  # fingerprint -> rule id
    locations: dict[str, str] = field(default_factory=dict)  # fingerprint -> where
    used: set[str] = field(default_factory=set)  # fingerprints that matched a finding

    def stale(self, ran_rules: set[str]) -> dict[str, list[str]]:
        """Rule id -> the fingerprints of its entries that matched nothing, for the rules
        that ran (an entry whose rule did not run may still match next time)."""
        out: dict[str, list[str]] = {}
        for fp in sorted(self.fingerprints - self.used):
            rule = self.rules.get(fp, "")
            if rule in ran_rules:
                out.setdefault(rule, []).append(fp)
        return out


def load_baseline(root: Path, path: str, display: str | None = None) -> Baseline:
    """Read a baseline; a missing, unreadable or malformed file is a UsageError naming
    it (exit 2), never a traceback: not even for JSON nested 100,000 deep."""
    label = display or path
    full = Path(path) if Path(path).is_absolute() else root / path
    if full.exists() and not full.is_file():
        raise UsageError(
            f"{label}: not a regular file, so it cannot be a baseline; to run without one, "
            "leave out --baseline (and `baseline:` in launchready.yml)"
        )
    if not full.is_file():
        raise UsageError(
            f"{label}: no such baseline file; record one with "
            f"`launchready run --write-baseline {label}` (or `launchready init`)"
        )
    try:
        data = json.loads(full.read_bytes().decode("utf-8"))
        if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
            raise ValueError("version")
        entries = data["findings"]
        if not isinstance(entries, list):
            raise TypeError("findings")
        baseline = Baseline(path)
        for entry in entries:
            fp = str(entry["fingerprint"])
            baseline.fingerprints.add(fp)
            baseline.rules[fp] = str(entry.get("rule_id", ""))
            baseline.locations[fp] = str(entry.get("location", ""))
    except RecursionError:
        raise UsageError(
            f"{label}: not a launchready baseline file (JSON nested too deeply); "
            "recreate it with `launchready baseline update`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(
            f"{label}: not a launchready baseline file ({type(exc).__name__}); "
            "recreate it with `launchready baseline update`"
        ) from None
    return baseline


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Write atomically: the old baseline stays whole if anything fails."""
    entries = sorted(
        {(f.fingerprint, f.rule_id, f.location.path or f.location.target or "") for f in findings}
    )
    doc = {
        "version": BASELINE_VERSION,
        "tool": "launchready-ci",
        "findings": [{"fingerprint": fp, "rule_id": r, "location": loc} for fp, r, loc in entries],
    }
    atomic_write(path, json.dumps(doc, indent=2) + "\n")


class Suppressor:
    """Applies every kind of suppression to a check's findings and remembers what was used."""

    def __init__(
        self,
        ignores: Sequence[Ignore],
        inline: Sequence[InlineIgnore],
        baseline: Baseline | None,
    ) -> None:
        self.ignores = list(ignores)
        self.inline = list(inline)
        self.baseline = baseline
        self.used_ignores: set[int] = set()
        self.used_inline: set[int] = set()
        self._inline_by_line: dict[tuple[str, int], list[int]] = {}
        self._inline_by_file: dict[str, list[int]] = {}
        for i, item in enumerate(self.inline):
            if item.whole_file:
                self._inline_by_file.setdefault(item.path, []).append(i)
            else:
                self._inline_by_line.setdefault((item.path, item.line), []).append(i)

    def is_suppressed(self, finding: Finding) -> bool:
        return self.classify(finding) is not None

    def classify(self, finding: Finding) -> str | None:
        """What suppresses ``finding``: "ignore" (config or inline), "baseline",
        "accepted" (by the check itself, e.g. a detect-secrets baseline), or None. Every
        match is recorded, so that unused ignores and stale baseline entries are known."""
        hit = False
        for i, ignore in enumerate(self.ignores):
            if self._config_match(ignore, finding):
                self.used_ignores.add(i)
                hit = True
        loc = finding.location
        if loc.path is not None and loc.start_line is not None:
            end = loc.end_line or loc.start_line
            # A comment on the finding's own lines or on the line just above.
            for line in range(loc.start_line - 1, end + 1):
                for i in self._inline_by_line.get((loc.path, line), ()):
                    if matches(self.inline[i].rule, finding.rule_id):
                        self.used_inline.add(i)
                        hit = True
        if loc.path is not None:
            for i in self._inline_by_file.get(loc.path, ()):
                if matches(self.inline[i].rule, finding.rule_id):
                    self.used_inline.add(i)
                    hit = True
        baselined = False
        if self.baseline is not None and finding.fingerprint in self.baseline.fingerprints:
            self.baseline.used.add(finding.fingerprint)
            baselined = True
        if hit:
            return "ignore"
        if baselined:
            return "baseline"
        # Accepted by the check itself, e.g. by an entry of a detect-secrets baseline.
        return "accepted" if any(key == "accepted_by" for key, _ in finding.properties) else None

    @staticmethod
    def _config_match(ignore: Ignore, finding: Finding) -> bool:
        if not matches(ignore.rule, finding.rule_id):
            return False
        loc = finding.location
        if ignore.paths and (loc.path is None or not any(_glob(loc.path, p) for p in ignore.paths)):
            return False
        if ignore.targets:
            target = loc.target or ""
            if not any(fnmatch.fnmatchcase(target, t) for t in ignore.targets):
                return False
        return True

    def unused(
        self, ran_rules: set[str], whole_domains: set[str], read: set[str] | None = None
    ) -> list[Finding]:
        """Ignores that matched nothing although their rule ran.

        An exact id counts when its rule ran; a ``domain/*`` wildcard when the domain's
        repository checks ran as a whole (``whole_domains``). A deploy-time subcommand
        that runs a few rules of a domain must not call the domain's other ignores unused.
        Inline comments count only in the files the checks read (``read``; None: the
        whole repository): the examples in a changelog or the docs are not ignores of a
        domain check, which reads launchready.yml alone.
        """

        ran_domains = {rule.partition("/")[0] for rule in ran_rules}

        def considered(rule: str) -> bool:
            if rule.endswith("/*"):
                return rule[:-2] in whole_domains
            if rule.partition("/")[0] not in ran_domains:
                return False  # none of its domain's rules ran (an alias keeps its domain)
            canon = canonical(rule)
            return canon is not None and canon in ran_rules

        out: list[Finding] = []
        for i, ignore in enumerate(self.ignores):
            if i in self.used_ignores or not considered(ignore.rule):
                continue
            pos = ignore.position
            out.append(
                UnusedIgnore.finding(
                    f"Ignore of {ignore.rule} in config matches no finding",
                    Location(
                        path=pos.path if pos else "launchready.yml",
                        start_line=pos.line if pos else None,
                        end_line=pos.line if pos else None,
                    ),
                    content=f"config:{ignore.rule}:{','.join(ignore.paths)}:{','.join(ignore.targets)}",
                    properties={"ignored_rule": ignore.rule},
                )
            )
        for i, item in enumerate(self.inline):
            if i in self.used_inline or (read is not None and item.path not in read):
                continue
            known = item.rule.endswith("/*") or canonical(item.rule) is not None
            if known and not considered(item.rule):
                continue
            kind = "File-wide ignore" if item.whole_file else "Inline ignore"
            message = (
                f"{kind} of {item.rule} matches no finding"
                if known
                else f"{kind} names an unknown rule {item.rule!r}"
            )
            out.append(
                UnusedIgnore.finding(
                    message,
                    Location(path=item.path, start_line=item.line, end_line=item.line),
                    content=f"inline:{item.rule}",
                    properties={"ignored_rule": item.rule},
                )
            )
        return out


def _glob(path: str, pattern: str) -> bool:
    if fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.endswith("/**") and path.startswith(pattern[:-2]):
        return True
    return pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:])
