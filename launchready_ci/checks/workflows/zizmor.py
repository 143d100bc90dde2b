"""zizmor, the security part of the workflow review: run it offline over the workflow
files and read its JSON (its findings are reported as they are, not re-implemented)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["ZizmorFailed", "find_zizmor", "run_zizmor"]

ZIZMOR_TIMEOUT = 120.0


class ZizmorFailed(Exception):
    """zizmor did not run, or did not give JSON."""


def find_zizmor() -> str | None:
    """The zizmor executable on PATH, else the one installed next to this Python."""
    return shutil.which("zizmor") or shutil.which("zizmor", path=str(Path(sys.executable).parent))


def run_zizmor(exe: str, root: Path, paths: Sequence[str]) -> tuple[str, list[dict[str, Any]]]:
    """zizmor's version and its JSON findings on ``paths`` (relative to ``root``), offline.

    zizmor reads ``.github/zizmor.yml`` and ``# zizmor: ignore[...]`` comments itself.
    """

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [exe, *args],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=ZIZMOR_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ZizmorFailed(type(exc).__name__) from None

    version_proc = call("--version")
    version = version_proc.stdout.strip().removeprefix("zizmor").strip() or "?"
    proc = call("--offline", "--format", "json", *paths)
    # 0: no findings; 10-14: findings of the highest severity (see zizmor's exit codes).
    if proc.returncode != 0 and not 10 <= proc.returncode <= 14:
        last = (proc.stderr.strip().splitlines() or [""])[-1][:200]
        raise ZizmorFailed(f"exit {proc.returncode}: {last}".rstrip(": "))
    try:
        results = json.loads(proc.stdout or "[]")
    except ValueError:
        raise ZizmorFailed("output is not JSON") from None
    if not isinstance(results, list):
        raise ZizmorFailed("unexpected JSON output")
    return version, [x for x in results if isinstance(x, dict) and not x.get("ignored")]
