"""The anchor prefilter: complete for every detector, and right about line numbers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from launchready_ci.checks.secrets import engine
from launchready_ci.checks.secrets.plugins import PLUGINS
from launchready_ci.checks.secrets.prefilter import THEIR_ANCHORS, candidate_lines


def test_every_detect_secrets_plugin_that_runs_has_anchors() -> None:
    for cls in engine._their_plugin_classes():
        assert cls.__name__ in THEIR_ANCHORS, (
            f"detect-secrets' {cls.__name__} runs but has no anchors in prefilter.py: "
            "add the literals its matches contain, or disable it in engine.py"
        )


def test_every_plugin_of_ours_has_keywords() -> None:
    for plugin in PLUGINS:
        assert plugin.keywords, plugin.__name__


def test_line_numbers_survive_lowercasing_that_changes_lengths() -> None:
    # "İ".lower() is two characters: offsets move, newlines do not.
    text = "İİİİ\nplain\n" + "İ" * 50 + " password = 'x'\nend\nsk_live_y\n"
    assert candidate_lines(text, ("password", "sk_live_")) == [2, 4]


def test_unanchored_formats_are_found() -> None:
    token = "1234567890:" + "A" * 10 + "b" * 25
    assert candidate_lines(f"x\ny\nTOKEN = '{token}'\n", ("password",)) == [2]


_line = st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    before=st.lists(_line, max_size=20),
    after=st.lists(_line, max_size=5),
    prefix=_line,
    anchor=st.sampled_from(["sk_live_", "ghp_", "PASSWORD", "Secret", "eyJ", "://"]),
)
def test_a_line_with_an_anchor_is_always_a_candidate(
    before: list[str], after: list[str], prefix: str, anchor: str
) -> None:
    text = "\n".join([*before, prefix + anchor, *after])
    anchors = ("sk_live_", "ghp_", "password", "secret", "eyj", "://")
    assert len(before) in candidate_lines(text, anchors)
