from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.helpers import make_repo
from tests.servers import (
    Web,
    needed,
    nginx_server,
    nsd_server,
    postgres_server,
)

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


# --- a real PostgreSQL (tests/servers.py) --------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL for the session (see :func:`tests.servers.postgres_server`).
    Skipped where PostgreSQL is not installed, except under CI=true."""
    yield from needed(postgres_server)


# --- NSD and nginx (tests/servers.py) -------------------------------------------------------


@pytest.fixture(scope="session")
def nameserver() -> Iterator[str]:
    """``127.0.0.1:PORT`` of a running NSD serving the test zones."""
    yield from needed(nsd_server)


@pytest.fixture(scope="session")
def web() -> Iterator[Web]:
    """A running nginx with SNI virtual hosts and certificates from a local CA."""
    yield from needed(nginx_server)
