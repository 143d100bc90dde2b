#!/usr/bin/env python3
"""`launchready env init` against `git grep -c` for the same names, interleaved.

    env_speed.py --launchready BIN [--before BIN] [--runs 7] NAME=PATH [NAME=PATH ...]

The names are those `env init` drafts on the repository (one warm-up run). Each round
runs, in turn: `env init --output TMP --force` and `git grep -c` with those names in
three forms (`-F -e N ...`, `-E 'N1|N2|...'`, `-w -E 'N1|N2|...'`); the peer is the
fastest form. Rounds are interleaved so that load on the machine affects both alike;
medians are reported with the load average before and after. ``--before BIN``: another
build of launchready (the main branch, say) timed in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from _timing import run_timed

TIMEOUT = 300.0


def _time(cmd: list[str]) -> float:
    return run_timed(cmd, timeout=TIMEOUT, capture=False).seconds


def bench(launchready: str, root: Path, runs: int, before: str | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "inventory.yml"
        init = [launchready, "env", "init", "--root", str(root), "--output", str(out), "--force"]
        old = [before, *init[1:]] if before else None
        subprocess.run(init, capture_output=True, check=True)
        names = list((yaml.safe_load(out.read_text()) or {}).get("variables") or {})
        alternation = "|".join(names)
        forms = {
            "git grep -c -F": ["git", "-C", str(root), "grep", "-c", "-F"]
            + [a for n in names for a in ("-e", n)],
            "git grep -c -E": ["git", "-C", str(root), "grep", "-c", "-E", alternation],
            "git grep -c -w -E": ["git", "-C", str(root), "grep", "-c", "-w", "-E", alternation],
        }
        times: dict[str, list[float]] = {"env init": [], **{k: [] for k in forms}}
        if old:
            times["env init (before)"] = []
        for _ in range(runs):
            if old:
                times["env init (before)"].append(_time(old))
            times["env init"].append(_time(init))
            for key, cmd in forms.items():
                times[key].append(_time(cmd))
    medians = {k: statistics.median(v) for k, v in times.items()}
    peer = min((k for k in forms), key=lambda k: medians[k])
    return {
        "names": len(names),
        "medians": medians,
        "peer": peer,
        "ratio": medians["env init"] / medians[peer],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="+", metavar="NAME=PATH")
    parser.add_argument("--launchready", default="launchready")
    parser.add_argument("--before", metavar="BIN", help="another launchready, timed alike")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for spec in args.repos:
        name, _, path = spec.partition("=")
        r = bench(args.launchready, Path(path), args.runs, args.before)
        medians = r["medians"]
        assert isinstance(medians, dict)
        cells = "  ".join(f"{k} {v:.3f}s" for k, v in medians.items())
        print(f"{name}: {r['names']} names; {cells}; env init / {r['peer']} = {r['ratio']:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
