"""Runs every case of cases/<rule>.yml through the real runner in a real git repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.check import EnvInventoryCheck

from .casefile import Case, compare, load_cases, materialise, run_case

CASES_DIR = Path(__file__).parent / "cases"
DOMAIN = "env"


def _all_cases() -> list[Case]:
    return [c for p in sorted(CASES_DIR.glob("*.yml")) for c in load_cases(p, DOMAIN)]


@pytest.mark.parametrize("case", _all_cases(), ids=lambda c: c.id)
def test_case(case: Case, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    materialise(case, root, EnvInventoryCheck.config_key)
    problems = compare(case, run_case(root, EnvInventoryCheck.id))
    assert not problems, "\n".join(problems)


def test_every_rule_has_a_case_file_and_every_case_file_a_rule() -> None:
    rule_ids = {r.id for r in EnvInventoryCheck.rules}
    files = {f"{DOMAIN}/{p.stem}" for p in CASES_DIR.glob("*.yml")}
    assert files == rule_ids


@pytest.mark.parametrize("rule", EnvInventoryCheck.rules, ids=lambda r: r.id)
def test_case_file_has_failing_and_passing_cases(rule: type) -> None:
    cases = load_cases(CASES_DIR / f"{rule.id.split('/')[1]}.yml", DOMAIN)
    assert any(any(e.rule == rule.id for e in c.expect) for c in cases), "no case reports it"
    assert any(not c.expect and c.error is None for c in cases), "no clean case"
