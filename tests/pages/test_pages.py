"""The pages reviewers read, as GitHub shows them: the job summary, AUDIT.md and
HANDOVER.md rendered by cmark-gfm with GitHub's stylesheet in a 1012 px column, laid out
by headless Chromium (tests/pages/browser.py). No table may need to scroll sideways:
that is where fixes and paths were cut off.

The example's pages, and a summary built to be hard: long paths and rule ids, words and
URLs without spaces, hostile text, hundreds of findings. The screenshot in docs/images/
is the example's job summary (UPDATE_SCREENSHOT=1 rewrites it).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from launchready_ci.findings import Confidence, Location, Severity
from launchready_ci.reporters import summary
from launchready_ci.rules import all_rules
from tests.helpers import EXAMPLE, run_cli
from tests.pages import browser
from tests.reporters.conftest import NASTY, make_report

ROOT = Path(__file__).resolve().parents[2]
SHA = "4f2a9c1e" * 5
BLOB = f"https://github.com/acme/clubhouse/blob/{SHA}/"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The example's job summary (as under Actions, with links), AUDIT.md, HANDOVER.md."""
    tmp = tmp_path_factory.mktemp("pages")
    repo = tmp / "membership-app"
    shutil.copytree(EXAMPLE, repo)
    step_summary = tmp / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/clubhouse",
        "GITHUB_SHA": SHA,
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(step_summary),
    }
    done = run_cli("run", "--fail-on", "never", "-q", cwd=repo, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    audit = run_cli(
        "audit", "--offline", "-q", "-o", "AUDIT.md", "--json", str(tmp / "a.json"), cwd=repo
    )
    assert audit.returncode == 0, audit.stderr
    handover = run_cli("handover", "--audit", str(tmp / "a.json"), cwd=repo)
    assert handover.returncode == 0, handover.stderr
    return {
        "summary": step_summary.read_text(encoding="utf-8"),
        "AUDIT": (repo / "AUDIT.md").read_text(encoding="utf-8"),
        "HANDOVER": (repo / "HANDOVER.md").read_text(encoding="utf-8"),
    }


def _hard_summary() -> str:
    """Everything that widens a column: the longest rule ids, deep paths, unbroken words
    and URLs in messages, a hostile message, and 400 findings."""
    rules = all_rules()
    longest = sorted(rules, key=len)[-3:]
    findings = []
    for i in range(400):
        rule = rules[longest[i % 3]]
        path = (
            f"services/{'very-long-package-name-' * 2}{i}/src/main/java/com/example/"
            f"membership/InvitationAcceptanceControllerIntegrationTest{i}.java"
        )
        message = (
            f"StripeWebhookSigningSecretForTheProductionEnvironment{i} is read by "
            "https://dashboard.stripe.com/test/webhooks/we_1Nv0000000000000000000000000/"
            f"settings/signing-secret?expand=true and by config.settings.production.{i} "
            + ("" if i % 7 else NASTY)
        )
        findings.append(
            rule.finding(
                message,
                Location(path=path, start_line=i + 1, end_line=i + 3),
                severity=(Severity.ERROR, Severity.WARNING, Severity.NOTICE)[i % 3],
                confidence=Confidence.HIGH,
            )
        )
    findings.append(
        rules["domain/tls-expiry"].finding(
            "certificate of members-area.staging.eu-west-1.clubhouse-membership.example "
            "expires in 6 days",
            Location(
                target="members-area.staging.eu-west-1.clubhouse-membership.example",
                target_kind="hostname",
            ),
        )
    )
    return summary.render(make_report(tuple(findings)), blob_url=BLOB)


@pytest.mark.parametrize("name", ["summary", "AUDIT", "HANDOVER"])
def test_no_table_of_the_examples_pages_overflows(
    example: dict[str, str], name: str, tmp_path: Path
) -> None:
    layout = browser.measure(example[name], tmp_path, name=name)
    assert layout.tables, f"{name} has no table"
    assert layout.overflowing == [], layout.overflowing
    assert layout.page <= layout.column, "something is wider than GitHub's column"


def test_no_table_of_a_hard_summary_overflows(tmp_path: Path) -> None:
    text = _hard_summary()
    assert len(text.encode()) <= summary.DEFAULT_MAX_BYTES
    layout = browser.measure(text, tmp_path, name="hard")
    assert len(layout.tables) == 3  # the checks, the smoke test, the findings
    assert layout.overflowing == [], layout.overflowing
    assert layout.page <= layout.column


def test_the_summary_reads_as_meant(example: dict[str, str], tmp_path: Path) -> None:
    """Links to the line at the commit, code that is code, no stray Markdown."""
    page = browser.to_html(example["summary"])
    assert f'href="{BLOB}app/payments.py#L6"' in page
    assert re.search(r'<a href="https://github\.com/launchready/launchready-ci/blob/v[\d.]+/'
                     r'docs/rules/secrets/provider-credential\.md"><code>', page)  # fmt: skip
    fixes = re.findall(r"<strong>Fix:</strong>(.*?)</p>", page, re.DOTALL)
    assert fixes and all("`" not in fix for fix in fixes), "a backtick shown as a backtick"
    assert any("<code>CREATE INDEX CONCURRENTLY</code>" in fix for fix in fixes)
    assert "<script" not in page


def test_a_screenshot_of_the_summary(example: dict[str, str], tmp_path: Path) -> None:
    png = browser.screenshot(
        example["summary"], tmp_path, ROOT / "docs" / "images" / "job-summary.png", height=1400
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_the_old_layout_is_what_overflowed(tmp_path: Path) -> None:
    """The measurement bites: a six-column table of long cells (AUDIT.md's before this
    layout) does not fit the column."""
    row = "| 1 | stops payment | error | " + "x" * 60 + " | " + "a/" * 40 + "b.py:1 | fix |"
    text = "| # | Impact | Severity | Risk | Where | Fix |\n|---|---|---|---|---|---|\n" + row
    assert browser.measure(text + "\n", tmp_path, name="old").overflowing


def test_the_stylesheet_is_githubs() -> None:
    css = browser.stylesheet()
    assert ".markdown-body table" in css and "max-width: 100%" in css
    lock = (ROOT / "tests" / "pages" / "package-lock.json").read_text(encoding="utf-8")
    assert '"integrity": "sha512-' in lock
