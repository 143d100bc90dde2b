"""Which lines of a text could hold a secret, and for which detectors: one pass per file.

Every detector, ours and detect-secrets', declares a *trigger*: a regex that every one of
its matches satisfies on its line (a necessary condition, never the whole rule: the
detector still decides). All triggers are compiled into one Hyperscan database (PyPI
``hyperscan``, which ships the library in its wheels), which scans a file's bytes once,
for every trigger at the same time, at a few GB/s. What comes back is, per line that
holds any trigger, the set of detectors whose trigger it holds: a line without one costs
no Python work at all, and a line with one runs only those detectors.

Triggers may not use what Hyperscan lacks (look-around, back-references); they are
supersets of what their detector finds, so a lookbehind becomes nothing and a bounded
repeat its lower bound. Where the ``hyperscan`` wheel is missing (an unusual platform),
the same triggers run as Python regexes: slower, same lines.

:data:`THEIR_TRIGGERS` must name every detect-secrets plugin the engine runs; a test fails
when a detect-secrets upgrade adds one without a trigger.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["THEIR_TRIGGERS", "Prefilter", "Trigger"]


@dataclass(frozen=True)
class Trigger:
    """``pattern`` (Python and Hyperscan syntax) opens detector ``tag`` on its line."""

    tag: str
    pattern: str
    caseless: bool = False


#: detect-secrets plugin class -> triggers (each a necessary condition of its matches).
THEIR_TRIGGERS: dict[str, tuple[Trigger, ...]] = {
    "AWSKeyDetector": (
        Trigger("AWSKeyDetector", r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{12}"),
        Trigger("AWSKeyDetector", r"aws[^\n]{0,20}(?:key|pw|pass|token)", caseless=True),
    ),
    "ArtifactoryDetector": (Trigger("ArtifactoryDetector", r"(?:AKC|AP[0-9A-F])[a-zA-Z0-9]{8}"),),
    "AzureStorageKeyDetector": (Trigger("AzureStorageKeyDetector", r"AccountKey="),),
    "DiscordBotTokenDetector": (
        Trigger(
            "DiscordBotTokenDetector",
            r"[MNO][a-zA-Z0-9_-]{23}\.[a-zA-Z0-9_-]{6}\.",
        ),
    ),
    "GitHubTokenDetector": (Trigger("GitHubTokenDetector", r"gh[pousr]_[A-Za-z0-9_]{16}"),),
    "GitLabTokenDetector": (
        Trigger(
            "GitLabTokenDetector",
            r"(?:glpat|gldt|glft|glsoat|glrt|glcbt|glimt|glptt|glagent|gloas)-|GR1348941",
        ),
    ),
    "JwtTokenDetector": (Trigger("JwtTokenDetector", r"eyJ[A-Za-z0-9_=-]*\."),),
    "MailchimpDetector": (Trigger("MailchimpDetector", r"[0-9a-z]{32}-us[0-9]"),),
    "NpmDetector": (Trigger("NpmDetector", r"/:_authToken="),),
    "OpenAIDetector": (Trigger("OpenAIDetector", r"T3BlbkFJ"),),
    "PrivateKeyDetector": (
        Trigger("PrivateKeyDetector", r"BEGIN [A-Z0-9 ]{0,20}PRIVATE KEY|PuTTY-User-Key-File-2"),
    ),
    "PypiTokenDetector": (Trigger("PypiTokenDetector", r"pypi-AgE"),),
    "SendGridDetector": (Trigger("SendGridDetector", r"SG\.[a-zA-Z0-9_-]{22}\."),),
    "SlackDetector": (
        Trigger("SlackDetector", r"xox[abposr]-[0-9]", caseless=True),
        Trigger("SlackDetector", r"hooks\.slack\.com/services/", caseless=True),
    ),
    "SquareOAuthDetector": (Trigger("SquareOAuthDetector", r"sq0csp-"),),
    "StripeDetector": (Trigger("StripeDetector", r"[rs]k_live_[0-9a-zA-Z]{24}"),),
    "TelegramBotTokenDetector": (
        Trigger("TelegramBotTokenDetector", r"[0-9]{8}:[0-9A-Za-z_-]{16}"),
    ),
}

#: Lines longer than this are read in windows around their triggers: a minified bundle
#: or a 2 MB line of ``password=`` costs what its triggers cost, not what its length costs.
MAX_LINE = 4096
_WINDOW = 512
_MAX_WINDOWS = 64


@dataclass(frozen=True)
class Hit:
    """A line that holds triggers: which detectors to run, and where (for long lines)."""

    index: int  # 0-based line number
    tags: frozenset[str]
    ends: tuple[int, ...]  # where in the line a trigger's match ends (UTF-8 bytes or chars)
    in_bytes: bool  # ``ends`` count UTF-8 bytes (Hyperscan), else characters

    def windows(self, line: str) -> list[str]:
        """``line`` itself, or for a very long line, at most :data:`_MAX_WINDOWS` slices
        of it around the trigger matches (merged where they overlap)."""
        if len(line) <= MAX_LINE:
            return [line]
        ends: Sequence[int] = self.ends
        if self.in_bytes and not line.isascii():
            raw = line.encode("utf-8", "surrogatepass")
            ends = [len(raw[:e].decode("utf-8", "ignore")) for e in ends]
        return _windows(line, ends)


class Prefilter:
    """All triggers, compiled once; :meth:`scan` is one pass over a text."""

    def __init__(self, triggers: Iterable[Trigger]) -> None:
        self.triggers: tuple[Trigger, ...] = tuple(dict.fromkeys(triggers))
        self.tags = tuple(t.tag for t in self.triggers)
        self._db: Any = None
        self._scratch: Any = None
        self._python: list[re.Pattern[str]] = []
        try:
            import hyperscan
        except ImportError:  # no wheel for this platform: the same triggers, in Python
            self._python = [
                re.compile(t.pattern, re.IGNORECASE if t.caseless else 0) for t in self.triggers
            ]
            return
        self._db = _database(hyperscan, self.triggers)
        self._scratch = hyperscan.Scratch(self._db)

    @property
    def vectorised(self) -> bool:
        """Whether Hyperscan runs the triggers (else Python's ``re`` does)."""
        return self._db is not None

    def scan(self, text: str) -> list[Hit]:
        """The lines of ``text`` that hold a trigger, in order, with their detectors."""
        found: list[tuple[int, int]] = []
        data: str | bytes
        if self._db is not None:
            data = text.encode("utf-8", "surrogatepass")  # lone surrogates: 3 bytes each

            def on_match(tid: int, _start: int, end: int, _flags: int, _ctx: Any) -> None:
                found.append((end, tid))

            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        else:
            data = text
            for tid, rx in enumerate(self._python):
                found.extend((m.end(), tid) for m in rx.finditer(text) if m.end() > m.start())
        if not found:
            return []
        found.sort()
        in_bytes = self._db is not None
        out: list[Hit] = []
        nl = "\n" if isinstance(data, str) else b"\n"
        line = 0
        start = 0  # where ``line`` starts in ``data``
        pos = 0  # newlines before ``pos`` are counted in ``line``
        current = -1
        tags: set[str] = set()
        ends: list[int] = []
        for end, tid in found:
            at = max(end - 1, 0)  # the match's last character is on its line
            if at >= pos:
                crossed = data.count(nl, pos, at)  # type: ignore[arg-type]
                if crossed:
                    line += crossed
                    start = data.rfind(nl, 0, at) + 1  # type: ignore[arg-type]
                pos = at
            if line != current:
                if current >= 0:
                    out.append(Hit(current, frozenset(tags), tuple(ends), in_bytes))
                current, tags, ends = line, set(), []
            tags.add(self.tags[tid])
            ends.append(end - start)
        out.append(Hit(current, frozenset(tags), tuple(ends), in_bytes))
        return out


def _database(hyperscan: Any, triggers: tuple[Trigger, ...]) -> Any:
    """The triggers' Hyperscan database, from the user's cache when an earlier run left it
    there (compiling takes about 0.1 s, loading a few microseconds). The cache is keyed by
    the triggers and the library's version; what cannot be read or written is compiled
    again, never an error."""
    key = hashlib.sha256(
        repr((hyperscan.__version__, platform.machine(), triggers)).encode()
    ).hexdigest()[:32]
    path = _cache_dir() / f"prefilter-{key}.hsdb"
    with contextlib.suppress(OSError, hyperscan.error):
        return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[t.pattern.encode() for t in triggers],
        ids=list(range(len(triggers))),
        elements=len(triggers),
        flags=[hyperscan.HS_FLAG_CASELESS if t.caseless else 0 for t in triggers],
    )
    with contextlib.suppress(OSError, hyperscan.error):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(hyperscan.dumpb(db))
        tmp.replace(path)  # atomic: a concurrent run reads the old file or the new one
    return db


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "launchready-ci"


def _windows(line: str, ends: Sequence[int]) -> list[str]:
    spans: list[list[int]] = []
    for end in sorted(ends):
        start = max(0, end - _WINDOW)
        stop = min(len(line), end + _WINDOW)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], stop)
        else:
            if len(spans) >= _MAX_WINDOWS:
                break
            spans.append([start, stop])
        if spans[-1][1] - spans[-1][0] > 4 * _WINDOW:  # a run of triggers: cut it here
            if len(spans) >= _MAX_WINDOWS:
                break
            spans.append([stop, stop])
    return [line[a:b] for a, b in spans if b > a]
