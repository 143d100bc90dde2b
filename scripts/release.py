"""Release steps: one version (launchready_ci/__init__.py), one tag, one changelog section.

    python scripts/release.py prepare 1.2.0    # __version__ = 1.2.0, and CHANGELOG.md's
                                               # [Unreleased] becomes ## [1.2.0] - <today>
    python scripts/release.py verify v1.2.0    # the tag, __version__ and CHANGELOG.md agree
    python scripts/release.py notes 1.2.0      # the changelog section of a version
    python scripts/release.py check-dist 1.2.0 dist/     # one sdist, one wheel, this version
    python scripts/release.py github-release v1.2.0 dist/
        # the GitHub release (notes from CHANGELOG.md, the dist files attached), then the
        # major tag (v1) moved to this commit when it is the newest release of its major

The release workflow (.github/workflows/release.yml) runs verify, check-dist and
github-release; a maintainer runs prepare, commits, and pushes the tag. Standard library
only, for Python >= 3.10 (the runner's python3): the GitHub REST calls use urllib, with
GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_TOKEN from the environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from launchready_ci.github.commands import annotation  # noqa: E402  (stdlib only)
from launchready_ci.github.outputs import format_output  # noqa: E402

NAME = "launchready-ci"
DIST = "launchready_ci"
INIT = ROOT / "launchready_ci" / "__init__.py"
CHANGELOG = ROOT / "CHANGELOG.md"
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)
API_VERSION = "2022-11-28"


class ReleaseError(Exception):
    pass


# --- the version, the tag and the changelog --------------------------------------------


def package_version(init: Path = INIT) -> str:
    m = re.search(r'^__version__ = "([^"]+)"$', init.read_text(encoding="utf-8"), re.M)
    if not m or not SEMVER.fullmatch(m.group(1)):
        raise ReleaseError(f"{init.name}: no __version__ = 'X.Y.Z'")
    return m.group(1)


def sections(changelog: str) -> dict[str, tuple[str | None, str]]:
    """version -> (date, body) for every ``## [version] - date`` heading."""
    found = list(SECTION.finditer(changelog))
    out = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(changelog)
        body = changelog[m.end() : end]
        body = re.sub(r"^\[[^\]]+\]: \S+\s*$", "", body, flags=re.M)  # link definitions
        out[m["version"]] = (m["date"], body.strip())
    return out


def notes(version: str, changelog: Path = CHANGELOG) -> str:
    found = sections(changelog.read_text(encoding="utf-8"))
    if version not in found:
        raise ReleaseError(f"CHANGELOG.md has no '## [{version}] - YYYY-MM-DD' section")
    date, body = found[version]
    if date is None:
        raise ReleaseError(f"CHANGELOG.md: the [{version}] section has no date")
    if not body:
        raise ReleaseError(f"CHANGELOG.md: the [{version}] section is empty")
    return body + "\n"


def verify(tag: str) -> dict[str, str]:
    """The tag is vX.Y.Z of __version__ and CHANGELOG.md has its dated section."""
    m = re.fullmatch(rf"v({SEMVER.pattern})", tag)
    if not m:
        raise ReleaseError(f"the tag {tag!r} is not vX.Y.Z")
    version = package_version()
    if m.group(1) != version:
        raise ReleaseError(
            f"the tag {tag} is not the package version {version}"
            " (launchready_ci/__init__.py): run scripts/release.py prepare, or tag v" + version
        )
    notes(version)
    uv = re.search(r"^uv==([^\s;]+)", (ROOT / "requirements" / "test.txt").read_text(), re.M)
    return {
        "version": version,
        "major": f"v{version.split('.', maxsplit=1)[0]}",
        "uv-version": uv.group(1) if uv else "",
    }


def prepare(version: str, today: dt.date | None = None) -> None:
    if not SEMVER.fullmatch(version):
        raise ReleaseError(f"{version!r} is not X.Y.Z")
    text = CHANGELOG.read_text(encoding="utf-8")
    found = sections(text)
    if version in found:
        raise ReleaseError(f"CHANGELOG.md already has a [{version}] section")
    if not found.get("Unreleased", (None, ""))[1]:
        raise ReleaseError("CHANGELOG.md: nothing under ## [Unreleased] to release")
    date = (today or dt.datetime.now(dt.timezone.utc).date()).isoformat()  # noqa: UP017
    text = text.replace("## [Unreleased]", f"## [Unreleased]\n\n## [{version}] - {date}", 1)
    CHANGELOG.write_text(text, encoding="utf-8")
    init = INIT.read_text(encoding="utf-8")
    INIT.write_text(
        re.sub(r'^__version__ = "[^"]+"$', f'__version__ = "{version}"', init, flags=re.M),
        encoding="utf-8",
    )


# --- the built files -------------------------------------------------------------------


