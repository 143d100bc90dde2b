"""scripts/release.py: one version, one tag, one changelog section (the release workflow's
verify step), and `prepare`, on a copy of the files it reads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from launchready_ci import __version__

ROOT = Path(__file__).resolve().parent.parent


def _copy(tmp_path: Path, changelog: str | None = None) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "release.py", root / "scripts")
    shutil.copytree(
        ROOT / "launchready_ci",
        root / "launchready_ci",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(ROOT / "requirements", root / "requirements")
    text = changelog if changelog is not None else (ROOT / "CHANGELOG.md").read_text()
    (root / "CHANGELOG.md").write_text(text, encoding="utf-8")
    return root


def _release(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "release.py"), *args],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_the_tag_must_be_the_version_with_a_dated_section(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    undated = _release(root, "verify", f"v{__version__}")
    assert undated.returncode == 1
    assert f"has no '## [{__version__}] - YYYY-MM-DD' section" in undated.stderr
    assert _release(root, "prepare", __version__).returncode == 0
    done = _release(root, "verify", f"v{__version__}")
    assert done.returncode == 0, done.stderr
    assert f"version: {__version__}" in done.stdout
    assert f"major: v{__version__.split('.')[0]}" in done.stdout
    wrong = _release(root, "verify", "v9.9.9")
    assert wrong.returncode == 1
    assert f"the tag v9.9.9 is not the package version {__version__}" in wrong.stderr
    assert _release(root, "verify", "1.0").returncode == 1


def test_prepare_dates_the_unreleased_section_and_sets_the_version(tmp_path: Path) -> None:
    root = _copy(tmp_path, "# Changelog\n\n## [Unreleased]\n\n### Added\n- a thing\n")
    done = _release(root, "prepare", "2.3.4")
    assert done.returncode == 0, done.stderr
    text = (root / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n\n## [Unreleased]\n\n## [2.3.4] - 20")
    assert '__version__ = "2.3.4"' in (root / "launchready_ci" / "__init__.py").read_text()
    notes = _release(root, "notes", "2.3.4")
    assert notes.stdout == "### Added\n- a thing\n"
    again = _release(root, "prepare", "2.3.4")
    assert again.returncode == 1 and "already has a [2.3.4] section" in again.stderr


@pytest.mark.parametrize(
    ("changelog", "problem"),
    [
        ("## [Unreleased]\n", "nothing under ## [Unreleased]"),
        ("## [Unreleased]\n- x\n## [1.0.0] - 2026-01-01\n", "already has a [1.0.0] section"),
    ],
)
def test_prepare_refuses_what_cannot_be_released(
    tmp_path: Path, changelog: str, problem: str
) -> None:
    root = _copy(tmp_path, changelog)
    done = _release(root, "prepare", "1.0.0")
    assert done.returncode == 1 and problem in done.stderr


def test_an_error_is_an_annotation_that_cannot_forge_a_command(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    done = _release(root, "verify", "v1.0.0\n::error title=forged::x")
    assert done.returncode == 1
    assert done.stderr.startswith("::error title=release::")
    assert "\n::error title=forged" not in done.stderr
