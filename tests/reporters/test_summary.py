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
    row = next(line for line in out.splitlines() if line.startswith("|") and "DB_PASSWORD" in line)
    assert _unescaped_pipes(row) == 5  # | severity | rule | location | finding |
    # A real code span (no over-escaping), the pipe escaped, the line break gone.
    assert "`DB_PASSWORD`" in row and "\\| 100% sure" in row and "see line next" in row


def test_every_table_row_has_its_columns(report: Report) -> None:
    out = summary.render(report)
    widths = {_unescaped_pipes(line) for line in out.splitlines() if line.startswith("|")}
    assert widths == {5, 9}  # checks and findings (4 columns), the smoke measurements


def test_heading_checks_and_enable_snippet(report: Report) -> None:
    out = summary.render(report)
    assert out.startswith("<!-- launchready report -->\n## ❌ launchready: failed\n")
    assert "| Check | Result | Findings | Time |" in out
    assert "| Environment inventory `env` | ⏭️ skipped: not configured" in out
    assert "<details><summary>How to enable Environment inventory</summary>" in out
    assert "```yaml\nenv:\n  inventory: env-inventory.yml\n```" in out
    assert "💥 errored: cannot connect to postgres" in out


def test_one_findings_table_first_then_details_by_rule(report: Report) -> None:
    out = summary.render(report)
    assert out.index("| Severity | Rule | Location | Finding |") < out.index("### Details by rule")
    assert out.count("| Severity | Rule | Location | Finding |") == 1
    details = re.findall(r"^<details><summary>\S+ <code>([^<]+)</code>", out, flags=re.M)
    assert details == [
        "secrets/provider-credential",
        "secrets/private-key",
        "launchready/unused-ignore",
        "secrets/secret-assignment",
    ]
    assert "<code>secrets/private-key</code>: A private key (PEM or OpenSSH)" in out
    assert "**Fix:** Replace the key pair" in out
    assert f"[`secrets/private-key`]({DOCS_BASE}/secrets/private-key.md)" in out
    assert f"[Rule documentation]({DOCS_BASE}/secrets/private-key.md)" in out
    assert re.search(
        r"^\| 🔵&nbsp;notice \| \[`[^`]+`\]\([^)]+\) \| hostname staging\.example\.com \|",
        out,
        re.M,
    )


def test_locations_link_to_the_line_at_the_commit(report: Report) -> None:
    blob = "https://github.com/acme/app/blob/" + "c" * 40 + "/"
    out = summary.render(report, blob_url=blob)
    assert f"]({blob}config/settings.py#L12)" in out
    without = summary.render(report)
    assert "/blob/" + "c" * 40 not in without


def test_finding_url_prefers_the_commit_that_added_it() -> None:
    rule = all_rules()["secrets/provider-credential"]
    finding = rule.finding(
        "key", Location(path="a b/x.py", start_line=3, end_line=5),
        properties={"commit": "d" * 40},
    )  # fmt: skip
    base = "https://github.com/acme/app/blob/" + "e" * 40 + "/"
    assert summary.finding_url(finding, base) == (
        "https://github.com/acme/app/blob/" + "d" * 40 + "/a%20b/x.py#L3-L5"
    )
    assert summary.finding_url(finding, None) is None


def test_prose_keeps_code_and_escapes_what_breaks_a_table() -> None:
    text = "Use `a | b` and <b>bold</b> | no ![img](http://x/y.png)\nsame line\n\nnext"
    assert summary.prose(text) == (
        "Use `a \\| b` and &lt;b&gt;bold&lt;/b&gt; \\| no !\\[img](http://x/y.png) same line"
        "<br>next"
    )


def test_breakable_puts_break_points_in_long_words_only() -> None:
    assert summary.breakable("short/path.py") == "short/path.py"
    long = "src/saleor/graphql/account/mutations/staff.py"
    assert summary.breakable(long) == long.replace("/", "/<wbr>").replace(".py", ".<wbr>py")
    url = "https://example.com/" + "a" * 60
    shortened = summary.breakable(url)
    assert shortened.startswith("[example.") and shortened.endswith(f"…]({url})")


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
    full = summary.render(report, max_per_rule=3000, max_bytes=10**7)
    assert len(full.encode()) > 200_000 and "**Note:**" not in full
    for limit in (20_000, 50_000, 100_000):
        out = summary.render(report, max_bytes=limit, max_per_rule=3000)
        assert len(out.encode("utf-8")) <= limit
        shown = [
            line for line in out.splitlines() if re.match(r"^(\| |- )(🔴|🟠|🔵)(&nbsp;| )", line)
        ]
        left_out = 3000 - len(shown)
        assert left_out > 0
        assert out.endswith(
            f"> **Note:** {left_out} of 3000 findings are not shown here: GitHub limits a job "
            "summary to 1 MiB. Every finding is in the SARIF and JSON reports "
            "(`--sarif FILE`, `--json FILE`).\n"
        )
        assert "\n\n> **Note:**" in out
        assert "| Check | Result |" in out


def test_at_scale_the_table_is_capped_and_the_details_say_how_many_are_left() -> None:
    out = summary.render(_big_report(3000))
    rows = [line for line in out.splitlines() if re.match(r"^\| (🔴|🟠|🔵)&nbsp;", line)]
    assert len(rows) == summary.DEFAULT_MAX_ROWS
    assert "2900 more findings below, by rule." in out
    assert out.count("more in the SARIF and JSON reports") == 3  # one per rule, all capped
    assert len(out.encode()) < 60_000


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
