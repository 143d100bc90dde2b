"""The terminal report: safe for a terminal, coloured only when asked."""

from __future__ import annotations

from dataclasses import replace

from launchready_ci.findings import Report
from launchready_ci.reporters import text
from launchready_ci.rules import DOCS_BASE
from tests.reporters.conftest import make_report


def test_no_colour_by_default(report: Report) -> None:
    assert "\x1b" not in text.render(report)


def test_colour_when_asked(report: Report) -> None:
    out = text.render(report, color=True)
    assert "\x1b[1;31merror\x1b[0m" in out
    # The only escape sequences are ours: the one in the message is made visible.
    assert "\\x1b[2J" in out and "\x1b[2J" not in out


def test_finding_line_format(report: Report) -> None:
    lines = text.render(report).splitlines()
    assert lines[0] == (
        "config/settings.py:12:15: error secrets/provider-credential "
        "Stripe Access Key committed (sk_live_…9f2c)"
    )
    assert lines[1].startswith("    fix:  Revoke or roll the key")
    assert lines[2] == f"    docs: {DOCS_BASE}/secrets/provider-credential.md"


def test_carriage_return_cannot_overwrite_a_line(report: Report) -> None:
    out = text.render(report)
    assert "\r" not in out
    # \r\n in a message becomes an indented continuation line.
    assert "maybe: see line\n    next <script>" in out


def test_lone_carriage_return_is_shown() -> None:
    from tests.reporters.conftest import make_findings

    finding = replace(make_findings()[0], message="ok\rFAKE")
    out = text.render(make_report((finding,)))
    assert "ok\\rFAKE" in out


def test_skipped_check_shows_reason_and_snippet(report: Report) -> None:
    out = text.render(report)
    assert "      reason: not configured: add a `env:` section" in out
    assert "      to enable it, add to .github/launchready.yml:\n          env:\n" in out
    assert "      error: cannot connect to postgres" in out


def test_final_line_has_totals_suppressed_and_policy(report: Report) -> None:
    last = text.render(report).splitlines()[-1]
    assert last.startswith("5 findings (2 errors, 2 warnings, 1 notice), 2 suppressed")
    assert "fail-on error -> failed: 2 findings at error or above and 1 check errored" in last
    assert last.endswith("(exit code 1)")


def test_clean_run() -> None:
    report = make_report((), fail_on=None)
    report = replace(report, results=report.results[:1])
    out = text.render(report)
    assert out.splitlines()[0] == "Checks:"
    assert out.splitlines()[-1] == (
        "0 findings, 2 suppressed. fail-on never -> passed: fail-on is never (exit code 0)"
    )
