"""Start-up time of the ``launchready`` CLI against a bare interpreter.

Times ``launchready --help``, ``--version`` and ``rules`` against ``python -c pass`` run by
the same interpreter, interleaving the commands so that drift hits them alike, then lists
the costliest imports (``python -X importtime``) so that a regression points at a module.

    python benchmarks/startup.py                 # 20 runs each after 2 warm-ups
    python benchmarks/startup.py --runs 50 --check

Stdlib only; every child process has a timeout, so the script always ends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from _timing import run_timed, stats

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUT = HERE / "results" / "startup.json"
TARGET_OVERHEAD_S = 0.3
IMPORT_TARGET = "launchready_ci.cli"


def child_env(bytecode: bool) -> dict[str, str]:
    """This environment; with ``bytecode``, .pyc files get written, as on an installed tool."""
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_once(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, int]:
    """Wall time and exit code of one run (-9 when it was killed at the deadline)."""
    sample = run_timed(argv, timeout=timeout, env=env, capture=False)
    return sample.seconds, -9 if sample.returncode is None else sample.returncode


def find_launchready() -> str:
    """The console script beside this interpreter, else in the repo's .venv, else on PATH."""
    for candidate in (Path(sys.executable).parent / "launchready", REPO / ".venv/bin/launchready"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("launchready")
    if found is None:
        sys.exit("startup.py: no `launchready` script found; pass --launchready")
    return found


def script_interpreter(script: str) -> str | None:
    """The interpreter named on the script's ``#!`` line: the one to compare against."""
    try:
        with open(script, "rb") as fh:
            first = fh.readline().decode("utf-8", "replace")
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    return words[0] if words and Path(words[0]).exists() else None


def parse_importtime(stderr: str) -> dict[str, tuple[int, int]]:
    """``{module: (self_us, cumulative_us)}`` from ``-X importtime`` output."""
    out: dict[str, tuple[int, int]] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            self_us, cum_us, name = line.removeprefix("import time:").split("|", 2)
            out[name.strip()] = (int(self_us), int(cum_us))
        except ValueError:
            continue
    return out


def import_profile(
    argv: list[str], env: dict[str, str], runs: int, top: int, timeout: float
) -> dict[str, object]:
    """Median self/cumulative import time per module over ``runs`` runs; the ``top`` costliest."""
    per_module: dict[str, list[tuple[int, int]]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
        for name, pair in parse_importtime(proc.stderr).items():
            per_module.setdefault(name, []).append(pair)
    rows = [
        {
            "module": name,
            "self_ms": statistics.median(p[0] for p in pairs) / 1000,
            "cumulative_ms": statistics.median(p[1] for p in pairs) / 1000,
        }
        for name, pairs in per_module.items()
    ]
    rows.sort(key=lambda r: r["cumulative_ms"], reverse=True)
    return {"argv": argv, "runs": runs, "modules_imported": len(rows), "top": rows[:top]}


def git_describe() -> dict[str, object]:
    def git(*args: str) -> str:
        try:
            proc = subprocess.run(
                ["git", "-C", str(REPO), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return proc.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def machine() -> dict[str, object]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": os.getloadavg(),  # other work on the machine adds noise
        "git": git_describe(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command (20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (2)")
    parser.add_argument("--python", help="baseline interpreter (default: the script's)")
    parser.add_argument("--launchready", help="console script (default: beside --python)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--top", type=int, default=10, help="imports to list (10)")
    parser.add_argument("--importtime-runs", type=int, default=5, help="-X importtime runs (5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per child (60)")
    parser.add_argument(
        "--target", type=float, default=TARGET_OVERHEAD_S, help="overhead budget, s (0.3)"
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set (default: drop it, so .pyc files are used)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --help overhead exceeds --target"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    env = child_env(not args.no_bytecode)
    script = args.launchready or find_launchready()
    python = args.python or script_interpreter(script) or sys.executable
    commands: dict[str, list[str]] = {
        "python -c pass": [python, "-c", "pass"],
        "launchready --help": [script, "--help"],
        "launchready --version": [script, "--version"],
        "launchready rules": [script, "rules"],
    }
    baseline = "python -c pass"

    for _ in range(args.warmup):
        for cmd in commands.values():
            time_once(cmd, env, args.timeout)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    for _ in range(args.runs):  # interleaved: drift and noise hit every command alike
        for name, cmd in commands.items():
            elapsed, code = time_once(cmd, env, args.timeout)
            samples[name].append(elapsed)
            codes[name].add(code)

    summary = {name: stats(samples[name]) for name in commands}
    overhead = {name: summary[name]["median"] - summary[baseline]["median"] for name in commands}
    results = {
        name: {
            "argv": commands[name],
            "exit_codes": sorted(codes[name]),
            "seconds": summary[name],
            "overhead_median_s": overhead[name],
            "overhead_min_s": summary[name]["min"] - summary[baseline]["min"],
            "samples_s": samples[name],
        }
        for name in commands
    }

    # The script itself, run under -X importtime, shows what each command really imports.
    profiles: dict[str, dict[str, object]] = {
        f"import {IMPORT_TARGET}": import_profile(
            [python, "-X", "importtime", "-c", f"import {IMPORT_TARGET}"],
            env,
            args.importtime_runs,
            args.top,
            args.timeout,
        )
    }
    for name, cmd in commands.items():
        if name != baseline:
            profiles[name] = import_profile(
                [python, "-X", "importtime", *cmd],
                env,
                args.importtime_runs,
                args.top,
                args.timeout,
            )

    help_overhead = overhead["launchready --help"]
    report = {
        "benchmark": "startup",
        "machine": machine(),
        "config": {
            "runs": args.runs,
            "warmup": args.warmup,
            "python": python,
            "script": script,
            "pythondontwritebytecode": "PYTHONDONTWRITEBYTECODE" in env,
        },
        "target_overhead_s": args.target,
        "help_overhead_within_target": help_overhead <= args.target,
        "commands": results,
        "imports": profiles,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"{args.runs} runs each after {args.warmup} warm-ups; milliseconds")
    print(f"{'command':<24}{'median':>9}{'min':>9}{'p90':>9}{'overhead':>10}  exit")
    for name, s in summary.items():
        over = "" if name == baseline else f"{1000 * overhead[name]:.1f}"
        print(
            f"{name:<24}{1000 * s['median']:9.1f}{1000 * s['min']:9.1f}{1000 * s['p90']:9.1f}"
            f"{over:>10}  {','.join(map(str, sorted(codes[name])))}"
        )
    verdict = "within" if help_overhead <= args.target else "OVER"
    print(f"--help overhead {1000 * help_overhead:.1f} ms: {verdict} the {args.target} s target")
    for title, prof in profiles.items():
        print(f"\ntop {args.top} cumulative imports, {title} (median of {args.importtime_runs}):")
        rows = prof["top"]
        assert isinstance(rows, list)
        for row in rows:
            print(
                f"  {row['cumulative_ms']:8.1f} ms  (self {row['self_ms']:6.1f})  {row['module']}"
            )
    print(f"\nwrote {args.out}")
    return 1 if args.check and help_overhead > args.target else 0


if __name__ == "__main__":
    sys.exit(main())
