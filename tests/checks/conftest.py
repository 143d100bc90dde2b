from __future__ import annotations

import shutil

import pytest

from tests.checks.casefile import hermetic_git_env


@pytest.fixture(autouse=True)
def _hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for key, value in hermetic_git_env().items():
        monkeypatch.setenv(key, value)
