"""Baseline-first runs: a baseline that is missing, hostile or outside the repository is a
clear error (exit 2, the file named); the report says what the baseline held back and
which of its entries no longer match; `launchready baseline update` records today again."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import git, make_repo, run_cli

KEY = "sk_live_" + "51HqLyjWDarjtT1zdp7dcXYZ" + "0123abcd"  # live format, not a real key


def _repo(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    files = {
        "launchready.yml": "version: 1\nsecrets: {}\n",
        "app.py": "print('hello')\n",
        "old.py": f'STRIPE = "{KEY}"\n',
        **(extra or {}),
    }
    return make_repo(tmp_path / "repo", files)


def test_a_missing_baseline_file_is_an_error_unless_it_is_being_written(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = run_cli("run", "--baseline", "missing.json", "--no-color", cwd=repo)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "missing.json" in out.stderr and "--write-baseline" in out.stderr
    written = run_cli(
        "run",
        "--baseline",
        "b.json",
        "--write-baseline",
        "b.json",
        "-q",
        "--fail-on",
        "never",
        cwd=repo,
    )
    assert written.returncode == 0, written.stderr
    assert (repo / "b.json").is_file()


def test_a_baseline_that_is_not_a_file_says_so(tmp_path: Path) -> None:
    """`--baseline /dev/null` (to run without one) said "no such baseline file"."""
    repo = _repo(tmp_path)
    for given in (os.devnull, str(tmp_path)):
        out = run_cli("run", "--baseline", given, "--no-color", cwd=repo)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "not a regular file" in out.stderr and "leave out --baseline" in out.stderr


def test_a_baseline_nested_100000_deep_is_a_clear_error(tmp_path: Path) -> None:
    # Before: "internal error (RecursionError)", exit 3.
    repo = _repo(tmp_path)
    (tmp_path / "deep.json").write_text("[" * 100_000)
    out = run_cli("run", "--baseline", str(tmp_path / "deep.json"), cwd=repo)
    assert out.returncode == 2, out.stderr
    assert "deep.json" in out.stderr and "internal error" not in out.stderr


def test_a_secrets_baseline_nested_100000_deep_is_a_clear_error(tmp_path: Path) -> None:
    # Before: the secrets check errored with "internal error (RecursionError)", exit 1.
    repo = _repo(tmp_path, {".secrets.baseline": "[" * 100_000})
    out = run_cli("run", "--no-color", cwd=repo)
    assert out.returncode == 2, out.stdout + out.stderr
    assert ".secrets.baseline" in out.stderr and "internal error" not in out.stdout + out.stderr


def test_a_baseline_in_the_config_must_be_inside_the_repository(tmp_path: Path) -> None:
    # Before: ../../../../etc/passwd was read (and reported as not a baseline file).
    repo = _repo(tmp_path)
    (repo / "launchready.yml").write_text(
        "version: 1\nbaseline: ../../../../etc/passwd\nsecrets: {}\n"
    )
    out = run_cli("run", cwd=repo)
    assert out.returncode == 2, out.stderr
    assert "launchready.yml:2" in out.stderr and "inside the repository" in out.stderr
    assert "not a launchready baseline" not in out.stderr


def test_the_report_says_what_the_baseline_held_back_and_what_went_stale(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "launchready.yml").write_text(
        "version: 1\nbaseline: .launchready-baseline.json\nsecrets: {}\n"
    )
    recorded = run_cli(
        "run",
        "--write-baseline",
        ".launchready-baseline.json",
        "-q",
        "--fail-on",
        "never",
        cwd=repo,
    )
    assert recorded.returncode == 0, recorded.stderr
    baseline = json.loads((repo / ".launchready-baseline.json").read_text())
    assert baseline["findings"]
    quiet = run_cli("run", "--no-color", cwd=repo)
    assert quiet.returncode == 0, quiet.stdout
    assert "by the baseline" in quiet.stdout

    (repo / "old.py").write_text("STRIPE = None\n")  # the accepted key is gone
    git(repo, "commit", "-qam", "remove the key")
    stale = run_cli("run", "--no-color", cwd=repo)
    assert stale.returncode == 0, stale.stdout
    assert "launchready/stale-baseline" in stale.stdout
    assert "launchready baseline update" in stale.stdout

    updated = run_cli("baseline", "update", cwd=repo)
    assert updated.returncode == 0, updated.stderr
    assert "removed" in updated.stdout
    clean = run_cli("run", "--no-color", cwd=repo)
    assert "stale-baseline" not in clean.stdout
