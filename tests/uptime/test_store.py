"""The history branch with writers that overlap: real git clones of a bare repository,
pushing at the same time, as overlapping scheduled runs on separate runners do."""

from __future__ import annotations

import threading
from pathlib import Path

from launchready_ci.uptime.history import History, Run, Sample
from launchready_ci.uptime.store import record
from tests.helpers import git


def _clone(origin: Path, dest: Path) -> Path:
    git(origin.parent, "clone", "-q", str(origin), str(dest))
    return dest


def _run(at: float, ok: bool = True) -> Run:
    return Run(at=at, samples={"home": Sample(at, ok, 12.5, 200 if ok else 500)})


def _origin(tmp_path: Path) -> Path:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "init", "-q", "-b", "main", str(seed))
    (seed / "README.md").write_text("app\n")
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "app")
    git(seed, "push", "-q", str(origin), "main")
    return origin


def test_the_first_run_creates_the_branch_with_the_page(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    clone = _clone(origin, tmp_path / "a")
    done = record(
        clone,
        _run(1_000_000.0),
        branch="launchready-uptime",
        path="history.json",
        update=lambda history: {"index.html": f"<p>{len(history.runs)} runs</p>"},
    )
    assert done.attempts == 1
    listing = git(origin, "ls-tree", "--name-only", "launchready-uptime").split()
    assert sorted(listing) == ["history.json", "index.html"]
    # The working tree and the checked-out branch are untouched.
    assert git(clone, "status", "--porcelain") == ""
    assert git(clone, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    stored = History.loads(git(origin, "show", "launchready-uptime:history.json"))
    assert stored.runs == [1_000_000.0]


def test_overlapping_writers_lose_no_sample(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    clones = [_clone(origin, tmp_path / f"runner-{i}") for i in range(4)]
    errors: list[BaseException] = []
    attempts: list[int] = []

    def writer(index: int, clone: Path) -> None:
        try:
            for n in range(3):
                at = 1_000_000.0 + index * 10 + n
                done = record(clone, _run(at, ok=n != 1), branch="uptime", path="h/history.json")
                attempts.append(done.attempts)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i, c)) for i, c in enumerate(clones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    stored = History.loads(git(origin, "show", "uptime:h/history.json"))
    expected = sorted(1_000_000.0 + i * 10 + n for i in range(4) for n in range(3))
    assert stored.runs == expected
    assert [s.at for s in stored.samples["home"]] == expected
    assert sum(1 for s in stored.samples["home"] if not s.ok) == 4
    assert max(attempts) > 1  # the writers did collide, and retried
    # One commit per run, in a line: nothing was force-pushed over.
    assert int(git(origin, "rev-list", "--count", "uptime").strip()) == 12


def test_a_run_replayed_after_a_conflict_is_not_counted_twice(tmp_path: Path) -> None:
    history = History()
    assert history.add(_run(5.0))
    assert not history.add(_run(5.0))
    assert history.runs == [5.0] and len(history.samples["home"]) == 1


def test_a_fetch_that_finds_the_ref_locked_is_retried(tmp_path: Path) -> None:
    # Two monitor runs in one clone: the other run's fetch holds the ref's lock file, so
    # this fetch fails on "cannot lock ref"; it must be retried like a rejected push.
    origin = _origin(tmp_path)
    clone = _clone(origin, tmp_path / "a")
    record(clone, _run(1_000_000.0), branch="launchready-uptime", path="history.json")
    lock = clone / ".git" / "refs" / "launchready" / "uptime" / "launchready-uptime.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("held by another run\n")
    pauses: list[float] = []

    def other_run_finishes(seconds: float) -> None:
        pauses.append(seconds)
        lock.unlink(missing_ok=True)

    done = record(
        clone,
        _run(1_000_300.0),
        branch="launchready-uptime",
        path="history.json",
        sleep=other_run_finishes,
    )
    assert done.attempts == 2 and len(pauses) == 1
    stored = History.loads(git(origin, "show", "launchready-uptime:history.json"))
    assert stored.runs == [1_000_000.0, 1_000_300.0]
