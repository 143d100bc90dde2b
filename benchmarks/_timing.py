"""What every benchmark script here shares: timing a child process that is killed when it
overruns, and summarising the samples.

A timer thread kills the child's whole process group at the deadline.
``subprocess.run(timeout=...)`` would not do: it polls with sleeps of up to 50 ms, which
rounds every sample up, and it kills only the child, not what the child started.

CPU time is the change in ``RUSAGE_CHILDREN`` across the run (user + system, the child and
every descendant it waited for), so run one child at a time when you read it.

Stdlib only, like the scripts that import it (``import _timing`` works because a script's
own folder is on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["Sample", "run_timed", "stats", "summarize"]


@dataclass
class Sample:
    """One timed run of a child process."""

    seconds: float
    #: The exit code; ``None`` when the child was killed at the deadline or did not start.
    returncode: int | None
    stdout: bytes
    #: The last 2,000 characters of stderr (or the reason it did not start).
    stderr: str
    #: User + system CPU seconds of the child and its descendants.
    cpu_seconds: float = 0.0

    @property
    def killed(self) -> bool:
        return self.returncode is None


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = True,
    merge_stderr: bool = False,
    stdin: int | None = subprocess.DEVNULL,
    stdout: IO[bytes] | None = None,
) -> Sample:
    """Wall time (``perf_counter``) of one run of ``argv``, killed at ``timeout`` seconds.

    ``capture=False`` sends stdout to /dev/null (stderr is still kept, unless merged);
    ``merge_stderr`` sends stderr into stdout, as a terminal would show them; ``stdout``
    (an open file) receives the output instead of memory.
    """
    cpu_before = _cpu()
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=stdin,
            stdout=stdout
            if stdout is not None
            else subprocess.PIPE
            if capture or merge_stderr
            else subprocess.DEVNULL,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            start_new_session=True,  # so that a kill reaches the child's children too
        )
    except OSError as exc:
        return Sample(time.perf_counter() - start, None, b"", str(exc))
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        out, err = proc.communicate()
    except BaseException:  # Ctrl-C: the child is in its own session, so stop it here
        kill()
        raise
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - start
    code = None if expired.is_set() else proc.returncode
    tail = (err or b"").decode("utf-8", "replace")[-2000:]
    if expired.is_set():
        tail = f"killed after {timeout:g} s\n{tail}"
    return Sample(elapsed, code, out or b"", tail, _cpu() - cpu_before)


def summarize(values: Sequence[float]) -> dict[str, float] | None:
    """Median, min, max and count; ``None`` for no samples."""
    if not values:
        return None
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def stats(values: Sequence[float]) -> dict[str, float]:
    """Median, min, p90 (nearest rank), mean and standard deviation of at least one sample."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(0.9 * len(ordered) + 0.5) - 1))
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "p90": ordered[rank],
        "mean": statistics.fmean(ordered),
        "stdev": statistics.stdev(ordered) if len(ordered) > 1 else 0.0,
        "n": len(ordered),
    }
