from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

import pytest

from tests.helpers import make_repo
from tests.servers import ServerFailed, ServerMissing, Web, nginx_server, nsd_server

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


# --- a real PostgreSQL -------------------------------------------------------------------

_BINDIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _tool(name: str) -> str | None:
    for bindir in _BINDIRS:
        if (bindir / name).exists():
            return str(bindir / name)
    return shutil.which(name)


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL for the session: a fresh cluster in a temp dir, reached over a
    Unix socket (and 127.0.0.1 on the same port), stopped after the session. Skipped
    where PostgreSQL is not installed, except under CI=true."""
    initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
    if not initdb or not pg_ctl:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed")
    # Not under pytest's temp dir: as root that is mode 700, closed to the postgres user.
    base = Path(tempfile.mkdtemp(prefix="launchready-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, sock = base / "data", base
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    with socket.socket() as probe:  # a free TCP port on loopback
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    # The socket for most tests; 127.0.0.1 for the act-run template, whose step reaches
    # it the way a job reaches its service container.
    options = f"-k {sock} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            [pg_ctl, "-D", str(data), "-l", str(base / "log"), "-o", options, "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


# --- NSD and nginx (tests/servers.py) -------------------------------------------------------

T = TypeVar("T")


def _needed(start: Callable[[], AbstractContextManager[T]]) -> Iterator[T]:
    """A session fixture's body: skipped without the program, except under CI=true."""
    try:
        server = start()
        value = server.__enter__()
    except ServerMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    except ServerFailed as exc:
        pytest.fail(str(exc))
    try:
        yield value
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def nameserver() -> Iterator[str]:
    """``127.0.0.1:PORT`` of a running NSD serving the test zones."""
    yield from _needed(nsd_server)


@pytest.fixture(scope="session")
def web() -> Iterator[Web]:
    """A running nginx with SNI virtual hosts and certificates from a local CA."""
    yield from _needed(nginx_server)
