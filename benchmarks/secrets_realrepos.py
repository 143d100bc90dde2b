#!/usr/bin/env python3
"""Noise on real application repositories: findings per tool, and a speed comparison.

    python benchmarks/secrets_realrepos.py REPOS_DIR [--repos saleor@723cd4eb,...]
        [--tools ours,kingfisher,betterleaks,credsweeper,detect-secrets]
        [--launchready PATH] [--peers DIR] [--work DIR] [--speed saleor@723cd4eb --runs 5]

``REPOS_DIR`` holds working trees of repositories at pinned commits (each a git repository,
so ``git ls-files`` works). For each repository and tool: the number of findings at warning
or above (ours: severity error or warning; betterleaks: every finding, and those of medium
or high confidence apart; kingfisher: its default medium confidence; CredSweeper and
detect-secrets: every finding), and for ours the list of findings to triage
(``WORK/ours-<repo>.tsv``: rule, severity, confidence, path:line, preview, reason).

``--speed REPO``: ours, kingfisher and betterleaks on that tree, interleaved, ``--runs``
rounds; wall and CPU (user+sys of the process tree) seconds, median and range, with the
load average before and after. Nothing here asserts a time.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import run_timed

REPOS = ("saleor@723cd4eb", "documenso@75330166", "maybe@77b54698")
TOOLS = ("ours", "kingfisher", "betterleaks", "credsweeper", "detect-secrets")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repos_dir", type=Path)
    ap.add_argument("--repos", default=",".join(REPOS))
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--launchready", default=shutil.which("launchready") or "launchready")
    ap.add_argument("--peers", type=Path)
    ap.add_argument("--work", type=Path, default=Path("benchmarks/.work/secrets-realrepos"))
    ap.add_argument("--speed", default="")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "versions": {t: version(t, args) for t in args.tools.split(",")},
        "counts": {},
    }
    for repo in [r for r in args.repos.split(",") if r]:
        tree = (args.repos_dir / repo).resolve()
        counts = {}
        for tool in args.tools.split(","):
            raw = work / f"{tool}-{repo}.out"
            run(cmd(tool, tree, raw, args), tree, raw if tool == "detect-secrets" else None)
            counts.update(COUNT[tool](raw, tree, work, repo))
        report["counts"][repo] = counts
        print(repo, json.dumps(counts), flush=True)
    if args.speed:
        report["speed"] = speed((args.repos_dir / args.speed).resolve(), work, args)
    out = args.out or work / "secrets_realrepos.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written {out}")
    return 0


def _bin(args: argparse.Namespace, name: str) -> str:
    if name == "ours":
        return args.launchready
    if args.peers and (args.peers / name).exists():
        return str(args.peers / name)
    return shutil.which(name) or name


def cmd(tool: str, tree: Path, raw: Path, args: argparse.Namespace) -> list[str]:
    exe = _bin(args, tool)
    if tool == "ours":
        return [
            exe,
            "secrets",
            "scan",
            "--root",
            str(tree),
            "--json",
            str(raw),
            "--fail-on",
            "never",
            "-q",
            "--no-summary",
            "--no-annotations",
        ]
    if tool == "kingfisher":
        return [
            exe,
            "scan",
            str(tree),
            "--no-validate",
            "--git-history",
            "none",
            "--format",
            "json",
            "-o",
            str(raw),
            "--no-update-check",
        ]
    if tool == "betterleaks":
        return [exe, "fs", str(tree), "-o", str(raw) + ".json", "--no-banner", "--exit-code", "0"]
    if tool == "credsweeper":
        return [exe, "--path", str(tree), "--save-json", str(raw)]
    if tool == "detect-secrets":
        return [exe, "scan", str(tree)]
    raise SystemExit(f"unknown tool {tool}")


def run(
    argv: list[str], cwd: Path, stdout: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """(wall, cpu) seconds of one run; cpu is user+sys of the child and its descendants."""
    with open(stdout or os.devnull, "wb") as out:
        sample = run_timed(argv, timeout=3600, cwd=cwd, stdout=out, env=env)
    if argv[1] == "fs":  # betterleaks writes FILE.json
        Path(argv[4]).replace(argv[4][: -len(".json")])
    return sample.seconds, sample.cpu_seconds


def count_ours(raw: Path, tree: Path, work: Path, repo: str) -> dict[str, Any]:
    data = json.loads(raw.read_text())
    found = [f for f in data["findings"] if f["check_id"] == "secrets"]
    rows = []
    for f in found:
        loc = f["location"]
        p = f.get("properties") or {}
        rows.append(
            "\t".join(
                str(x)
                for x in (
                    f["rule_id"],
                    f["severity"],
                    f["confidence"],
                    f"{loc['path']}:{loc['start_line']}",
                    p.get("preview", ""),
                    p.get("reason", ""),
                )
            )
        )
    (work / f"ours-{repo}.tsv").write_text("\n".join(sorted(rows)) + "\n")
    sev = [f["severity"] for f in found]
    return {
        "ours": sev.count("error") + sev.count("warning"),
        "ours_errors": sev.count("error"),
        "ours_notices": sev.count("notice"),
    }


def count_kingfisher(raw: Path, *_: Any) -> dict[str, Any]:
    return {"kingfisher": len(json.loads(raw.read_text()).get("findings") or [])}


def count_betterleaks(raw: Path, *_: Any) -> dict[str, Any]:
    found = json.loads(raw.read_text()).get("findings") or []
    low = sum(1 for f in found if f.get("confidence") == "low")
    return {"betterleaks": len(found), "betterleaks_low": low}


def count_credsweeper(raw: Path, *_: Any) -> dict[str, Any]:
    return {"credsweeper": len(json.loads(raw.read_text()))}


def count_detect_secrets(raw: Path, *_: Any) -> dict[str, Any]:
    res = json.loads(raw.read_text())["results"]
    return {"detect-secrets": sum(len(v) for v in res.values())}


COUNT = {
    "ours": count_ours,
    "kingfisher": count_kingfisher,
    "betterleaks": count_betterleaks,
    "credsweeper": count_credsweeper,
    "detect-secrets": count_detect_secrets,
}


def speed(tree: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    tools = ("ours", "kingfisher", "betterleaks")
    times: dict[str, list[tuple[float, float]]] = {t: [] for t in tools}
    load_before = os.getloadavg()
    # Warm the page cache and each tool's own caches, untimed. Ours writes its bytecode
    # then, as `pip install` does for an installed package (a shell that sets
    # PYTHONDONTWRITEBYTECODE would otherwise make every run compile our sources again).
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for t in tools:
        run(cmd(t, tree, work / f"speed-{t}.out", args), tree, env=warm)
    for i in range(args.runs):
        order = tools if i % 2 == 0 else tools[::-1]
        for t in order:
            times[t].append(run(cmd(t, tree, work / f"speed-{t}.out", args), tree))
    out: dict[str, Any] = {
        "tree": str(tree),
        "runs": args.runs,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    for t, vals in times.items():
        walls = [w for w, _ in vals]
        cpus = [c for _, c in vals]
        out[t] = {
            "wall_median": round(statistics.median(walls), 2),
            "wall_min": round(min(walls), 2),
            "wall_max": round(max(walls), 2),
            "cpu_median": round(statistics.median(cpus), 2),
        }
        print(t, out[t], flush=True)
    return out


def version(tool: str, args: argparse.Namespace) -> str:
    exe = _bin(args, tool)
    argv = [exe, "version"] if tool == "betterleaks" else [exe, "--version"]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "?"
    lines = (p.stdout or p.stderr).strip().splitlines()
    return lines[-1] if lines else "?"


if __name__ == "__main__":
    sys.exit(main())
