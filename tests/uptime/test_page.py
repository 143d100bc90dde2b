"""The status page: a static render of 90 days of history, checked as text, as XML and in
a real headless Chromium (a screenshot and the DOM it built)."""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest

from launchready_ci.uptime.history import DAY, History, Run, Sample
from launchready_ci.uptime.page import render

NOW = 1_764_331_200.0  # 2025-11-28 12:00 UTC
EVERY = 300.0
CHECKS = {
    "homepage": {"name": "Homepage", "url": "https://example.com/", "budget_ms": None},
    "login": {"name": "Login", "url": "https://example.com/login", "budget_ms": None},
    "api-health": {"name": "API health", "url": "https://api.example.com/health", "budget_ms": 300},
}
BASE_MS = {"homepage": 110.0, "login": 190.0, "api-health": 150.0}
GAP = (NOW - 2 * DAY, NOW - 2 * DAY + 7200)  # no run at all for two hours
OUTAGES = {
    "login": [(NOW - 3 * DAY, NOW - 3 * DAY + 1800)],  # 30 minutes down
    "api-health": [(NOW - 41 * DAY, NOW - 41 * DAY + 5400)],
}
API_SINCE = NOW - 75 * DAY  # the api check was added later: grey days before
DEPLOY = {
    "state": "success",
    "ref": "v1.4.2",
    "environment": "production",
    "at": "2025-11-27T16:20:00Z",
    "url": "https://github.com/acme/app/deployments",
}


def make_history(days: int = 90) -> History:
    """``days`` of runs every 5 minutes (jittered over the last week, like GitHub's cron),
    a two-hour gap, a 30-minute outage, a slow week for the API, folded by compact()."""
    rng = random.Random(7)
    history = History(checks={k: dict(v) for k, v in CHECKS.items()})
    at = NOW - days * DAY
    while at <= NOW:
        if not GAP[0] <= at < GAP[1]:
            history.add(Run(at, _samples(at, rng)))
        at += EVERY + (rng.uniform(0, 480) if at > NOW - 7 * DAY else 0)
    history.add(
        Run(
            NOW - 60,
            _samples(NOW - 60, rng),
            tls={"example.com": NOW + 64.4 * DAY, "api.example.com": NOW + 9.2 * DAY},
        )
    )
    history.compact(NOW)
    return history


def _samples(at: float, rng: random.Random) -> dict[str, Sample]:
    out = {}
    for check, base in BASE_MS.items():
        if check == "api-health" and at < API_SINCE:
            continue
        if any(a <= at < b for a, b in OUTAGES.get(check, [])):
            out[check] = Sample(at, False, None, 0)
            continue
        slow = 1.9 if check == "api-health" and NOW - 30 * DAY < at < NOW - 23 * DAY else 1.0
        hour = (at % DAY) / 3600
        daily = 1 + 0.25 * max(0.0, 1 - abs(hour - 15) / 5)  # busier in the afternoon
        latency = base * slow * daily * rng.lognormvariate(0, 0.25)
        out[check] = Sample(at, True, round(latency, 1), 200)
    return out


@pytest.fixture(scope="module")
def history() -> History:
    return make_history()


@pytest.fixture(scope="module")
def files(history: History) -> dict[str, str]:
    return render(history, title="Acme status", now=NOW, interval=EVERY, deploy=DEPLOY)


def test_the_page_is_static_and_shows_every_check_and_the_real_coverage(
    history: History, files: dict[str, str]
) -> None:
    page = files["index.html"]
    assert "<script" not in page.lower() and "javascript:" not in page.lower()
    for fetch in ('src="http', "src='http", "url(", "@import", "<link", "<iframe", "<object"):
        assert fetch not in page  # nothing fetched from elsewhere
    for meta in CHECKS.values():
        assert f"<h2>{meta['name']}</h2>" in page
    coverage = history.coverage(NOW, EVERY)
    assert coverage.worse and coverage.long_gaps == 1
    assert coverage.describe() in page
    assert "Probe coverage is worse than configured" in page
    assert "All systems operational" in page
    assert "budget 300 ms" in page and "v1.4.2" in page
    assert "9 days left" in page and "64 days left" in page


