"""The engine's API: scan_text, line numbers, checksums, and no value in any output."""

from __future__ import annotations

import zlib

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
