from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.helpers import make_repo

os.environ.setdefault("GIT_AUTHOR_NAME", "launchready tests")
os.environ.setdefault("GIT_AUTHOR_EMAIL", "tests@launchready.invalid")
os.environ.setdefault("GIT_COMMITTER_NAME", "launchready tests")
os.environ.setdefault("GIT_COMMITTER_EMAIL", "tests@launchready.invalid")


@pytest.fixture
def repo(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``repo({"path": "text"})`` makes a real git repository in tmp_path."""

    def factory(files: Mapping[str, str], *, commit: bool = True, name: str = "repo") -> Path:
        return make_repo(tmp_path / name, files, commit=commit)

    return factory
