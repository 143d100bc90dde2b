"""Every verify rule's documented examples: "bad" is reported by that rule, "good" is not.

An example holds ``env-inventory.yml``, then ``.env.<environment>`` with the values to
verify and, optionally, a second ``.env.<name>`` to compare with (see rules/_verify.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from launchready_ci.checks.env_inventory.rules._verify import VerifyRule
from launchready_ci.checks.env_inventory.values import ValueSource, parse_values
from launchready_ci.checks.env_inventory.verify import EnvVerifyCheck
from launchready_ci.config.loader import load
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.findings import CheckStatus
from launchready_ci.runner import RunOptions, run
from tests.checks.env_inventory.test_examples import parse_example
from tests.helpers import make_repo


def _examples() -> list[tuple[type[VerifyRule], str, str]]:
    return [
        (rule, kind, text)
        for rule in EnvVerifyCheck.rules
        for kind in ("bad", "good")
        for text in rule.examples.get(kind, ())
    ]


@pytest.mark.parametrize(
    ("rule", "kind", "text"), _examples(), ids=lambda v: v.id if isinstance(v, type) else None
)
def test_example(rule: type[VerifyRule], kind: str, text: str, tmp_path: Path) -> None:
    files = parse_example(text)
    envs = [name for name in files if name.startswith(".env.")]
    assert 1 <= len(envs) <= 2, "an example has one .env.<environment> file, or two to compare"
    sources = [ValueSource(name, parse_values(files.pop(name).encode(), name)) for name in envs]
    root = make_repo(tmp_path / "repo", files)
    check = EnvVerifyCheck(
        envs[0].removeprefix(".env."), sources[0], sources[1] if len(sources) > 1 else None
    )
    ctx = RunContext(root=root, config=load(root), github=GitHubEnv(), environ={})
    (result,) = run(ctx, RunOptions(), checks=[check]).results
    assert result.status in (CheckStatus.PASSED, CheckStatus.FAILED), result.reason
    found = [f for f in result.findings if f.rule_id == rule.id]
    if kind == "bad":
        assert found, f"{rule.id}: the bad example is not reported"
    else:
        assert not result.findings, f"{rule.id}: the good example is reported: {result.findings}"


@pytest.mark.parametrize("rule", EnvVerifyCheck.rules, ids=lambda r: r.id)
def test_rule_is_documented_and_registered(rule: type[VerifyRule]) -> None:
    from launchready_ci.rules import all_rules

    assert all_rules()[rule.id] is rule
    doc = rule.doc()
    assert doc.summary and doc.why and doc.remediation and doc.references
    assert rule.examples.get("bad") and rule.examples.get("good")
