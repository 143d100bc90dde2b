"""`launchready secrets scan|baseline` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.checks.secrets.test_history import ZERO, commit, fake_key
from tests.helpers import git, make_repo, run_cli


def _pr_repo(tmp_path: Path) -> tuple[Path, str, str]:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    key = fake_key()
    commit(root, {"app/settings.py": f"DEBUG = False\nSTRIPE = '{key}'\n"})
    commit(root, {"app/settings.py": "DEBUG = False\n"})
    return root, base, key


def test_pr_scan_reports_the_removed_key_and_leaks_no_value(tmp_path: Path) -> None:
    root, base, key = _pr_repo(tmp_path)
    out = tmp_path / "out"
    result = run_cli(
        "secrets", "scan", "--pr", f"{base}..HEAD", "--root", str(root),
        "--sarif", str(out / "r.sarif"), "--json", str(out / "r.json"),
        "--markdown", str(out / "r.md"), "--annotations",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "app/settings.py:2" in result.stdout
    texts = [result.stdout, result.stderr, *(p.read_text() for p in out.iterdir())]
    assert all(key not in t and key[8:] not in t for t in texts)
    sarif = json.loads((out / "r.sarif").read_text())
    assert sarif["runs"][0]["results"]


def test_base_and_head_options(tmp_path: Path) -> None:
    root, base, _ = _pr_repo(tmp_path)
    result = run_cli("secrets", "scan", "--base", base, "--head", "HEAD", "--root", str(root))
    assert result.returncode == 1 and "app/settings.py:2" in result.stdout


def test_working_tree_is_the_default(tmp_path: Path) -> None:
    root, _, _ = _pr_repo(tmp_path)
    result = run_cli("secrets", "scan", "--root", str(root))
    assert result.returncode == 0, result.stdout + result.stderr


def test_new_branch_push(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"README.md": "hello\n"})
    git(root, "checkout", "-q", "-b", "feature")
    after = commit(root, {"x.py": f"K = '{fake_key()}'\n"})
    result = run_cli("secrets", "scan", "--push", ZERO, after, "--root", str(root))
    assert result.returncode == 1 and "x.py:1" in result.stdout


def test_history_shard_and_staged(tmp_path: Path) -> None:
    root, _, _ = _pr_repo(tmp_path)
    codes = [
        run_cli("secrets", "scan", "--history", "--shard", s, "--root", str(root), "-q").returncode
        for s in ("1/2", "2/2")
    ]
    assert sorted(codes) == [0, 1]  # the adding commit is in exactly one shard
    (root / "s.py").write_text(f"K = '{fake_key()}'\n", encoding="utf-8")
    git(root, "add", "s.py")
    result = run_cli("secrets", "scan", "--staged", "--root", str(root))
    assert result.returncode == 1 and "s.py:1" in result.stdout


def test_empty_range_says_so(tmp_path: Path) -> None:
    root, _, _ = _pr_repo(tmp_path)
    result = run_cli("secrets", "scan", "--pr", "HEAD..HEAD", "--root", str(root))
    assert result.returncode == 0
    assert "no commits to scan" in result.stdout


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    root, _, _ = _pr_repo(tmp_path)
    cases = [
        ("--pr", "nope..HEAD"),
        ("--pr", "HEAD"),
        ("--base", "HEAD"),
        ("--history", "--staged"),
        ("--shard", "1/2"),
        ("--history", "--shard", "3/2"),
    ]
    for args in cases:
        result = run_cli("secrets", "scan", *args, "--root", str(root))
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.startswith("launchready: error:"), args
        assert "Traceback" not in result.stderr


def test_pr_auto_reads_the_event(tmp_path: Path) -> None:
    root, base, _ = _pr_repo(tmp_path)
    head = git(root, "rev-parse", "HEAD").strip()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}}))
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    result = run_cli("secrets", "scan", "--pr", "auto", "--root", str(root), "-q", env=env)
    assert result.returncode == 1, result.stderr


def test_shallow_clone_error_names_fetch_depth(tmp_path: Path) -> None:
    from tests.checks.secrets.test_history import _shallow_pr

    clone, base, head = _shallow_pr(tmp_path)
    git(clone, "remote", "remove", "origin")
    result = run_cli("secrets", "scan", "--pr", f"{base}..{head}", "--root", str(clone))
    assert result.returncode == 2
    assert "fetch-depth: 0" in result.stderr


def test_baseline_then_scan_accepts_the_recorded_secrets(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"cfg.py": f"K = '{fake_key()}'\n"})
    baseline = tmp_path / "baseline.json"
    result = run_cli("secrets", "baseline", "--output", str(baseline), "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert json.loads(baseline.read_text())["findings"]
    result = run_cli("secrets", "scan", "--root", str(root), "--baseline", str(baseline))
    assert result.returncode == 0, result.stdout


def test_pr_auto_in_a_shallow_clone_names_the_exact_fetch_depth(tmp_path: Path) -> None:
    from tests.checks.secrets.test_history import _shallow_pr

    clone, base, head = _shallow_pr(tmp_path)
    git(clone, "remote", "remove", "origin")
    event = tmp_path / "event.json"
    pull = {"base": {"sha": base}, "head": {"sha": head}, "commits": 2}
    event.write_text(json.dumps({"pull_request": pull}))
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)}
    result = run_cli("secrets", "scan", "--pr", "auto", "--root", str(clone), env=env)
    assert result.returncode == 2
    assert "fetch-depth: 3" in result.stderr, result.stderr
