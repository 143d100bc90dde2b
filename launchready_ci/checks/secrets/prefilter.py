"""Which lines of a text could hold a secret: one pass, before any plugin runs.

Every detector, ours and detect-secrets', only ever matches text that contains one of a
few literal *anchors* (``sk_live_``, ``ghp_``, ``eyj``, ``password``, ``://``...). All
anchors go into one Aho-Corasick automaton (pyahocorasick), which finds every occurrence
in a single pass over the lowercased text at C speed, however many anchors there are. A
combined Python regex of the same alternatives ran at about 2 MB/s; the automaton is some
fifty times faster, and a scan spends its time on the few lines that matter.

Two detect-secrets formats have no literal in them (Discord and Telegram bot tokens): a
small regex finds those. :data:`THEIR_ANCHORS` must name every detect-secrets plugin the
engine runs; a test fails when a detect-secrets upgrade adds one without anchors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from itertools import product
from typing import Any

__all__ = ["KEYWORD_ANCHORS", "THEIR_ANCHORS", "UNANCHORED", "candidate_lines"]

#: detect-secrets' KeywordDetector DENYLIST (``api_?key``... ``password``, ``secret``).
KEYWORD_ANCHORS: tuple[str, ...] = (
    *(
        f"{a}{sep}{b}"
        for (a, b), sep in product(
            (
                ("api", "key"),
                ("auth", "key"),
                ("service", "key"),
                ("account", "key"),
                ("db", "key"),
                ("database", "key"),
                ("priv", "key"),
                ("private", "key"),
                ("client", "key"),
                ("db", "pass"),
                ("database", "pass"),
                ("key", "pass"),
            ),
            ("", "_"),
        )
    ),
    "passw",
    "pwd",
    "secret",
    "contrase",
)

#: detect-secrets plugin class -> lowercase literals that each of its matches contains.
THEIR_ANCHORS: dict[str, tuple[str, ...]] = {
    "AWSKeyDetector": ("akia", "abia", "acca", "asia", "a3t", "aws"),
    "ArtifactoryDetector": ("akc", *(f"ap{c}" for c in "0123456789abcdef")),
    "AzureStorageKeyDetector": ("accountkey=",),
    "BasicAuthDetector": ("://",),
    "DiscordBotTokenDetector": (),  # UNANCHORED
    "GitHubTokenDetector": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "GitLabTokenDetector": (
        "glpat-",
        "gldt-",
        "glft-",
        "glsoat-",
        "glrt-",
        "gr1348941",
        "glcbt-",
        "glimt-",
    ),
    "JwtTokenDetector": ("eyj",),
    "KeywordDetector": KEYWORD_ANCHORS,
    "MailchimpDetector": ("-us",),
    "NpmDetector": ("_authtoken=",),
    "OpenAIDetector": ("t3blbkfj",),
    "PrivateKeyDetector": ("private key", "putty-user-key-file-2"),
    "PypiTokenDetector": ("pypi-ag",),
    "SendGridDetector": ("sg.",),
    "SlackDetector": ("xox", "hooks.slack.com"),
    "SquareOAuthDetector": ("sq0csp-",),
    "StripeDetector": ("k_live_",),
    "TelegramBotTokenDetector": (),  # UNANCHORED
}

#: The formats without a literal: Telegram bot tokens (``123456789:AA...``) and Discord
#: bot tokens (three base64url parts, the first starting with M, N or O).
UNANCHORED = re.compile(
    r"\d{8,10}:[0-9A-Za-z_-]{35}"
    r"|[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"
)


#: Up to this size a text is searched line by line (restarting after each hit).
_RESTART_MAX = 256 * 1024


def candidate_lines(text: str, anchors: Iterable[str]) -> list[int]:
    """Indexes (0-based) of the lines of ``text`` that hold an anchor, in order.

    After a hit the search resumes at the next line, so a line with many anchors costs
    no more than one; a big text is read in one pass instead. Lines are counted on the
    lowercased text, which has the same
    newlines as ``text`` even where lowercasing changes a character's length.
    """
    automaton = _automaton(tuple(sorted(set(anchors))))
    low = text.lower()
    found: set[int] = set()
    line = 0
    pos = 0  # start of line ``line`` in ``low``
    if len(low) <= _RESTART_MAX:
        # Small text: after a hit, restart at the next line (a line full of anchors costs
        # one hit).
        size = len(low)
        while pos < size:
            hit = next(automaton.iter(low, pos), None)
            if hit is None:
                break
            end = hit[0]
            line += low.count("\n", pos, end)
            found.add(line)
            nl = low.find("\n", end)
            if nl < 0:
                break
            pos = nl + 1
            line += 1
    else:
        # Big text: one pass (each restart converts the whole text again: quadratic), hits
        # on a line already found skipped.
        nxt = -1
        for end, _length in automaton.iter(low):
            if end < nxt:
                continue
            line += low.count("\n", pos, end)
            found.add(line)
            nl = low.find("\n", end)
            if nl < 0:
                break
            line += 1
            pos = nxt = nl + 1
    for match in UNANCHORED.finditer(text):
        found.add(text.count("\n", 0, match.start()))
    return sorted(found)


@functools.lru_cache(maxsize=4)
def _automaton(anchors: tuple[str, ...]) -> Any:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for anchor in anchors:
        automaton.add_word(anchor, len(anchor))
    automaton.make_automaton()
    return automaton
