"""The Markdown job summary (``$GITHUB_STEP_SUMMARY``), laid out for the page a reviewer
reads: GitHub's content column is 1012 px wide.

1. The verdict, then one compact table of checks (check, result, findings, time).
2. One findings table, most severe first: severity, rule (a link to its docs), location
   (a link to the line at the commit when the GitHub context is known) and the short
   message. Four columns; long paths and words get break points (``<wbr>``), so no table
   needs to scroll sideways (tests/pages checks it in Chromium with GitHub's stylesheet).
   At most ``max_rows`` rows: the rest are in the details, the SARIF and the JSON.
3. The details, one folded ``<details>`` per rule: its fix, its docs, and each finding
   with its whole message and its own fix when it differs from the rule's.

GitHub rejects a step summary over 1 MiB, so parts stop being added before the text
would pass ``max_bytes`` (UTF-8) and a closing note says what was left out.

Two kinds of text: what came from the repository or a remote service (paths, targets,
reasons) goes through :func:`escape` and shows as typed; launchready's own messages and
fixes go through :func:`prose`, which keeps their code spans real and escapes only what
would break a table or inject HTML (``|``, line breaks, ``<``, ``>``, ``&``, images).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from launchready_ci.findings import CheckResult, CheckStatus, Finding, Report
from launchready_ci.reporters._common import (
    check_counts,
    counts_phrase,
    fail_on_label,
    first_sentence,
    format_duration,
    plural,
    rule_class,
    rule_summary,
    severities,
    status_word,
    verdict,
    visible,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "breakable",
    "enable_block",
    "escape",
    "finding_url",
    "prose",
    "render",
]

#: Half of GitHub's 1 MiB limit: other steps of the job write to the summary too.
DEFAULT_MAX_BYTES = 512 * 1024
#: Rows of the findings table; every finding is still in the details (while they fit).
DEFAULT_MAX_ROWS = 100
#: Findings listed under one rule in the details.
DEFAULT_MAX_PER_RULE = 50

_RESULT = {
    "passed": "✅ launchready: passed",
    "passed-with-findings": "⚠️ launchready: passed with findings",
    "failed": "❌ launchready: failed",
}
_STATUS = {
    "passed": "✅ passed",
    "failed": "❌ failed",
    "findings": "⚠️ findings",
    "skipped": "⏭️ skipped",
    "errored": "💥 errored",
}
_ICON = {"error": "🔴", "warning": "🟠", "notice": "🔵"}
_SEVERITY = {label: f"{icon}&nbsp;{label}" for label, icon in _ICON.items()}

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
#: A run of text a browser cannot break, longer than a table column should be.
_LONG_WORD = re.compile(r"[^\s<>]{28,}")
_BREAK_AFTER = re.compile(r"([/._\-=?,:+@])(?=[^\s])")  # not & or ;: entities stay whole
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_UNIT = re.compile(r"&#?\w+;|\\.|.", re.DOTALL)  # an entity, a backslash escape, a character
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_URL = re.compile(r"https?://[^\s<>|]+[^\s<>|.,;:!?)]")


def escape(text: str) -> str:
    """Inline text safe for a Markdown table cell, shown as typed: no HTML, no
    formatting, one line. For what came from the repository or a remote service."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_BREAKS.sub("<br>", text)


def _html(text: str) -> str:
    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def prose(text: str) -> str:
    """launchready's own Markdown (a message, a fix) for a table cell or a list item:
    code spans stay code spans; escaped is only what breaks a table (``|``, line
    breaks) or injects HTML or an image. Wrapped lines are joined, paragraphs become
    ``<br>``; long words get break points outside code spans and URLs."""
    text = _html(text).strip()
    text = "<br>".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())
    text = text.replace("![", "!\\[")
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(breakable(text[last : span.start()]).replace("|", "\\|"))
        out.append(span.group(0).replace("|", "\\|"))  # GFM reads \| in a cell's code too
        last = span.end()
    out.append(breakable(text[last:]).replace("|", "\\|"))
    return "".join(out)


def breakable(text: str) -> str:
    """``<wbr>`` after the separators of each long word (a path, a dotted name), so a
    table column can wrap it; URLs are left whole, or shortened into a link when long."""
    out, last = [], 0
    for url in _URL.finditer(text):
        out.append(_break_words(text[last : url.start()]))
        out.append(_short_link(url.group(0)))
        last = url.end()
    out.append(_break_words(text[last:]))
    return "".join(out)


def _break_words(text: str) -> str:
    return _LONG_WORD.sub(lambda m: _break_word(m.group(0)), text)


def _break_word(word: str) -> str:
    """Break points after separators and between camelCase humps; a piece still longer
    than 18 characters gets one every 18 (never inside an entity or an escape)."""
    word = _BREAK_AFTER.sub(r"\1<wbr>", word)
    word = _HUMP.sub("<wbr>", word)
    pieces = []
    for piece in word.split("<wbr>"):
        units = _UNIT.findall(piece)
        pieces.append("<wbr>".join("".join(units[i : i + 18]) for i in range(0, len(units), 18)))
    return "<wbr>".join(pieces)


