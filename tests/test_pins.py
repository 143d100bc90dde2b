"""Every remote action in actions/, the starter workflows, .github/ and the READMEs is pinned
by a full commit SHA with a version comment, with one SHA per action (scripts/pins.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = "actions/checkout@" + "a" * 40 + " # v9.1.0"


def _pins():
    spec = importlib.util.spec_from_file_location("pins", ROOT / "scripts" / "pins.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["pins"] = module
    spec.loader.exec_module(module)
    return module


pins = _pins()


def test_this_repository_is_pinned() -> None:
    assert pins.problems(ROOT) == []
    found = [u for path in pins.files(ROOT, pins.SOURCES) for u in pins.uses(path)]
    assert {u.action for u in found} >= {
        "actions/checkout",
        "actions/cache",
        "astral-sh/setup-uv",
        "github/codeql-action",
    }


def _repo(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "launchready_ci").mkdir()
    (tmp_path / "launchready_ci" / "__init__.py").write_text('__version__ = "2.3.4"\n')
    for rel, text in files.items():
        path = tmp_path / rel.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("- uses: actions/checkout@v4", "is not pinned by a 40-hex commit SHA"),
        ("- uses: actions/checkout@" + "a" * 40, "has no '# vX.Y.Z' comment"),
        ("- uses: actions/checkout@" + "a" * 40 + " # v4", "has no '# vX.Y.Z' comment"),
        ("- uses: launchready/launchready-ci@v1", "must be used at @v2 (its major tag)"),
    ],
)
def test_a_bad_pin_is_named_with_its_line(tmp_path: Path, line: str, problem: str) -> None:
    repo = _repo(tmp_path, **{"workflow-templates__x.yml": f"steps:\n  {line}\n"})
    found = pins.problems(repo)
    assert len(found) == 1 and found[0].startswith("workflow-templates/x.yml:2: ")
    assert problem in found[0]


def test_own_actions_follow_the_major_tag(tmp_path: Path) -> None:
    text = "- uses: launchready/launchready-ci/actions/secret-scan@v2\n"
    assert pins.problems(_repo(tmp_path, **{"README.md": text})) == []


def test_two_shas_for_one_action_are_one_problem_and_write_fixes_them(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        **{
            "action.yml": f"    - uses: {CHECKOUT}\n",
            "README.md": "```yaml\n- uses: actions/checkout@v4  # v4\n  with: {}\n```\n",
            "workflow-templates__a.yml": "      - uses: actions/checkout@"
            + "b" * 40
            + " # v8.0.0\n",
        },
    )
    found = pins.problems(repo)
    assert any("actions/checkout has 3 pins" in p and "--write" in p for p in found), found
    pins.write(repo)
    assert pins.problems(repo) == []
    assert (repo / "README.md").read_text() == f"```yaml\n- uses: {CHECKOUT}\n  with: {{}}\n```\n"
    assert (repo / "workflow-templates" / "a.yml").read_text() == f"      - uses: {CHECKOUT}\n"


def test_sources_that_disagree_are_not_guessed(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        **{
            "action.yml": f"- uses: {CHECKOUT}\n",
            ".github__workflows__ci.yml": "- uses: actions/checkout@" + "c" * 40 + " # v9.2.0\n",
        },
    )
    with pytest.raises(SystemExit, match="the pins disagree"):
        pins.write(repo)
