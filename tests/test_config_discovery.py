"""Config discovery: --config, then .github/launchready.yml and launchready.yml in the
current folder and each parent up to the repository's top; a root env-inventory.yml turns
the env check on without an `env:` section."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_repo, run_cli

CONFIG = "version: 1\nfail_on: warning\nsecrets: {}\n"


def test_a_run_from_a_subfolder_uses_the_repositorys_config(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"launchready.yml": CONFIG, "app/web/main.py": "print(1)\n", "app/x.txt": "x\n"},
    )
    out = run_cli("run", "--no-color", cwd=repo / "app" / "web")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "fail-on warning" in out.stdout  # the repository's fail_on, not the default


def test_the_github_folder_config_is_found_from_a_subfolder_too(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/launchready.yml": CONFIG, "src/a.py": "1\n"})
    out = run_cli("run", "--no-color", cwd=repo / "src")
    assert "fail-on warning" in out.stdout, out.stdout + out.stderr


def test_a_config_above_the_repository_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "launchready.yml").write_text("version: 1\nfail_on: notice\n")
    repo = make_repo(tmp_path / "repo", {"a.py": "1\n"})
    out = run_cli("run", "--no-color", cwd=repo)
    assert "fail-on error" in out.stdout, out.stdout


def test_a_root_inventory_turns_the_env_check_on(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "launchready.yml": "version: 1\n",
            "app.py": "import os\nos.environ['UNLISTED']\n",
            "env-inventory.yml": "version: 1\nvariables: {}\n",
        },
    )
    out = run_cli("run", "--no-color", "--fail-on", "never", cwd=repo)
    assert "env/not-in-inventory" in out.stdout, out.stdout
    assert "has no `env:` section" not in out.stdout