def _short_link(url: str) -> str:
    if len(url) <= 48:
        return url
    shown = re.sub(r"^https?://", "", url)
    return f"[{_break_words(shown[:40].rstrip('/'))}…]({url})"


def finding_url(finding: Finding, blob_url: str | None) -> str | None:
    """The finding's line on GitHub (``blob/<sha>/path#L<n>``): at the commit that added
    it when it came from a commit scan, else at ``blob_url`` (the commit under test)."""
    location = finding.location
    if not blob_url or location.path is None:
        return None
    commit = dict(finding.properties).get("commit")
    base = blob_url
    if isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{40}", commit):
        base = re.sub(r"/blob/[^/]+/$", f"/blob/{commit}/", blob_url)
    url = base + quote(location.path)
    if location.start_line is not None:
        url += f"#L{location.start_line}"
        if location.end_line is not None and location.end_line != location.start_line:
            url += f"-L{location.end_line}"
    return url


def _where(finding: Finding, blob_url: str | None) -> str:
    text = breakable(escape(finding.location.describe()))
    url = finding_url(finding, blob_url)
    return f"[{text}]({url})" if url else text


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render(
    report: Report,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    blob_url: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_per_rule: int = DEFAULT_MAX_PER_RULE,
) -> str:
    """The job summary, at most ``max_bytes`` UTF-8 bytes.

    ``blob_url`` (``https://github.com/o/r/blob/<sha>/``) makes locations links. The
    verdict and the check table always come first; the findings table, then the
    details, are added while they fit, keeping room for the closing note. (Only a
    ``max_bytes`` too small for the verdict and the note themselves can be exceeded.)
    """
    findings = report.findings
    budget = max_bytes - _size(_note(len(findings), len(findings), table=True))
    head = _head(report)
    if _size(head) > budget:
        return _verdict(report) + _note(len(findings), len(findings), table=True)
    parts, size = [head], _size(head)

    def add(chunk: str) -> bool:
        nonlocal size
        if size + _size(chunk) > budget:
            return False
        parts.append(chunk)
        size += _size(chunk)
        return True

    shown: set[int] = set()  # indices of the findings on the page
    if findings:
        table = "### Findings\n\n| Severity | Rule | Location | Finding |\n|---|---|---|---|\n"
        if add(table):
            for i, finding in enumerate(findings[:max_rows]):
                if not add(_row(finding, blob_url)):
                    break
                shown.add(i)
            more = len(findings) - len(shown)
            add(f"\n{plural(more, 'more finding')} below, by rule.\n\n" if more else "\n")
    index = {id(f): i for i, f in enumerate(findings)}
    in_table = frozenset(shown)
    groups = _groups(findings)
    if groups and add("### Details by rule\n\n"):
        for group in groups:
            rest = [f for f in group if index[id(f)] not in in_table]
            block, listed = _details(group, rest, report, blob_url, max_per_rule)
            if not add(block):
                break
            shown.update(index[id(f)] for f in rest[:listed])
    if len(shown) < len(findings):
        parts.append(_note(len(findings) - len(shown), len(findings)))
    return "".join(parts)


def _verdict(report: Report) -> str:
    counts = report.counts()
    total = sum(counts.values())
    text = f"<!-- launchready report -->\n## {_RESULT[report.result]}\n\n"
    line = f"**{plural(total, 'finding')}**"
    if total:
        line += f" ({counts_phrase(counts)})"
    line += f", {report.suppressed} suppressed. "
    line += f"**Result: {verdict(report)}** (fail-on: {fail_on_label(report)}, "
    line += f"exit code {report.exit_code})."
    return text + line + "\n\n"


def _head(report: Report) -> str:
    out = [_verdict(report)]
    if report.results:
        out.append(_check_table(report))
    for result in report.results:
        out.append(_enable(result, report))
    for result in report.results:
        out.append(_measurements(result))
    return "".join(out)


