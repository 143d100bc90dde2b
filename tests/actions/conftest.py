"""Fixtures for the composite action tests: the repository, the example, a shared venv."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.actions.actions_harness import EXAMPLE, INSTALL, Uploads, require_example


@pytest.fixture
def uploads() -> Uploads:
    return Uploads()


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP per test session, so that the venv is installed once and reused."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture(scope="session")
def cold_install(runner_temp: Path) -> subprocess.CompletedProcess[str]:
    """The first (cold) runs of install-action.sh in this session's RUNNER_TEMP: without
    extras (the first one's result) and with the audit extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    output = runner_temp / "cold-install-output"
    env |= {
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_PATH": str(runner_temp / "cold-install-path"),
    }
    proc = subprocess.run(
        ["bash", str(INSTALL)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The root action installs the audit extra (zizmor) into a venv of its own.
    env |= {"GITHUB_OUTPUT": str(runner_temp / "cold-install-audit-output"), "LR_EXTRAS": "audit"}
    audit = subprocess.run(
        ["bash", str(INSTALL)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    return proc


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    """A GITHUB_WORKSPACE holding a copy of the example at its path in this repository."""
    example = require_example()
    ws = tmp_path / "workspace"
    shutil.copytree(example, ws / EXAMPLE)
    yield ws
