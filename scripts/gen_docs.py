"""Write docs/rules/ from the rule docstrings and each action's README from its action.yml
(scripts/action_docs.py); `--check` fails when the files are stale."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import action_docs

from launchready_ci.rules import all_rules
from launchready_ci.rules.docs import rule_index_markdown, rule_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def expected() -> dict[Path, str]:
    rules = all_rules()
    files = {DOCS / f"{rid}.md": rule_markdown(rules[rid]) for rid in rules}
    files[DOCS / "README.md"] = rule_index_markdown()
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/rules is stale")
    args = parser.parse_args()
    want = expected()
    actions = action_docs.expected()
    have = {p for p in DOCS.rglob("*.md")} if DOCS.exists() else set()
    stale = sorted(
        [
            p
            for p, text in {**want, **actions}.items()
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        + [p for p in have if p not in want]
    )
    if args.check:
        if stale:
            for p in stale:
                print(f"stale: {p.relative_to(DOCS.parent.parent)}", file=sys.stderr)
            print(
                "docs/rules or an action's README is out of date: run `make docs`", file=sys.stderr
            )
            return 1
        return 0
    for p in have - set(want):
        p.unlink()
    for p, text in {**want, **actions}.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    print(f"wrote {len(want)} files under docs/rules/ and {len(actions)} action READMEs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
