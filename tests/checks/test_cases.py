"""The generic rule test: every rule of every check has a YAML case file next to its
check's tests (tests/checks/<package>/cases/<rule-name>.yml) and every case holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.checks import CHECKS, Check
from launchready_ci.rules import Rule
from tests.checks.casefile import Case, compare, load_cases, materialise, run_case

HERE = Path(__file__).parent


def cases_dir(check: type[Check]) -> Path:
    package = check.__module__.split(".")[-2]  # launchready_ci.checks.<package>.check
    return HERE / package / "cases"


def rule_file(check: type[Check], rule: type[Rule]) -> Path:
    return cases_dir(check) / f"{rule.id.split('/', 1)[1]}.yml"


def all_cases() -> list[tuple[type[Check], Case]]:
    out = []
    for check in CHECKS:
        domain = check.rules[0].id.split("/")[0]
        for path in sorted(cases_dir(check).glob("*.yml")):
            out.extend((check, case) for case in load_cases(path, domain))
    return out


@pytest.mark.parametrize(("check", "case"), all_cases(), ids=lambda v: v.id)
def test_case(check: type[Check], case: Case, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    materialise(case, root, check.config_key)
    problems = compare(case, run_case(root, check.id))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_every_rule_has_a_case_file_and_every_case_file_a_rule(check: type[Check]) -> None:
    domain = check.rules[0].id.split("/")[0]
    files = {f"{domain}/{p.stem}" for p in cases_dir(check).glob("*.yml")}
    assert files == {r.id for r in check.rules}


@pytest.mark.parametrize(
    ("check", "rule"),
    [(c, r) for c in CHECKS for r in c.rules],
    ids=lambda v: v.id,
)
def test_case_file_has_reported_and_clean_cases(check: type[Check], rule: type[Rule]) -> None:
    cases = load_cases(rule_file(check, rule), rule.id.split("/")[0])
    assert any(any(e.rule == rule.id for e in c.expect) for c in cases), "no case reports it"
    assert any(not c.expect and c.error is None for c in cases), "no clean case"
