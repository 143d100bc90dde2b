"""Every rule is registered, documented, has examples, and its doc page is current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import REGISTRY, Rule, all_rules, register
from tests.helpers import REPO

RULES = all_rules()


def test_registry_is_not_empty() -> None:
    assert len(RULES) >= 4


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_is_documented(rule_id: str) -> None:
    rule = RULES[rule_id]
    doc = rule.doc()
    assert doc.summary.endswith("."), "summary is one sentence"
    assert doc.why, "a Why section"
    assert doc.remediation, "a Remediation section"
    assert doc.references, "a References section"
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.confidence, Confidence)
    assert rule.examples.get("bad") and rule.examples.get("good")
    assert (REPO / "docs" / "rules" / f"{rule_id}.md").is_file()


def test_duplicate_ids_raise() -> None:
    existing = next(iter(RULES))

    class Dup(Rule):
        """Duplicate.

        Why
        ---
        x
        """

        id = existing

    with pytest.raises(ValueError, match="duplicate rule id"):
        register(Dup)


def test_bad_id_raises() -> None:
    class Bad(Rule):
        """Bad."""

        id = "NoDomain"

    with pytest.raises(ValueError, match="domain"):
        REGISTRY.add(Bad)


def test_docs_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
