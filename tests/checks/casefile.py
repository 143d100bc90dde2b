"""YAML case files for rules, and running them in real git repositories.

A case file is ``cases/<rule-name>.yml`` next to the test; the rule it is about is
``<domain>/<rule-name>``. It holds a list of cases::

    - name: reads through os.environ          # shown in the test id
      files:                                   # committed to a fresh git repository
        app.py: |
          import os
          os.environ["DATABASE_URL"]
        env-inventory.yml: |
          version: 1
          variables: {}
      config: {inventory: env-inventory.yml}   # the check's section of launchready.yml
      expect:                                  # every finding of the compared rules
        - {path: app.py, line: 2}              # rule defaults to the file's rule;
        - {rule: env/not-in-inventory, path: app.py, line: 2, column: 12}  # column optional
        - {path: tests/test_app.py, line: 3, severity: notice}  # severity optional

Optional keys: ``config`` defaults to ``{}`` (``null`` leaves the section out); when
``files`` holds a ``launchready.yml`` it is used as is and ``config`` must be absent.
``rules`` lists the rule ids whose findings are compared (default: the file's rule;
``["*"]``: every finding of the check). ``error`` expects the check to end *errored*
with a reason containing that text (``expect`` must then be empty or absent).

Nothing here is specific to one domain: pass the check id and its config key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from launchready_ci.config.loader import CONFIG_CANDIDATES, load
from launchready_ci.context import GitHubEnv, RunContext
from launchready_ci.findings import CheckResult, CheckStatus
from launchready_ci.runner import RunOptions, run
from tests.helpers import make_repo

__all__ = ["Case", "Expected", "compare", "load_cases", "materialise", "run_case"]

_CASE_KEYS = {"name", "files", "config", "expect", "rules", "error"}
_EXPECT_KEYS = {"rule", "path", "line", "column", "severity"}


@dataclass(frozen=True)
class Expected:
    rule: str
    path: str | None
    line: int | None
    column: int | None = None
    severity: str | None = None

    def matches(self, actual: Expected) -> bool:
        return (
            self.rule == actual.rule
            and self.path == actual.path
            and self.line == actual.line
            and (self.column is None or self.column == actual.column)
            and (self.severity is None or self.severity == actual.severity)
        )

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{self.rule} at {where}" + (f" ({self.severity})" if self.severity else "")


@dataclass(frozen=True)
class Case:
    source: str  # case-file name, for messages
    name: str
    files: Mapping[str, str]
    config: Mapping[str, Any] | None
    expect: tuple[Expected, ...]
    rules: tuple[str, ...]
    error: str | None

    @property
    def id(self) -> str:
        return f"{self.source}: {self.name}"


def load_cases(path: Path, domain: str) -> list[Case]:
    """Parse and sanity-check one case file; mistakes in it fail loudly."""
    rule = f"{domain}/{path.stem}"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(items, list), f"{path}: expected a list of cases"
    cases = []
    for i, item in enumerate(items):
        where = f"{path.name}[{i}]"
        assert isinstance(item, dict), f"{where}: a case is a mapping"
        assert not set(item) - _CASE_KEYS, f"{where}: unknown keys {set(item) - _CASE_KEYS}"
        assert isinstance(item.get("name"), str), f"{where}: needs a name"
        files = item.get("files") or {}
        for rel, content in files.items():
            pure = PurePosixPath(rel)
            assert not pure.is_absolute() and ".." not in pure.parts, f"{where}: path {rel}"
            assert isinstance(content, str), f"{where}: content of {rel} must be a string"
        has_config_file = any(c in files for c in CONFIG_CANDIDATES)
        assert not (has_config_file and "config" in item), (
            f"{where}: give either `config` or a launchready.yml in `files`"
        )
        expect = []
        for e in item.get("expect") or ():
            assert not set(e) - _EXPECT_KEYS, (
                f"{where}: unknown expect keys {set(e) - _EXPECT_KEYS}"
            )
            expect.append(
                Expected(
                    e.get("rule", rule),
                    e.get("path"),
                    e.get("line"),
                    e.get("column"),
                    e.get("severity"),
                )
            )
        assert not (expect and item.get("error")), (
            f"{where}: `error` and `expect` exclude each other"
        )
        cases.append(
            Case(
                source=path.name,
                name=item["name"],
                files=files,
                config=None if has_config_file else item.get("config", {}),
                expect=tuple(expect),
                rules=tuple(item.get("rules", (rule,))),
                error=item.get("error"),
            )
        )
    return cases


def materialise(case: Case, root: Path, config_key: str) -> None:
    """A real git repository at ``root`` holding the case's files in one commit (so
    tracked files and .gitignore behave as in a real checkout)."""
    files = dict(case.files)
    if case.config is not None:
        files["launchready.yml"] = yaml.safe_dump({config_key: dict(case.config)}, sort_keys=False)
    make_repo(root, files, commit=True)


def run_case(root: Path, check_id: str) -> CheckResult:
    """Run one check on the repository at ``root`` as the CLI would, and return its result."""
    ctx = RunContext(root=root, config=load(root), github=GitHubEnv(), environ={})
    report = run(ctx, RunOptions(only=(check_id,)))
    (result,) = [r for r in report.results if r.check_id == check_id]
    return result


def compare(case: Case, result: CheckResult) -> list[str]:
    """Differences between what the case expects and what the check did (empty: pass)."""
    if case.error is not None:
        if result.status is not CheckStatus.ERRORED:
            return [f"expected an errored check, got {result.status.value}"]
        if case.error not in (result.reason or ""):
            return [f"reason {result.reason!r} does not contain {case.error!r}"]
        return []
    if result.status not in (CheckStatus.PASSED, CheckStatus.FAILED):
        return [f"check {result.status.value}: {result.reason}"]
    compared = [f for f in result.findings if "*" in case.rules or f.rule_id in case.rules]
    unmatched = list(case.expect)
    extra = []
    for f in compared:
        loc = f.location
        actual = Expected(
            f.rule_id, loc.path, loc.start_line, loc.start_column, f.severity.name.lower()
        )
        hit = next((e for e in unmatched if e.matches(actual)), None)
        if hit is None:
            extra.append(f"unexpected {actual}: {f.message}")
        else:
            unmatched.remove(hit)
    return [f"missing {e}" for e in unmatched] + extra


def hermetic_git_env() -> dict[str, str]:
    """Environment overrides that keep a developer's git config out of the tests."""
    return {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