def check_dist(version: str, folder: Path) -> list[Path]:
    # uv build leaves a .gitignore there; upload-artifact skips hidden files too.
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    sdist = folder / f"{DIST}-{version}.tar.gz"
    wheel = folder / f"{DIST}-{version}-py3-none-any.whl"
    if files != sorted([sdist, wheel]):
        names = ", ".join(p.name for p in files) or "nothing"
        raise ReleaseError(f"{folder} holds {names}, not {sdist.name} and {wheel.name}")
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"{DIST}-{version}.dist-info/METADATA").decode()
        licenses = [n for n in zf.namelist() if "/licenses/" in n]
    for field, want in (("Name", NAME), ("Version", version)):
        if f"\n{field}: {want}\n" not in f"\n{metadata}":
            raise ReleaseError(f"{wheel.name}: METADATA has no '{field}: {want}'")
    if not licenses:
        raise ReleaseError(f"{wheel.name}: no license file in the wheel")
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    missing = {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} - names
    if missing:
        raise ReleaseError(f"{sdist.name}: {', '.join(sorted(missing))} missing")
    return [sdist, wheel]


# --- GitHub ----------------------------------------------------------------------------


def _request(method: str, url: str, body: Any = None, *, data: bytes | None = None) -> Any:
    headers = {
        "Authorization": f"Bearer {os.environ['GITHUB_TOKEN']}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": "launchready-ci-release",
    }
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif data is not None:
        headers["Content-Type"] = "application/octet-stream"
    for attempt in range(4):
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 and attempt < 3:
                time.sleep(2**attempt)
                continue
            detail = exc.read().decode(errors="replace")[:300]
            raise ApiError(exc.code, f"{method} {url}: {exc.code} {detail}") from None
    raise AssertionError("unreachable")


class ApiError(ReleaseError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _repo_url() -> str:
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    return f"{api}/repos/{os.environ['GITHUB_REPOSITORY']}"


def newest_of_major(tag: str) -> bool:
    """Whether no vX.*.* tag of this major is newer than ``tag`` (git's tags)."""
    major = tag.split(".", maxsplit=1)[0]
    listed = subprocess.run(
        ["git", "tag", "--list", f"{major}.*.*"], capture_output=True, text=True, check=True
    ).stdout.split()
    versions = [tuple(map(int, t[1:].split("."))) for t in listed if SEMVER.fullmatch(t[1:])]
    return tuple(map(int, tag[1:].split("."))) >= max(versions, default=(0, 0, 0))


def github_release(tag: str, folder: Path) -> dict[str, Any]:
    info = verify(tag)
    files = check_dist(info["version"], folder)
    repo = _repo_url()
    try:
        release = _request("GET", f"{repo}/releases/tags/{urllib.parse.quote(tag)}")
        print(f"release {tag} exists: {release['html_url']}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        body = {
            "tag_name": tag,
            "name": tag,
            "body": notes(info["version"]),
            "draft": False,
            "prerelease": False,
            "make_latest": "true" if newest_of_major(tag) else "false",
        }
        release = _request("POST", f"{repo}/releases", body)
        print(f"created release {tag}: {release['html_url']}")
    have = {a["name"] for a in _request("GET", f"{repo}/releases/{release['id']}/assets")}
    upload = release["upload_url"].split("{", 1)[0]
    for path in files:
        if path.name in have:
            print(f"  {path.name}: already attached")
            continue
        query = urllib.parse.urlencode({"name": path.name})
        _request("POST", f"{upload}?{query}", data=path.read_bytes())
        print(f"  attached {path.name}")
    if newest_of_major(tag):
        move_tag(info["major"], os.environ["GITHUB_SHA"])
    else:
        print(f"{info['major']} stays: a newer {info['major']}.x.y release exists")
    return release


def move_tag(name: str, sha: str) -> None:
    repo = _repo_url()
    try:
        _request("GET", f"{repo}/git/ref/tags/{name}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        _request("POST", f"{repo}/git/refs", {"ref": f"refs/tags/{name}", "sha": sha})
        print(f"created tag {name} at {sha}")
        return
    _request("PATCH", f"{repo}/git/refs/tags/{name}", {"sha": sha, "force": True})
    print(f"moved tag {name} to {sha}")


# --- command line ----------------------------------------------------------------------


def _outputs(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    text = "".join(format_output(k, v) for k, v in values.items())
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    for key, value in values.items():
        print(f"{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare").add_argument("version")
    sub.add_parser("verify").add_argument("tag")
    sub.add_parser("notes").add_argument("version")
    dist = sub.add_parser("check-dist")
    dist.add_argument("version")
    dist.add_argument("folder", type=Path)
    gh = sub.add_parser("github-release")
    gh.add_argument("tag")
    gh.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            prepare(args.version)
            print(f"version {args.version}: commit, then tag v{args.version} and push the tag")
        elif args.command == "verify":
            _outputs(verify(args.tag))
        elif args.command == "notes":
            sys.stdout.write(notes(args.version))
        elif args.command == "check-dist":
            for path in check_dist(args.version, args.folder):
                print(f"ok: {path.name}")
        else:
            github_release(args.tag, args.folder)
    except ReleaseError as exc:
        print(annotation("error", str(exc), title="release"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
