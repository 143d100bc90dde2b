"""The one-line fix shown under a finding: the remediation's first sentence, whole."""

from __future__ import annotations

import pytest

from launchready_ci.reporters._common import first_sentence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rotate the key. Then purge it.", "Rotate the key."),
        # an ellipsis inside a command is not the end of a sentence
        (
            "Use `REINDEX ... CONCURRENTLY` instead. Later.",
            "Use `REINDEX ... CONCURRENTLY` instead.",
        ),
        ("Run REINDEX ... CONCURRENTLY on it. Later.", "Run REINDEX ... CONCURRENTLY on it."),
        # nor is a full stop inside inline code
        ("Set `a. b` first. Then go.", "Set `a. b` first."),
        ("No full stop at all", "No full stop at all"),
        ("First paragraph.\n\nSecond paragraph.", "First paragraph."),
    ],
)
def test_the_fix_line_is_the_first_whole_sentence(text: str, expected: str) -> None:
    assert first_sentence(text) == expected


def test_a_long_sentence_is_cut_with_an_ellipsis() -> None:
    line = first_sentence("word " * 60 + ".")
    assert len(line) <= 160 and line.endswith("…")
