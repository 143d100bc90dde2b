#!/usr/bin/env python3
"""Real migration histories: findings per 100 migrations per rule, ours and squawk side by
side on the SQL ones, the time of both, and a random sample of findings to triage.

The histories are checkouts given on the command line as NAME=PATH, NAME one of the
layouts below; nothing of them is stored here.

- ``saleor``: Django (``saleor/**/migrations/*.py``), ours only (squawk reads no Python);
- ``documenso``: Prisma (``packages/prisma/migrations/*/migration.sql``);
- ``lemmy``: diesel (``migrations/*/up.sql``, each run in a transaction).

Each tool runs ``--runs`` times after an untimed warm-up, interleaved (ours, squawk, ours,
...) so that the machine's load falls on both; the table gives the median and the minimum
of wall time and the child's CPU time. Ours writes its JSON report and squawk its JSON to a
file, so both do the same work. Child processes run without ``PYTHONDONTWRITEBYTECODE``
(as on a runner, the warm-up writes the bytecode).

``--before CMD`` times another build of ours (an earlier commit) in the same runs.
``--scale 2000,8000,50000`` also times N copies of one ``ALTER TABLE ... ADD COLUMN`` in
one file (per-statement work must not grow with the file).

``--sample 30`` draws that many findings at random (``--seed``) from all histories, at
warning or error level, and prints each with its statement for the triage described in
benchmarks/README.md.

    .venv/bin/pip install squawk-cli==2.70.0
    .venv/bin/python benchmarks/migrations_histories.py saleor=PATH documenso=PATH \\
        lemmy=PATH [--runs 5] [--scale 2000,8000,50000] [--sample 30] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from _timing import run_timed

BIN = Path(sys.executable).parent
LAYOUTS: dict[str, dict[str, Any]] = {
    "saleor": {"paths": ["saleor/**/migrations/*.py"], "sql": False},
    "documenso": {"paths": ["packages/prisma/migrations/*/migration.sql"], "sql": True},
    "lemmy": {"paths": ["migrations/*/up.sql"], "sql": True},
}
#: Prisma sends a file of several statements as one transaction; diesel runs each
#: migration in one.
SQUAWK_ARGS = {"documenso": ["--assume-in-transaction"], "lemmy": ["--assume-in-transaction"]}
#: squawk rules about style or house policy (as in migrations_accuracy.py)
SQUAWK_STYLE = {
    "prefer-robust-stmts",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-text-field",
    "prefer-timestamp-tz",
    "ban-char-field",
    "require-enum-value-ordering",
    "require-statement-timeout",
}
ENV = {
    k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GITHUB_ACTIONS")
}


def files_of(root: Path, patterns: list[str]) -> list[str]:
    found: set[str] = set()
    for pattern in patterns:
        found.update(p.relative_to(root).as_posix() for p in root.glob(pattern))
    return sorted(f for f in found if not f.endswith("__init__.py"))


def ours_cmd(exe: list[str], config: Path, report: Path) -> list[str]:
    return [
        *exe,
        *["migrations", "check", "--root", ".", "--config"],
        str(config),
        "--json",
        str(report),
        *["--fail-on", "never", "-q", "--no-summary", "--no-annotations"],
    ]


def time_both(
    cmds: dict[str, tuple[list[str], Path | None]], cwd: Path, runs: int, timeout: float
) -> dict[str, dict[str, float]]:
    """Interleaved runs after one warm-up each: {tool: median/min wall and CPU}."""
    samples: dict[str, list[tuple[float, float]]] = {tool: [] for tool in cmds}
    for run in range(runs + 1):
        for tool, (cmd, out) in cmds.items():
            with open(out or os.devnull, "wb") as fh:
                s = run_timed(cmd, timeout=timeout, cwd=cwd, env=ENV, capture=False, stdout=fh)
            if s.killed:
                raise SystemExit(f"{tool} overran {timeout} s: {' '.join(cmd)}")
            if run:
                samples[tool].append((s.seconds, s.cpu_seconds))
    return {
        tool: {
            "wall_median": statistics.median(w for w, _ in t),
            "wall_min": min(w for w, _ in t),
            "cpu_median": statistics.median(c for _, c in t),
            "runs": len(t),
        }
        for tool, t in samples.items()
    }


def history(
    name: str, root: Path, work: Path, args: argparse.Namespace
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    layout = LAYOUTS[name]
    files = files_of(root, layout["paths"])
    config = work / f"{name}.yml"
    config.write_text(
        "migrations:\n  paths: [" + ", ".join(f"'{p}'" for p in layout["paths"]) + "]\n"
    )
    report, squawk_out = work / f"{name}.json", work / f"{name}.squawk.json"
    cmds: dict[str, tuple[list[str], Path | None]] = {
        "ours": (ours_cmd(args.launchready.split(), config, report), None)
    }
    if args.before:
        cmds["before"] = (ours_cmd(args.before.split(), config, work / "before.json"), None)
    if layout["sql"]:
        squawk = [args.squawk, "--reporter", "json", *SQUAWK_ARGS.get(name, []), *files]
        cmds["squawk"] = (squawk, squawk_out)
    times = time_both(cmds, root, args.runs, args.timeout)
    data = json.loads(report.read_text())
    findings = [{"history": name, "root": str(root), **f} for f in data["findings"]]
    ours = Counter(f["rule_id"] for f in findings if not f.get("suppressed"))
    levels = Counter((f["rule_id"], f["severity"]) for f in findings if not f.get("suppressed"))
    squawk_rules: Counter[str] = Counter()
    if layout["sql"]:
        squawk_rules.update(v["rule_name"] for v in json.loads(squawk_out.read_text() or "[]"))
    n = len(files)
    scope = next((c.get("scope") for c in data["checks"] if c.get("id") == "migrations"), "")
    return {
        "migrations": n,
        "scope": scope,
        "ours": dict(sorted(ours.items())),
        "ours_by_severity": {f"{r} {s}": c for (r, s), c in sorted(levels.items())},
        "squawk": dict(sorted(squawk_rules.items())),
        "ours_per_100": {k: round(100 * v / n, 1) for k, v in sorted(ours.items())},
        "squawk_per_100": {k: round(100 * v / n, 1) for k, v in sorted(squawk_rules.items())},
        "time": times,
    }, findings


def scale(work: Path, sizes: list[int], args: argparse.Namespace) -> dict[str, Any]:
    """N copies of one ADD COLUMN in one file: seconds and CPU per size."""
    out: dict[str, Any] = {}
    for n in sizes:
        root = work / f"scale-{n}"
        (root / "db" / "migrations").mkdir(parents=True)
        one = "ALTER TABLE members ADD COLUMN bio text;\n"
        (root / "db" / "migrations" / "0001_many.sql").write_text(
            "SET lock_timeout = '2s';\n" + one * n
        )
        config = root / "launchready.yml"
        config.write_text("migrations: {}\n")
        report = root / "out.json"
        cmds: dict[str, tuple[list[str], Path | None]] = {
            "ours": (ours_cmd(args.launchready.split(), config, report), None),
            "squawk": (
                [args.squawk, "--reporter", "json", "db/migrations/0001_many.sql"],
                root / "sq.json",
            ),
        }
        out[str(n)] = time_both(cmds, root, 1, args.timeout)
        print(
            f"  {n:>6} statements: "
            + ", ".join(
                f"{tool} {t['wall_median']:.2f} s (CPU {t['cpu_median']:.2f})"
                for tool, t in out[str(n)].items()
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("history", nargs="*", help="NAME=PATH, NAME one of " + ", ".join(LAYOUTS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--squawk", default=shutil.which("squawk") or str(BIN / "squawk"))
    parser.add_argument("--launchready", default=str(BIN / "launchready"), help="our CLI")
    parser.add_argument(
        "--before", default="", help="another build of ours to time in the same runs"
    )
    parser.add_argument("--scale", default="", help="e.g. 2000,8000,50000")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not Path(args.squawk).exists():
        print(f"squawk not found ({args.squawk}): pip install squawk-cli", file=sys.stderr)
        return 2
    result: dict[str, Any] = {"load_before": os.getloadavg(), "histories": {}}
    found: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="migrations-histories-") as tmp:
        work = Path(tmp)
        for spec in args.history:
            name, _, path = spec.partition("=")
            if name not in LAYOUTS or not path:
                parser.error(f"{spec}: expected NAME=PATH with NAME one of {', '.join(LAYOUTS)}")
            entry, findings = history(name, Path(path).resolve(), work, args)
            result["histories"][name] = entry
            found += findings
            print(f"## {name}: {entry['migrations']} migrations ({entry['scope']})")
            for tool, t in entry["time"].items():
                print(
                    f"  {tool}: wall median {t['wall_median']:.3f} s (min {t['wall_min']:.3f}),"
                    f" CPU median {t['cpu_median']:.3f} s, {t['runs']} runs"
                )
            for rule, per in entry["ours_per_100"].items():
                print(f"  ours    {rule}: {per} per 100")
            for rule, per in entry["squawk_per_100"].items():
                style = " (style)" if rule in SQUAWK_STYLE else ""
                print(f"  squawk  {rule}{style}: {per} per 100")
        if args.scale:
            print("## one file, N statements")
            result["scale"] = scale(work, [int(n) for n in args.scale.split(",")], args)
    result["load_after"] = os.getloadavg()
    if args.sample:
        pool = [f for f in found if not f.get("suppressed") and f["severity"] != "notice"]
        picked = random.Random(args.seed).sample(pool, min(args.sample, len(pool)))
        result["sample"] = picked
        for i, f in enumerate(picked, 1):
            loc = f["location"]
            lines = (Path(f["root"]) / loc["path"]).read_text(errors="replace").splitlines()
            start = max(0, (loc["start_line"] or 1) - 1)
            print(f"\n### {i}. {f['history']} {loc['path']}:{loc['start_line']} {f['rule_id']}")
            print(f["message"])
            print("```\n" + "\n".join(lines[start : start + 5]) + "\n```")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
