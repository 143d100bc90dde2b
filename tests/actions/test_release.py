"""The release workflow under act: a tag in a test repository produces the release.

The test repository is a snapshot of this tree whose CHANGELOG.md got its release section
from ``scripts/release.py prepare``, tagged ``v<version>``. act runs .github/workflows/
release.yml for the tag push, on this host and offline: the remote actions are the stubs
under tests/actions/stubs/ (the artifact stubs share a directory), PyPI's upload API and
GitHub's OIDC token endpoint are tests/pypi_api.py (HTTPS, trusted publishing checked),
GitHub's REST API is tests/github_api.py. Only the test job is cut short: the snapshot's
.ci/run says it ran instead of running this suite inside itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from launchready_ci import __version__
from tests.actions.test_act import act_binary, printed, remote_actions, run_act, snapshot
from tests.github_api import github_api
from tests.helpers import git
from tests.pypi_api import pypi_api

pytestmark = pytest.mark.act

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ".github/workflows/release.yml"
REPOSITORY = "acme/launchready-ci"
TESTS_RAN = "release test: the test job ran .ci/run"


def _test_repository(dest: Path, version: str) -> tuple[Path, str]:
    repo = snapshot(dest)
    git(repo, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    ci = repo / ".ci" / "run"
    ci.write_text(f"#!/bin/sh\necho '{TESTS_RAN}'\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, str(repo / "scripts" / "release.py"), "prepare", version],
        check=True,
        capture_output=True,
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Release {version}")
    git(repo, "tag", "-a", f"v{version}", "-m", f"v{version}")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def _act(repo: Path, base: Path, tag: str, pypi, github) -> tuple[int, str]:
    event = base / "event.json"
    event.write_text(json.dumps({"ref": f"refs/tags/{tag}", "ref_type": "tag"}))
    artifacts = base / "artifacts"
    artifacts.mkdir()
    command = [
        act_binary(), "push",
        "-e", str(event),
        "-W", WORKFLOW,
        "-P", "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--pull=false",
        "--no-cache-server",
        "--action-cache-path", str(base / "act-cache"),
        "--defaultbranch", "main",
        "-s", f"GITHUB_TOKEN={github.token}",
        "--env", f"GITHUB_API_URL={github.url}",
        "--env", f"ACTIONS_ID_TOKEN_REQUEST_URL={pypi.oidc_request_url}",
        "--env", f"ACTIONS_ID_TOKEN_REQUEST_TOKEN={pypi.request_token}",
        "--env", f"UV_PUBLISH_URL={pypi.upload_url}",
        "--env", f"SSL_CERT_FILE={base / 'pypi-ca.pem'}",
        "--env", f"ARTIFACT_STUB_DIR={artifacts}",
    ]  # fmt: skip
    for action, stub in sorted(remote_actions(repo).items()):
        command += ["--local-repository", f"{action}={stub}"]
    return run_act(command, repo, base / "act.log")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("release")
    repo, sha = _test_repository(base / "launchready-ci", __version__)
    with pypi_api(base) as pypi, github_api(owner="acme", repo="launchready-ci") as gh:
        pypi.job.repository = REPOSITORY
        pypi.job.ref = f"refs/tags/v{__version__}"
        pypi.job.sha = sha
        code, log = _act(repo, base, f"v{__version__}", pypi, gh)
        yield code, log, pypi, gh, repo, sha


def _job(log: str, name: str) -> str:
    return "\n".join(x for x in log.splitlines() if x.startswith(f"[release/{name}"))


def test_every_job_succeeds_in_order(release) -> None:
    code, log, *_ = release
    assert code == 0, log[-6000:]
    for job in ("tag, version", "tests", "sdist and wheel", "publish to PyPI", "GitHub release"):
        assert "🏁  Job succeeded" in _job(log, job), (job, log[-4000:])
    assert TESTS_RAN in printed(_job(log, "tests"))
    assert log.index(TESTS_RAN) < log.index("Publishing 2 files")


def test_pypi_gets_the_files_through_trusted_publishing(release) -> None:
    _, log, pypi, *_ = release
    steps = [(r.method, r.path) for r in pypi.requests]
    assert steps == [
        ("GET", "/_/oidc/audience"),
        ("GET", "/github/oidc"),
        ("POST", "/_/oidc/mint-token"),
        ("POST", "/legacy/"),
        ("POST", "/legacy/"),
        ("POST", "/_/oidc/burn-token"),
    ], steps
    oidc = pypi.sent("GET", "/github/oidc")[0]
    assert oidc.query["audience"] == "pypi"
    assert oidc.headers["authorization"] == f"Bearer {pypi.request_token}"
    (minted,) = pypi.minted
    uploads = pypi.sent("POST", "/legacy/")
    for upload in uploads:
        basic = upload.headers["authorization"].removeprefix("Basic ")
        user, _, token = base64.b64decode(basic).decode().partition(":")
        assert (user, token) == ("__token__", minted), "only the minted token, no stored one"
    assert pypi.burned == {minted}
    names = sorted(f.filename for f in pypi.files)
    assert names == [
        f"launchready_ci-{__version__}-py3-none-any.whl",
        f"launchready_ci-{__version__}.tar.gz",
    ]
    for f in pypi.files:
        assert (f.fields["name"], f.fields["version"]) == ("launchready-ci", __version__)
        assert f.fields["sha256_digest"] == hashlib.sha256(f.content).hexdigest()
    assert minted not in log.replace(f"::add-mask::{minted}", "")


def test_the_files_are_the_package_with_its_license(release, tmp_path: Path) -> None:
    pypi = release[2]
    files = {f.filename: f.content for f in pypi.files}
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(files[f"launchready_ci-{__version__}-py3-none-any.whl"])
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(f"launchready_ci-{__version__}.dist-info/METADATA").decode()
    assert "launchready_ci/cli/__init__.py" in names
    assert any(n.endswith("/licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in meta and "Requires-Python: >=3.11" in meta
    assert "Provides-Extra: dry-run" in meta and "Provides-Extra: audit" in meta
    sdist = tmp_path / "s.tar.gz"
    sdist.write_bytes(files[f"launchready_ci-{__version__}.tar.gz"])
    with tarfile.open(sdist) as tf:
        members = {m.split("/", 1)[1] for m in tf.getnames() if "/" in m}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= members


def test_the_github_release_has_the_changelog_and_the_files(release) -> None:
    _, _, pypi, gh, repo, _ = release
    (created,) = gh.releases
    assert created["tag_name"] == created["name"] == f"v{__version__}"
    notes = subprocess.run(
        [sys.executable, str(repo / "scripts" / "release.py"), "notes", __version__],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert created["body"] == notes and notes.strip()
    assert (created["draft"], created["prerelease"], created["make_latest"]) == (
        False,
        False,
        "true",
    )
    attached = {a["name"]: data for a, data in gh.assets[created["id"]]}
    assert attached == {f.filename: f.content for f in pypi.files}, "the same files as PyPI's"


def test_the_major_tag_points_at_the_release(release) -> None:
    _, _, _, gh, _, sha = release
    major = f"v{__version__.split('.')[0]}"
    assert gh.refs == {f"tags/{major}": sha}
    assert [r.json for r in gh.sent("POST", "/git/refs")] == [
        {"ref": f"refs/tags/{major}", "sha": sha}
    ]


def test_a_tag_that_is_not_the_version_publishes_nothing(tmp_path: Path) -> None:
    repo, _ = _test_repository(tmp_path / "launchready-ci", __version__)
    wrong = "v" + re.sub(r"\d+$", lambda m: str(int(m[0]) + 1), __version__)
    git(repo, "tag", "-a", wrong, "-m", wrong)
    with pypi_api(tmp_path) as pypi, github_api(owner="acme", repo="launchready-ci") as gh:
        code, log = _act(repo, tmp_path, wrong, pypi, gh)
        assert code != 0
        assert f"the tag {wrong} is not the package version {__version__}" in log
        assert pypi.requests == [] and gh.requests == []
    assert "🏁  Job failed" in _job(log, "tag, version")
    for job in ("tests", "sdist and wheel", "publish to PyPI", "GitHub release"):
        assert "Job succeeded" not in _job(log, job)


def test_publishing_has_the_least_permissions() -> None:
    """id-token: write only where PyPI is published to, behind the tests and the build;
    contents: write only for the GitHub release."""
    workflow = yaml.safe_load((ROOT / WORKFLOW).read_text(encoding="utf-8"))
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    writes = {
        name: {k for k, v in job["permissions"].items() if v == "write"}
        for name, job in jobs.items()
    }
    assert writes == {
        "verify": set(),
        "test": set(),
        "build": set(),
        "pypi": {"id-token"},
        "github": {"contents"},
    }
    assert set(jobs["pypi"]["needs"]) == {"verify", "test", "build"}
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert "pypi" in jobs["github"]["needs"]
    text = (ROOT / WORKFLOW).read_text(encoding="utf-8")
    assert "secrets.PYPI" not in text and "password" not in text