def _measurements(result: CheckResult) -> str:
    if len(result.measurements) < 2:
        return ""
    head, *rows = result.measurements
    lines = [
        f"### {escape(result.title)}",
        "",
        "| " + " | ".join(escape(c) for c in head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(breakable(escape(c)) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n\n"


def _check_table(report: Report) -> str:
    lines = ["| Check | Result | Findings | Time |", "|---|---|---|---:|"]
    for result in report.results:
        ran = result.status in (CheckStatus.PASSED, CheckStatus.FAILED)
        status = _STATUS[status_word(result, report)]
        if not ran:
            status += f": {prose(result.reason or 'no reason given')}"
        counts = check_counts(result)
        found = " · ".join(
            f"{_ICON[s.label]} {counts[s.label]}" for s in severities() if counts[s.label]
        )
        if ran:
            found = found or "none"
            if result.suppressed:
                found += f" ({result.suppressed} suppressed)"
        time = format_duration(result.duration_s) if ran or result.duration_s else "–"
        name = f"{escape(result.title)} `{_code(result.check_id)}`"
        lines.append(f"| {name} | {status} | {found if ran else '–'} | {time} |")
    scopes = [
        f"- {escape(r.title)}: {prose(r.scope)}"
        for r in report.results
        if r.scope and r.status in (CheckStatus.PASSED, CheckStatus.FAILED)
    ]
    if scopes:
        lines += ["", "Scanned:", "", *scopes]
    return "\n".join(lines) + "\n\n"


def _enable(result: CheckResult, report: Report) -> str:
    if result.status is not CheckStatus.SKIPPED or not result.enable_snippet:
        return ""
    where = report.config_path or "launchready.yml"
    return enable_block(result.title, where, result.enable_snippet)


def enable_block(title: str, where: str, snippet: str) -> str:
    """The folded "How to enable" block of a skipped check (or command)."""
    fence = _fence(snippet)
    return (
        f"<details><summary>How to enable {_html(title)}</summary>\n\n"
        f"Add this to {escape(where)}:\n\n"
        f"{fence}yaml\n{snippet.rstrip()}\n{fence}\n\n"
        "</details>\n\n"
    )


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _code(text: str) -> str:
    """Text for inside a code span in a table: no backticks, pipes escaped."""
    return text.replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _groups(findings: tuple[Finding, ...]) -> list[list[Finding]]:
    """Findings grouped by rule, groups in the order of their most severe finding."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule_id, []).append(finding)
    return list(groups.values())


def _rule_link(finding: Finding) -> str:
    rule = rule_class(finding.rule_id)
    uri = finding.help_uri or (rule.help_uri() if rule is not None else "")
    code = f"`{_code(finding.rule_id)}`"
    return f"[{code}]({uri})" if uri else code


def _row(finding: Finding, blob_url: str | None) -> str:
    message = prose(first_sentence(finding.message, limit=200))
    severity = _SEVERITY[finding.severity.label]
    return f"| {severity} | {_rule_link(finding)} | {_where(finding, blob_url)} | {message} |\n"


def _details(
    group: list[Finding], rest: list[Finding], report: Report, blob_url: str | None, limit: int
) -> tuple[str, int]:
    """One rule's ``<details>``: its fix and docs, the fixes of its findings in the table
    that have their own, and its findings the table left out; with how many of those it
    lists."""
    rule_id = group[0].rule_id
    rule = rule_class(rule_id)
    summary = rule_summary(rule_id, report)
    default_fix = rule.doc().remediation if rule is not None else group[0].remediation
    uri = group[0].help_uri or (rule.help_uri() if rule is not None else "")
    worst = _ICON[max(f.severity for f in group).label]
    head = f"{worst} <code>{_html(rule_id)}</code>"
    if summary:
        head += f": {_inline_html(summary)}"
    out = [f"<details><summary>{head} ({plural(len(group), 'finding')})</summary>", ""]
    if default_fix:
        out += [f"**Fix:** {prose(default_fix)}", ""]
    if uri:
        out += [f"[Rule documentation]({uri})", ""]
    rest_ids = {id(f) for f in rest}
    own = [f for f in group if id(f) not in rest_ids and _own_fix(f, default_fix)]
    out += [
        f"- {_ICON[f.severity.label]} {_where(f, blob_url)}: **Fix:** {prose(f.remediation)}"
        for f in own[:limit]
    ]
    listed = rest[:limit]
    if listed:
        if own:
            out.append("")
        out.append(f"Not in the table above ({len(rest)}):")
        out.append("")
        out += [_item(f, default_fix, blob_url) for f in listed]
        if len(rest) > limit:
            out.append(f"- … and {len(rest) - limit} more in the SARIF and JSON reports")
    while out[-1] == "":
        out.pop()
    out += ["", "</details>", "", ""]
    return "\n".join(out), len(listed)


def _own_fix(finding: Finding, default_fix: str) -> bool:
    return bool(finding.remediation) and finding.remediation != default_fix


def _item(finding: Finding, default_fix: str, blob_url: str | None) -> str:
    line = (
        f"- {_ICON[finding.severity.label]} {_where(finding, blob_url)}: {prose(finding.message)}"
    )
    if _own_fix(finding, default_fix):
        line += f" **Fix:** {prose(finding.remediation)}"
    return line


def _inline_html(text: str) -> str:
    """Our Markdown as HTML for a ``<summary>`` (where Markdown is not read): code spans
    become ``<code>``, the rest is escaped."""
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_html(text[last : span.start()]))
        out.append(f"<code>{_html(span.group(2).strip())}</code>")
        last = span.end()
    out.append(_html(text[last:]))
    return "".join(out)


def _note(left_out: int, total: int, *, table: bool = False) -> str:
    what = f"{left_out} of {plural(total, 'finding')}"
    if table:
        what += " and the check table"
    return (
        f"> **Note:** {what} are not shown here: GitHub limits a job summary to 1 MiB. "
        "Every finding is in the SARIF and JSON reports (`--sarif FILE`, `--json FILE`).\n"
    )
