"""Hostile inputs against `launchready smoke run`: what each attack costs (wall time, peak
memory of the process) and whether it ends as a finding within its deadline.

    python benchmarks/hostile_inputs.py [PYTHON ...]

PYTHON is the interpreter of a checkout to measure (default: this one), so a checkout
before a fix and one after run side by side in the same run; each attack runs
``--repeat`` times per interpreter, interleaved, and the median is reported. The
servers are the test suite's hostile servers (tests/servers.py), on loopback.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import Hostile, hostile_server  # noqa: E402

KILL_AFTER = 90.0

SMOKE = """\
smoke:
  runs: 1
  timeout: 10s
  budgets: {{read: 60s, action: 60s}}
  journeys:
    - name: attack
      steps:
        - url: /x
{extra}
"""


def _measure(python: str, repo: Path, base_url: str) -> tuple[float, float, int | None, str]:
    """Wall seconds, peak RSS in MiB, exit code (None: killed) and the last output line."""
    argv = [python, "-m", "launchready_ci", "smoke", "run", "--root", str(repo)]
    argv += ["--base-url", base_url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    start = time.perf_counter()
    proc = subprocess.Popen(  # cwd: not a checkout, whose package `-m` would import first
        argv,
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    timer = threading.Timer(KILL_AFTER, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    finding = next((line for line in lines if "smoke/" in line), lines[-1] if lines else "")
    return seconds, usage.ru_maxrss / 1024, None if code < 0 else code, finding[:150]


@contextmanager
def _attack(kind: str, **knobs: object) -> Iterator[Hostile]:
    with hostile_server(kind, **knobs) as server:  # type: ignore[arg-type]
        yield server


ATTACKS: dict[str, tuple[Callable[[], object], str]] = {
    "gzip bomb, 1 GiB": (lambda: _attack("bomb", size=1 << 30), ""),
    "gzip x4 bomb, 2 GiB": (
        lambda: _attack("bomb", size=1 << 31, encodings=("gzip",) * 4),
        "",
    ),
    "deflate bomb, 1 GiB": (lambda: _attack("bomb", size=1 << 30, encodings=("deflate",)), ""),
    "regex (a+)+$ on 41 bytes": (
        lambda: _attack("reflect", body="a" * 40 + "!"),
        "          expect: {body: {matches: '(a+)+$'}}",
    ),
    "JSON nested 100,000 deep": (
        lambda: _attack("json", body="[" * 100_000 + "]" * 100_000),
        "          expect: {json: {$.x: 1}}",
    ),
    "endless headers": (lambda: _attack("endless-headers", interval=0), ""),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("python", nargs="*", default=[sys.executable])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="run the attacks whose name contains this")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; kill after {KILL_AFTER:g} s")
    for name, (server_factory, extra) in ATTACKS.items():
        if args.only and args.only not in name:
            continue
        samples: dict[str, list[tuple[float, float, int | None, str]]] = {
            p: [] for p in args.python
        }
        with tempfile.TemporaryDirectory() as tmp, server_factory() as server:  # type: ignore[attr-defined]
            repo = Path(tmp)
            (repo / "launchready.yml").write_text(SMOKE.format(extra=extra))
            for _ in range(args.repeat):
                for python in args.python:
                    samples[python].append(_measure(python, repo, server.base_url))
        for python, runs in samples.items():
            wall = statistics.median(r[0] for r in runs)
            rss = statistics.median(r[1] for r in runs)
            codes = sorted({str(r[2]) for r in runs})
            print(
                f"{name:28} {python:48} {wall:6.1f} s {rss:7.0f} MiB exit {','.join(codes):5} "
                f"{runs[-1][3]}"
            )


if __name__ == "__main__":
    main()
