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


#: Checks whose rules are grouped by area: the modules (under launchready_ci.checks.<package>)
#: that may hold their rules, each module with the detection behind its rules.
AREA_MODULES = {
    "domain": {"dns", "email", "tls", "web"},
    "email": {"inbox", "auth", "content", "links", "spam"},
    "smoke": {"faults", "assertions", "check"},
    "workflows": {"deploy", "shell", "zizmor"},
}


def _checks_by_rule() -> dict[str, list[type]]:
    from launchready_ci.checks import CHECKS
    from launchready_ci.checks.domain.check import DomainCheck
    from launchready_ci.checks.email.check import EmailCheck
    from launchready_ci.checks.env_inventory.verify import EnvVerifyCheck
    from launchready_ci.checks.migrations.check import MigrationsDryRunCheck
    from launchready_ci.checks.smoke.check import SmokeCheck
    from launchready_ci.checks.workflows.check import WorkflowsCheck

    out: dict[str, list[type]] = {}
    every = (
        *CHECKS,
        DomainCheck,
        EmailCheck,
        EnvVerifyCheck,
        MigrationsDryRunCheck,
        SmokeCheck,
        WorkflowsCheck,
    )
    for check in every:
        for rule in check.rules:
            out.setdefault(rule.id, []).append(check)
    return out


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_lives_in_the_module_of_its_area(rule_id: str) -> None:
    """One pattern everywhere: a rule sits with the code that detects it, either in its
    check's area module (domain: dns/email/tls/web, ...) or, for the checks of one module
    per rule, in ``checks/<package>/rules/<name>.py`` alone."""
    rule = RULES[rule_id]
    parts = rule.__module__.split(".")
    if rule_id in ("launchready/unused-ignore", "launchready/stale-baseline"):
        assert rule.__module__ == "launchready_ci.suppressions"
        return
    assert parts[:2] == ["launchready_ci", "checks"], rule.__module__
    package = parts[2]
    checks = _checks_by_rule().get(rule_id, [])
    assert checks, f"{rule_id} is registered but no check reports it"
    assert all(c.__module__.split(".")[2] == package for c in checks)
    if package in AREA_MODULES:
        assert len(parts) == 4 and parts[3] in AREA_MODULES[package], rule.__module__
    else:
        assert parts[3:4] == ["rules"] and len(parts) == 5, rule.__module__
        same_module = [r for r in RULES.values() if r.__module__ == rule.__module__]
        assert same_module == [rule], f"{rule.__module__} holds more than one rule"


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
