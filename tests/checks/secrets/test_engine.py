"""The engine's API: scan_text, line numbers, checksums, and no value in any output."""

from __future__ import annotations

import zlib

import pytest

from launchready_ci.checks.secrets.engine import scan_text, to_finding
from launchready_ci.checks.secrets.plugins.catalog import _base62, crc32_ok
from launchready_ci.findings import Confidence, Severity

BODY = "Q7wErTy9uIoPaSdFgHjKlZxCvBnM12"
GOOD = "ghp_" + BODY + _base62(zlib.crc32(BODY.encode()))
BAD = "ghp_" + BODY + "AAAAAA"


def test_github_checksum_decides_confidence() -> None:
    assert crc32_ok(GOOD, 4) and not crc32_ok(BAD, 4)
    (good,) = scan_text("a.sh", f"TOKEN={GOOD}")
    (bad,) = scan_text("a.sh", f"TOKEN={BAD}")
    assert (good.severity, good.confidence) == (Severity.ERROR, Confidence.HIGH)
    assert bad.confidence is Confidence.LOW and bad.severity < Severity.ERROR


def test_line_numbers_map_to_real_lines() -> None:
    text = "x = 1\n" + f"TOKEN={GOOD}"
    (d,) = scan_text("a.sh", text, line_numbers=[40, 41])
    assert d.line == 41


def test_prefilter_skips_text_without_candidates() -> None:
    assert scan_text("a.py", "def f():\n    return 1\n" * 1000) == []


def test_no_value_in_detection_or_finding() -> None:
    key = "sk_live_" + "Zt4Lq8Vn2Xc6Bm1Kp9Rw3Yh7Jd5Fs0Ga"
    (d,) = scan_text("pay.py", f'stripe.api_key = "{key}"')
    finding = to_finding(d, "pay.py", commit="0123456789abcdef")
    assert key not in repr(d) and key not in repr(finding)
    assert "rotate at https://dashboard.stripe.com/apikeys" in finding.message
    assert "0123456789ab" in finding.message
    assert dict(finding.properties)["provider"] == "Stripe"


def test_lockfiles_are_skipped() -> None:
    key = "sk_live_" + "Zt4Lq8Vn2Xc6Bm1Kp9Rw3Yh7Jd5Fs0Ga"
    assert scan_text("package-lock.json", f'"k": "{key}"') == []


def test_a_huge_line_is_read_in_bounded_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """One 2 MB line of ``password=`` repeated (a minified bundle, a hostile file): every
    detector sees slices around anchors, never the whole line, so the work per line is
    bounded by its anchors and not by its length. (Before windows, the whole line went to
    every plugin: 14.7 s for this input.) Measured by what the detectors receive, not by
    the clock."""
    from detect_secrets.core import scan as ds_scan

    from launchready_ci.checks.secrets import generic, prefilter

    seen: list[int] = []
    their_scan_line = ds_scan._scan_line
    our_detect = generic.detect

    def spy_theirs(**kwargs: object) -> object:
        seen.append(len(str(kwargs["line"])))
        return their_scan_line(**kwargs)  # type: ignore[arg-type]

    def spy_ours(line: str, path: str) -> list[generic.Found]:
        seen.append(len(line))
        return our_detect(line, path)

    monkeypatch.setattr(ds_scan, "_scan_line", spy_theirs)
    monkeypatch.setattr(generic, "detect", spy_ours)
    # Every ``password="`` opens the generic detector (an assignment of a quoted value).
    line = 'password="' * (2 * 1024 * 1024 // len('password="'))
    found = scan_text("web/bundle.min.js", line + "\n")
    assert found == []
    assert seen, "the line was not scanned at all"
    assert max(seen) <= 4 * prefilter.MAX_LINE
    assert len(seen) <= 64 * 40  # windows per line x detectors
