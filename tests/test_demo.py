"""`make demo`'s domain part (scripts/demo-domain.py) against its local NSD and nginx: it
shows where the links of the example's launch emails end, their tokens hidden."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_domain_demo_follows_the_examples_invite_link(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [sys.executable, "scripts/demo-domain.py", "examples/membership-app", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    if "skipped: " in output and os.environ.get("CI") != "true":
        pytest.skip(output.strip().splitlines()[-1])
    invite = "the link https://app.clubhouse.test/invite/launch-week?token=… ends in 404"
    assert f"domain/link-broken {invite} at https://app.clubhouse.test/invites/expired" in output
    assert "2 link(s) followed" in output
    assert "lw-2026" not in output  # the invite's token
    assert "link-broken" in (tmp_path / "domain.md").read_text()
