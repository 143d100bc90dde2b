"""Markdown pages as GitHub shows them: rendered by cmark-gfm (GitHub's own parser, with
its extensions), styled by GitHub's Markdown stylesheet (npm's github-markdown-css,
installed into tests/pages/node_modules by `make test` with `npm ci`), in a column of
GitHub's content width, laid out by headless Chromium.

:func:`measure` opens every ``<details>`` (a reviewer will), then reports each table
whose content is wider than the column (GitHub's tables scroll sideways when it is:
``display: block; max-width: 100%; overflow: auto``), and the page's own width.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE / "node_modules" / "github-markdown-css" / "github-markdown-light.css"
#: GitHub's Markdown column on a repository page, a pull request and a job summary.
WIDTH = 1012

_MEASURE = """
<script>
document.querySelectorAll("details").forEach(d => d.open = true);
const column = document.querySelector(".markdown-body");
const tables = [...document.querySelectorAll("table")].map((t, i) => ({
  index: i, scroll: t.scrollWidth, client: t.clientWidth,
  head: (t.rows[0] ? t.rows[0].innerText : "").slice(0, 80),
  widest: [...t.querySelectorAll("td, th")].sort((a, b) => b.scrollWidth - a.scrollWidth)
    .slice(0, 1).map(c => c.innerText.slice(0, 120))[0] || "",
}));
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify({column: column.clientWidth, page: column.scrollWidth, tables});
document.body.appendChild(out);
</script>
"""


@dataclass(frozen=True)
class Layout:
    column: int
    page: int  # the column's scroll width: wider than the column when something sticks out
    tables: list[dict[str, object]]

    @property
    def overflowing(self) -> list[dict[str, object]]:
        return [t for t in self.tables if int(str(t["scroll"])) > int(str(t["client"])) + 1]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (under CI=true a missing browser fails)")
    pytest.skip("chromium is not installed")


def stylesheet() -> str:
    if not STYLESHEET.is_file():
        why = "GitHub's stylesheet is not installed: npm ci --prefix tests/pages"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    return STYLESHEET.read_text(encoding="utf-8")


def to_html(markdown: str) -> str:
    """cmark-gfm with the extensions and options GitHub uses (raw HTML passes: GitHub
    sanitises it, and what launchready writes is on its allowlist: details, wbr, br)."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG
    )


def page(markdown: str, *, title: str, measure: bool = True) -> str:
    body = to_html(markdown)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{stylesheet()}\n"
        f"body {{ margin: 0; background: #fff; }}\n"
        f".markdown-body {{ box-sizing: content-box; width: {WIDTH}px; padding: 24px; }}"
        f"</style></head><body><article class='markdown-body'>{body}</article>"
        + (_MEASURE if measure else "")
        + "</body></html>"
    )


def _headless(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = None
    for mode in ("--headless", "--headless=new"):
        done = subprocess.run(
            [chromium(), mode, "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--no-first-run", f"--user-data-dir={tmp / 'profile'}", *args],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            return done
    assert done is not None
    pytest.fail(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")


def measure(markdown: str, tmp: Path, *, name: str = "page") -> Layout:
    path = tmp / f"{name}.html"
    path.write_text(page(markdown, title=name), encoding="utf-8")
    width = f"--window-size={WIDTH + 48 + 40},900"
    dom = _headless(tmp, width, "--virtual-time-budget=5000", "--dump-dom", path.as_uri()).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    data = json.loads(html.unescape(found.group(1)))
    return Layout(data["column"], data["page"], data["tables"])


def screenshot(markdown: str, tmp: Path, target: Path, *, height: int) -> bytes:
    path = tmp / "shot.html"
    path.write_text(page(markdown, title="screenshot", measure=False), encoding="utf-8")
    shot = tmp / "shot.png"
    _headless(tmp, f"--window-size={WIDTH + 48},{height}", f"--screenshot={shot}", path.as_uri())
    png = shot.read_bytes()
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
    return png
