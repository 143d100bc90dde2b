"""The hash-pinned locks in requirements/ are current with pyproject.toml (scripts/lock.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "lock.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_locks_are_current() -> None:
    proc = _check(ROOT)
    assert proc.returncode == 0, proc.stderr


def _copy(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "lock.py", tmp_path / "scripts")
    shutil.copy2(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def test_a_new_dependency_makes_the_locks_stale(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('  "click>=8.1",\n', '  "click>=8.1",\n  "rich>=13",\n', 1))
    proc = _check(root)
    assert proc.returncode == 1
    assert "requirements/action.txt was not generated from this pyproject.toml" in proc.stderr
    assert "run: python scripts/lock.py" in proc.stderr


def test_a_requirement_without_a_hash_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    lock = root / "requirements" / "action-dry-run.txt"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("psycopg=="))
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("    --hash"))
    lock.write_text("".join(lines[: at + 1] + lines[end:]))
    proc = _check(root)
    assert proc.returncode == 1 and "psycopg==" in proc.stderr and "has no hash" in proc.stderr


def test_each_action_installs_its_own_lock() -> None:
    """Only the root action needs zizmor, only a dry run needs psycopg."""
    audit = (ROOT / "requirements" / "action-audit.txt").read_text(encoding="utf-8")
    dry_run = (ROOT / "requirements" / "action-dry-run.txt").read_text(encoding="utf-8")
    base = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    assert "\nzizmor==" in audit and "\nzizmor==" not in base + dry_run
    assert "\npsycopg==" in dry_run and "\npsycopg==" not in base + audit
    assert "\nhatchling==" in base, "the build backend is pinned: --no-build-isolation"
    root = (ROOT / "action.yml").read_text(encoding="utf-8")
    migrations = (ROOT / "actions" / "migration-safety" / "action.yml").read_text(encoding="utf-8")
    assert root.count("LR_EXTRAS: audit") == 2
    assert (
        migrations.count("LR_EXTRAS: \"${{ inputs.database-url != '' && 'dry-run' || '' }}\"") == 2
    )
