"""The history on its own branch, written without touching the working tree, safe when two
runs overlap.

Each attempt fetches the branch, reads the history from the fetched commit, replays this
run on it (:meth:`History.add` is idempotent), and commits the new file (and the status
page, when given) on top of that commit with git plumbing: a temporary index, `write-tree`,
`commit-tree`, then a plain (non-forced) push. A push that loses the race to another run
is rejected by the remote; the next attempt starts from the winner's commit, so no sample
of either run is lost. Two runs in one clone race for its refs too: a fetch that finds
a ref locked is retried the same way. Only when every attempt fails does :func:`record`
raise, and the caller still has the run to report.
"""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from launchready_ci.errors import CheckError
from launchready_ci.uptime.history import History, Run

__all__ = ["Recorded", "record"]


@dataclass(frozen=True)
class Recorded:
    history: History
    commit: str
    attempts: int


class _Rejected(Exception):
    """A race lost to another run (a rejected push, a ref locked by a fetch in the same
    clone): the next attempt starts again from the remote."""


#: What git says when another process holds a ref or a lock file in the same clone.
_LOCKED = ("cannot lock ref", "unable to update local ref", ".lock': File exists")


def record(
    root: Path,
    run: Run,
    *,
    branch: str,
    path: str,
    remote: str = "origin",
    attempts: int = 6,
    update: Callable[[History], Mapping[str, str]] = lambda history: {},
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Recorded:
    """Add ``run`` to the history at ``path`` on ``branch`` of ``remote`` and push it.

    ``update`` gets the merged history (after the run is added) and returns more files to
    commit with it, path -> text, such as the status page; it may also compact the
    history. Raises CheckError when the push still fails after ``attempts``.
    """
    git = _Git(root, environ)
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            parent = git.fetch(remote, branch)
            history = History()
            if parent:
                text = git.show(parent, path)
                if text is not None:
                    try:
                        history = History.loads(text)
                    except ValueError as exc:
                        raise CheckError(
                            f"{branch}:{path} is not an uptime history: {exc}"
                        ) from None
            history.add(run)
            files = {**update(history), path: history.dumps()}
            commit = git.commit(parent, files, f"uptime: run at {_iso(run.at)}")
            git.push(remote, commit, branch)
        except _Rejected as exc:
            last = str(exc)
            sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random()))  # noqa: S311  (jitter)
            continue
        return Recorded(history, commit, attempt)
    raise CheckError(
        f"could not push the history to {remote}/{branch} after {attempts} attempts: {last}"
    )


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class _Git:
    def __init__(self, root: Path, environ: Mapping[str, str] | None) -> None:
        self.root = root
        self.env = {
            **(os.environ if environ is None else environ),
            "GIT_AUTHOR_NAME": "launchready-ci",
            "GIT_AUTHOR_EMAIL": "launchready-ci@users.noreply.github.com",
            "GIT_COMMITTER_NAME": "launchready-ci",
            "GIT_COMMITTER_EMAIL": "launchready-ci@users.noreply.github.com",
            "GIT_TERMINAL_PROMPT": "0",
        }

    def run(
        self, *args: str, stdin: str | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                ["git", "-C", str(self.root), *args],
                input=stdin,
                capture_output=True,
                text=True,
                env={**self.env, **(env or {})},
                check=False,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CheckError(f"git {args[0]} could not run: {exc}") from None

    def fetch(self, remote: str, branch: str) -> str | None:
        """The branch's commit on the remote after a fetch; None when it does not exist."""
        ref = f"refs/launchready/uptime/{branch}"
        done = self.run("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{ref}")
        if done.returncode != 0:
            if "couldn't find remote ref" in done.stderr or "not found" in done.stderr.lower():
                return None
            if any(s in done.stderr for s in _LOCKED):  # another run in this clone: retry
                raise _Rejected(_last(done.stderr))
            raise CheckError(f"git fetch {remote} {branch} failed: {_last(done.stderr)}")
        return self.run("rev-parse", ref).stdout.strip() or None

    def show(self, commit: str, path: str) -> str | None:
        done = self.run("show", f"{commit}:{path}")
        return done.stdout if done.returncode == 0 else None

    def commit(self, parent: str | None, files: Mapping[str, str], message: str) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if parent:
                self._ok(self.run("read-tree", parent, env=env), "read-tree")
            for rel, text in files.items():
                blob = self._ok(self.run("hash-object", "-w", "--stdin", stdin=text), "hash-object")
                info = f"100644,{blob},{rel}"
                self._ok(
                    self.run("update-index", "--add", "--cacheinfo", info, env=env), "update-index"
                )
            tree = self._ok(self.run("write-tree", env=env), "write-tree")
        args = ["commit-tree", tree, "-m", message]
        if parent:
            args += ["-p", parent]
        return self._ok(self.run(*args), "commit-tree")

    def push(self, remote: str, commit: str, branch: str) -> None:
        done = self.run("push", "--quiet", remote, f"{commit}:refs/heads/{branch}")
        if done.returncode == 0:
            return
        text = done.stderr
        if any(
            s in text for s in ("non-fast-forward", "fetch first", "rejected", "cannot lock ref")
        ):
            raise _Rejected(_last(text))
        raise CheckError(f"git push to {remote}/{branch} failed: {_last(text)}")

    @staticmethod
    def _ok(done: subprocess.CompletedProcess[str], what: str) -> str:
        if done.returncode != 0:
            raise CheckError(f"git {what} failed: {_last(done.stderr)}")
        return done.stdout.strip()


def _last(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
