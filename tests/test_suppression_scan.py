"""The inline-ignore scan reads what the scanners read: one huge untracked file must not
cost its size in memory (git grep loads each file whole)."""

from __future__ import annotations

from pathlib import Path

from launchready_ci.runner import find_inline_ignores  # (the runner imports the checks first)
from tests.helpers import make_repo, run_cli_peak


def test_a_huge_untracked_file_is_not_read_for_ignore_comments(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r", {"app.py": "x = 1  # launchready: ignore[secrets/private-key]\n"}
    )
    line = b"y = 2  # launchready: ignore[secrets/private-key]\n"
    with open(root / "dump.sql", "wb") as fh:  # 256 MiB of text, untracked
        block = line * ((1 << 20) // len(line) + 1)
        for _ in range(256):
            fh.write(block[: 1 << 20])
    found = find_inline_ignores(root)
    assert [(i.path, i.line) for i in found] == [("app.py", 1)]
    done, peak = run_cli_peak("run", "--root", str(root), "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    assert peak < 200, f"peak memory {peak:.0f} MiB (git grep included)"
