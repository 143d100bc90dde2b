"""Scaffold a rule where its check keeps its rules, and its cases file, in one step.

    python scripts/new_rule.py secrets/stripe-restricted-key --severity error
    python scripts/new_rule.py domain/mta-sts-missing --area email

The checks of one module per rule (secrets, env, migrations) get
``checks/<package>/rules/<name>.py`` and ``tests/checks/<package>/cases/<name>.yml``; the
checks whose rules are grouped by area (domain: dns, email, tls, web; email: inbox, auth,
content, links, spam; smoke: faults, assertions, check; workflows: deploy, shell, zizmor)
get the class appended to the area
module named by ``--area``, next to the detection it needs. Then add the class to the
check's (or the area's) ``RULES``, fill in the docstring and the examples, and run
`make docs`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = '''from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register


@register
class {cls}(Rule):
    """{summary}

    Why
    ---
    TODO: what goes wrong at launch when this is not fixed.

    Remediation
    -----------
    TODO: the fix, as concrete steps.

    References
    ----------
    - TODO: a link
    """

    id = "{rule_id}"
    severity = Severity.{severity}
    confidence = Confidence.{confidence}
    examples = {{
        "bad": ("TODO: a snippet this rule reports",),
        "good": ("TODO: the fixed snippet",),
    }}
'''

#: Checks whose rules live in area modules: package -> the area modules.
AREAS = {
    "domain": ("dns", "email", "tls", "web"),
    "email": ("inbox", "auth", "content", "links", "spam"),
    "smoke": ("faults", "assertions", "check"),
    "workflows": ("deploy", "shell", "zizmor"),
}

CASES = """# Cases for {rule_id}: each case is a small repository and the findings expected in it.
- name: reported
  files:
    TODO.txt: "TODO"
  expect:
    - {{rule: {rule_id}, path: TODO.txt, line: 1}}
- name: clean
  files:
    TODO.txt: "TODO"
  expect: []
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rule_id", help="<domain>/<kebab-name>")
    parser.add_argument("--severity", choices=["error", "warning", "notice"], default="warning")
    parser.add_argument("--confidence", choices=["high", "medium", "low"], default="high")
    parser.add_argument("--summary", default="TODO: one sentence that names the problem.")
    parser.add_argument("--area", help="the area module, for domain, smoke and workflows rules")
    args = parser.parse_args()
    m = re.fullmatch(r"([a-z][a-z0-9-]*)/([a-z][a-z0-9-]*)", args.rule_id)
    if not m:
        print("rule id must look like <domain>/<kebab-name>", file=sys.stderr)
        return 2
    domain, name = m.groups()
    package = {"env": "env_inventory"}.get(domain, domain.replace("-", "_"))
    cls = "".join(part.capitalize() for part in name.split("-"))
    source = TEMPLATE.format(
        cls=cls,
        summary=args.summary,
        rule_id=args.rule_id,
        severity=args.severity.upper(),
        confidence=args.confidence.upper(),
    )
    if package in AREAS:
        if args.area not in AREAS[package]:
            areas = "|".join(AREAS[package])
            print(f"{domain} rules live by area: --area {areas}", file=sys.stderr)
            return 2
        area = ROOT / "launchready_ci" / "checks" / package / f"{args.area}.py"
        text = area.read_text()
        if f"class {cls}(" in text:
            print(f"{area.relative_to(ROOT)} already has {cls}", file=sys.stderr)
            return 2
        body = source.split("\n\n\n", 1)[1]  # the class, without the imports
        area.write_text(text.rstrip("\n") + "\n\n\n" + body)
        print(f"added {cls} to {area.relative_to(ROOT)}")
        print(f"next: add {cls} to the area's RULES, fill in the TODOs, run `make docs`")
        return 0
    module = ROOT / "launchready_ci" / "checks" / package / "rules" / f"{name.replace('-', '_')}.py"
    cases = ROOT / "tests" / "checks" / package / "cases" / f"{name}.yml"
    for path in (module, cases):
        if path.exists():
            print(f"{path.relative_to(ROOT)} already exists", file=sys.stderr)
            return 2
    module.parent.mkdir(parents=True, exist_ok=True)
    cases.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(source)
    cases.write_text(CASES.format(rule_id=args.rule_id))
    print(f"created {module.relative_to(ROOT)}")
    print(f"created {cases.relative_to(ROOT)}")
    print(f"next: add {cls} to the check's `rules`, fill in the TODOs, run `make docs`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
