"""The prefilter: complete for every detector, and right about line numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from launchready_ci.checks.secrets import engine
from launchready_ci.checks.secrets.plugins import PLUGINS
from launchready_ci.checks.secrets.prefilter import (
    MAX_LINE,
    THEIR_TRIGGERS,
    Hit,
    Prefilter,
    Trigger,
)

CASES = Path(__file__).parent / "cases"


def test_every_detect_secrets_plugin_that_runs_has_triggers() -> None:
    for cls in engine._their_plugin_classes():
        assert THEIR_TRIGGERS.get(cls.__name__), (
            f"detect-secrets' {cls.__name__} runs but has no trigger in prefilter.py: "
            "add a regex every one of its matches holds, or disable it in engine.py"
        )


def test_every_plugin_of_ours_has_triggers() -> None:
    for plugin in PLUGINS:
        assert plugin.triggers(), plugin.__name__


def test_every_trigger_is_also_a_python_regex() -> None:
    for t in engine.prefilter().triggers:
        re.compile(t.pattern)


def _all_tags() -> frozenset[str]:
    return frozenset(engine.prefilter().tags)


def _exhaustive(path: str, text: str) -> list[engine.Detection]:
    """Every detector on every line: what the prefilter must never lose."""
    lines = text.split("\n")
    hits = [Hit(i, _all_tags(), (), False) for i in range(len(lines))]
    with engine.settings():
        return list(engine._scan_lines(path, lines, hits, None))


def _files() -> list[tuple[str, str]]:
    out = []
    for cases in sorted(CASES.glob("*.yml")):
        for case in yaml.safe_load(cases.read_text()):
            out.extend((path, text) for path, text in case["files"].items())
    return out


@pytest.mark.parametrize(("path", "text"), _files())
def test_the_prefilter_loses_nothing_on_the_cases(path: str, text: str) -> None:
    key = lambda d: (d.line, d.digest, d.rule.id)  # noqa: E731
    assert sorted(map(key, engine._scan_plain(path, text, None))) == sorted(
        map(key, _exhaustive(path, text))
    )


def test_line_numbers_count_characters_not_bytes() -> None:
    text = "İİİİ é\nplain\n" + "ü" * 50 + " password = 'x'\nend\nsk_live_y\n"
    pf = Prefilter([Trigger("a", "password"), Trigger("b", "sk_live_")])
    assert [(h.index, sorted(h.tags)) for h in pf.scan(text)] == [(2, ["a"]), (4, ["b"])]


def test_a_long_line_is_read_around_its_triggers_in_characters() -> None:
    line = "ü" * (MAX_LINE * 2) + " password = 'Zq8xW3vN7pL2Kt5Yb1Hc' " + "é" * MAX_LINE
    hit = Prefilter([Trigger("a", "password")]).scan(line)[0]
    assert any("password = 'Zq8xW3vN7pL2Kt5Yb1Hc'" in w for w in hit.windows(line))


def test_python_and_hyperscan_find_the_same_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "x\npassword: 'a'\nghp_" + "a" * 36 + "\n\nAKIA" + "B" * 16 + "\n"
    fast = Prefilter(engine.prefilter().triggers)
    import builtins

    real_import = builtins.__import__

    def no_hyperscan(name: str, *args: object, **kwargs: object) -> object:
        if name == "hyperscan":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_hyperscan)
    slow = Prefilter(engine.prefilter().triggers)
    assert not slow.vectorised
    assert [(h.index, h.tags) for h in slow.scan(text)] == [
        (h.index, h.tags) for h in fast.scan(text)
    ]


_line = st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40)
_SECRETS = [
    "sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3",
    "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3n4O5p6Q7r8",
    'db_password = "Zq8xW3vN7pL2Kt5Yb1Hc"',
    "postgres://app:Wv7nQ3kLp9ZxTq8v@db.acme-club.io/app",
]


@settings(max_examples=100, deadline=None)
@given(
    before=st.lists(_line, max_size=20),
    after=st.lists(_line, max_size=5),
    prefix=st.sampled_from(["", "x = ", "  ", "é ", "İİ "]),
    secret=st.sampled_from(_SECRETS),
)
def test_a_secret_is_found_on_its_line_whatever_surrounds_it(
    before: list[str], after: list[str], prefix: str, secret: str
) -> None:
    text = "\n".join([*before, prefix + secret, *after])
    lines = {d.line for d in engine._scan_plain("app/settings.py", text, None)}
    assert len(before) + 1 in lines


def test_the_compiled_database_is_cached_and_a_bad_cache_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hyperscan")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    triggers = [Trigger("generic", r"password\s*=")]
    line = 'password = "x"\n'
    assert [h.index for h in Prefilter(triggers).scan(line)] == [0]
    (cached,) = (tmp_path / "launchready-ci").glob("prefilter-*.hsdb")
    assert [h.index for h in Prefilter(triggers).scan(line)] == [0]  # loaded from the cache
    cached.write_bytes(cached.read_bytes()[:100])  # truncated: not a database any more
    assert [h.index for h in Prefilter(triggers).scan(line)] == [0]
    monkeypatch.setenv("XDG_CACHE_HOME", str(cached))  # a file, not a folder: not saved
    assert [h.index for h in Prefilter(triggers).scan(line)] == [0]
