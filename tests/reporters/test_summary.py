"""Job summary: escaping, grouping, and the size limit."""

from __future__ import annotations

import re

from launchready_ci.findings import Confidence, Location, Report, Severity
from launchready_ci.reporters import summary
from launchready_ci.rules import DOCS_BASE, all_rules
from tests.reporters.conftest import make_report


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_nasty_message_cannot_break_the_table_or_inject_html(report: Report) -> None:
    out = summary.render(report)
    assert "<script>" not in out and "</script>" not in out
    assert "&lt;script&gt;" in out
    assert "\r" not in out and "\x1b" not in out
    row = next(line for line in out.splitlines() if "DB\\_PASSWORD" in line)
    assert _unescaped_pipes(row) == 4  # | severity | location | message |
    assert "\\`DB\\_PASSWORD\\`" in row and "\\| 100% sure" in row and "<br>next" in row


def test_every_table_row_has_its_columns(report: Report) -> None:
    out = summary.render(report)
    widths = {_unescaped_pipes(line) for line in out.splitlines() if line.startswith("|")}
    assert widths == {4, 8, 9}  # findings, the 7-column check table, the smoke measurements


def test_heading_checks_and_enable_snippet(report: Report) -> None:
    out = summary.render(report)
    assert out.startswith("<!-- launchready report -->\n## ❌ launchready: failed\n")
    assert "| Environment inventory (`env`) | ⏭️ skipped: not configured" in out
    assert "<details><summary>How to enable Environment inventory</summary>" in out
    assert "```yaml\nenv:\n  inventory: env-inventory.yml\n```" in out
    assert "💥 errored: cannot connect to postgres" in out


def test_findings_grouped_by_rule_with_summary_remediation_and_link(report: Report) -> None:
    out = summary.render(report)
    headings = re.findall(r"^#### `([^`]+)`", out, flags=re.M)
    assert headings == [
        "secrets/provider-credential",
        "secrets/private-key",
        "launchready/unused-ignore",
        "secrets/secret-assignment",
    ]
    assert "#### `secrets/private-key`: A private key (PEM or OpenSSH)" in out
    assert "**Remediation:** Replace the key pair" in out
    assert f"({DOCS_BASE}/secrets/private-key.md)" in out
    assert "| 🔵 notice | hostname staging.example.com |" in out


def _big_report(n: int) -> Report:
    rules = all_rules()
    ids = ["secrets/provider-credential", "secrets/secret-assignment", "launchready/unused-ignore"]
    findings = tuple(
        rules[ids[i % 3]].finding(
            f"finding number {i} with some text to make the row longer " + "x" * 40,
            Location(path=f"src/module_{i:05d}.py", start_line=i + 1),
            severity=Severity.ERROR if i % 2 else Severity.WARNING,
            confidence=Confidence.HIGH,
        )
        for i in range(n)
    )
    return make_report(findings)


def test_truncates_under_max_bytes_with_a_note() -> None:
    report = _big_report(3000)
    full = summary.render(report)
    assert len(full.encode()) > 200_000
    for limit in (20_000, 50_000, 100_000):
        out = summary.render(report, max_bytes=limit)
        assert len(out.encode("utf-8")) <= limit
        rows = [line for line in out.splitlines() if re.match(r"^\| (🔴|🟠|🔵) ", line)]
        left_out = 3000 - len(rows)
        assert left_out > 0
        assert out.endswith(
            f"> **Note:** {left_out} of 3000 findings are not shown here: GitHub limits a job "
            "summary to 1 MiB. Every finding is in the SARIF and JSON reports "
            "(`--sarif FILE`, `--json FILE`).\n"
        )
        # The table before the note is closed by a blank line.
        assert "|\n\n> **Note:**" in out
        assert "| Check | Result |" in out


def test_default_limit_keeps_a_small_report_whole(report: Report) -> None:
    assert "**Note:**" not in summary.render(report)


def test_multibyte_text_is_measured_in_bytes() -> None:
    rule = all_rules()["secrets/secret-assignment"]
    findings = tuple(
        rule.finding("é" * 200 + f" {i}", Location(path="a.py", start_line=i + 1))
        for i in range(200)
    )
    out = summary.render(make_report(findings), max_bytes=30_000)
    assert len(out.encode("utf-8")) <= 30_000
    assert "**Note:**" in out


def test_tiny_limit_still_ends_with_the_note() -> None:
    out = summary.render(_big_report(10), max_bytes=600)
    assert "and the check table are not shown" in out
    assert "| Check |" not in out


def test_escape() -> None:
    assert summary.escape("a|b`c<d>&e\nf*g_h[i]\\") == (
        "a\\|b\\`c&lt;d&gt;&amp;e<br>f\\*g\\_h\\[i\\]\\\\"
    )