def test_each_check_has_two_badges_of_valid_svg(files: dict[str, str]) -> None:
    for check in CHECKS:
        for kind in ("uptime", "p95"):
            svg = ElementTree.fromstring(files[f"badges/{check}-{kind}.svg"])
            assert svg.tag == "{http://www.w3.org/2000/svg}svg"
            assert f'src="badges/{check}-{kind}.svg"' in files["index.html"]
    assert "#4c1" in files["badges/homepage-uptime.svg"]  # 100%
    assert ">100%<" in files["badges/homepage-uptime.svg"]
    login = files["badges/login-uptime.svg"]
    assert ">99.9" in login and ">100%<" not in login  # the 30-minute outage counts
    assert "#007ec6" in files["badges/homepage-p95.svg"]  # no budget: neutral
    assert "#007ec6" not in files["badges/api-health-p95.svg"]  # against its budget


def test_strings_from_config_and_history_are_escaped() -> None:
    history = make_history(days=2)
    history.checks["homepage"]["name"] = "<b>x</b>"
    history.checks["login"]["url"] = 'javascript:alert("x")'
    history.tls['<i>host"</i>'] = {"not_after": NOW - 3 * DAY, "checked": NOW}
    history.add(Run(NOW + 1, {"login": Sample(NOW + 1, False, None, 0)}))
    deploy = {"state": "<failure>", "ref": "main&<x>"}
    files = render(history, title="A & <B>", now=NOW + 2, interval=EVERY, deploy=deploy)
    page = files["index.html"]
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert 'href="javascript' not in page and "&lt;i&gt;host&quot;&lt;/i&gt;" in page
    assert "<title>A &amp; &lt;B&gt;</title>" in page and "main&amp;&lt;x&gt;" in page
    assert "1 check failing" in page and "expired 3 days ago" in page
    ElementTree.fromstring(files["badges/homepage-uptime.svg"])  # the name is in its title


def test_an_empty_history_renders() -> None:
    files = render(History(), title="New", now=NOW, interval=EVERY)
    assert "No data yet" in files["index.html"] and list(files) == ["index.html"]


# -- in a real browser --------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (under CI=true a missing browser fails)")
    pytest.skip("chromium is not installed")


def _headless(binary: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium; older builds want ``--headless``, newer ones may want
    ``--headless=new``: try both."""
    done = None
    for mode in ("--headless", "--headless=new"):
        done = subprocess.run(
            [binary, mode, "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--no-first-run", f"--user-data-dir={tmp / 'profile'}", *args],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            return done
    assert done is not None
    pytest.fail(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")


def _distinct_bytes(png: bytes) -> int:
    """How many different byte values the image data holds (1 for a blank image)."""
    pos, data = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        if png[pos + 4 : pos + 8] == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data)))


def test_the_page_renders_in_headless_chromium(files: dict[str, str], tmp_path: Path) -> None:
    binary = _chromium()
    site = tmp_path / "site"
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    url = (site / "index.html").as_uri()
    update = os.environ.get("UPDATE_SCREENSHOT") == "1"
    shot = tmp_path / "shot.png"
    size = "1100,2180" if update else "1100,2400"  # the README shot: the whole page
    _headless(binary, tmp_path, f"--window-size={size}", f"--screenshot={shot}", url)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert _distinct_bytes(png) > 50
    dom = _headless(binary, tmp_path, "--dump-dom", url).stdout
    for meta in CHECKS.values():
        assert f"<h2>{meta['name']}</h2>" in dom
    assert "<script" not in dom
    if update:
        target = Path(__file__).parents[2] / "docs" / "images" / "status-page.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
