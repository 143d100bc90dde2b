"""Every env rule's documented examples: "bad" is reported by that rule, "good" is not.

An example is a small repository written as ``==> path <==`` headers, each followed by
that file's content (the format of ``head`` on several files).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.check import EnvInventoryCheck
from launchready_ci.rules import Rule
from tests.checks.casefile import Case, materialise, run_case

_HEADER = re.compile(r"^==> (.+?) <==\n", re.MULTILINE)


def parse_example(text: str) -> dict[str, str]:
    parts = _HEADER.split(text)
    assert parts[0] == "", "an example starts with a ==> path <== header"
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _examples() -> list[tuple[type[Rule], str, str]]:
    return [
        (rule, kind, text)
        for rule in EnvInventoryCheck.rules
        for kind in ("bad", "good")
        for text in rule.examples.get(kind, ())
    ]


@pytest.mark.parametrize(
    ("rule", "kind", "text"), _examples(), ids=lambda v: v.id if isinstance(v, type) else None
)
def test_example(rule: type[Rule], kind: str, text: str, tmp_path: Path) -> None:
    files = parse_example(text)
    case = Case(
        source="examples",
        name=kind,
        files=files,
        config=None if "launchready.yml" in files else {},
        expect=(),
        rules=(rule.id,),
        error=None,
    )
    root = tmp_path / "repo"
    materialise(case, root, EnvInventoryCheck.config_key)
    found = [f for f in run_case(root, EnvInventoryCheck.id).findings if f.rule_id == rule.id]
    if kind == "bad":
        assert found, f"{rule.id}: the bad example is not reported"
    else:
        assert not found, f"{rule.id}: the good example is reported: {found[0].message}"


@pytest.mark.parametrize("rule", EnvInventoryCheck.rules, ids=lambda r: r.id)
def test_rule_is_documented(rule: type[Rule]) -> None:
    doc = rule.doc()
    assert doc.summary and doc.why and doc.remediation and doc.references
    assert rule.examples.get("bad") and rule.examples.get("good")
