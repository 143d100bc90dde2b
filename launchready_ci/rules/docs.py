"""Rule documentation: rendered from each rule's docstring, for `launchready rules` and
for docs/rules/ (kept in sync by a test)."""

from __future__ import annotations

import difflib

from launchready_ci.errors import UsageError
from launchready_ci.rules import Rule, all_rules

__all__ = ["render_rule", "render_rule_list", "rule_index_markdown", "rule_markdown"]


def render_rule_list() -> str:
    rules = all_rules()
    width = max(len(rid) for rid in rules)
    lines = [
        f"{rid:<{width}}  {rules[rid].severity.label:<7}  {rules[rid].doc().summary}"
        for rid in rules
    ]
    lines.append("")
    lines.append("`launchready rules ID` prints a rule's documentation.")
    return "\n".join(lines) + "\n"


def _lookup(rule_id: str) -> type[Rule]:
    rules = all_rules()
    try:
        return rules[rule_id]
    except KeyError:
        close = difflib.get_close_matches(rule_id, list(rules), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "; `launchready rules` lists them"
        raise UsageError(f"unknown rule id {rule_id!r}{hint}") from None


def render_rule(rule_id: str) -> str:
    return rule_markdown(_lookup(rule_id))


def rule_markdown(rule: type[Rule]) -> str:
    """The Markdown page of one rule: metadata table, body, examples."""
    doc = rule.doc()
    out = [
        f"# {rule.id}",
        "",
        doc.summary,
        "",
        "| id | severity | confidence | aliases |",
        "|---|---|---|---|",
        f"| `{rule.id}` | {rule.severity.label} | {rule.confidence.label} | "
        f"{', '.join(f'`{a}`' for a in rule.aliases) or '—'} |",
        "",
    ]
    for title, text in (
        ("Why", doc.why),
        ("Remediation", doc.remediation),
        ("References", doc.references),
    ):
        if text:
            out += [f"## {title}", "", text, ""]
    bad = rule.examples.get("bad", ())
    good = rule.examples.get("good", ())
    if bad or good:
        out += ["## Examples", ""]
        for label, items in (("Before (reported)", bad), ("After (clean)", good)):
            for item in items:
                out += [f"{label}:", "", "```", item, "```", ""]
    out += [
        "## Suppressing",
        "",
        f"Inline, on the line or the line above: `launchready: ignore[{rule.id}]` in a comment.",
        f"In launchready.yml: `ignore: [{{rule: {rule.id}, paths: [...], reason: ...}}]`.",
        "",
    ]
    return "\n".join(out)


def rule_index_markdown() -> str:
    """docs/rules/README.md: every rule with severity and summary."""
    rules = all_rules()
    out = [
        "# Rules",
        "",
        "Generated from the rule docstrings by `make docs`; do not edit by hand.",
        "`launchready rules ID` prints the same page in a terminal.",
        "",
        "| rule | severity | confidence | summary |",
        "|---|---|---|---|",
    ]
    for rid in rules:
        rule = rules[rid]
        out.append(
            f"| [`{rid}`]({rid}.md) | {rule.severity.label} | {rule.confidence.label} "
            f"| {rule.doc().summary} |"
        )
    return "\n".join(out) + "\n"
