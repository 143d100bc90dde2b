#!/usr/bin/env python3
"""Migration linting accuracy: ``launchready migrations check`` against squawk.

The corpus is ``benchmarks/migrations/corpus/``: one directory per case, each a small
project in the layout of one framework (plain SQL ``db/migrations``, Supabase, Prisma,
Drizzle, Django, Alembic). ``benchmarks/migrations/labels.json`` says for every migration
file whether a careful DBA would call it unsafe on a busy production table, and which
hazards it holds. Each tool runs once per case directory, with its defaults and no config
file. A file counts as flagged when the tool reports at least one finding at warning or
error level (our notices, such as ``int-primary-key``, do not count). squawk cannot read
Python migrations, so it flags none of them; the SQL-only row is the fair comparison.

Then both tools lint the same 1,000 SQL migrations in one ``db/migrations`` folder (the
SQL corpus files, cycled and renumbered): median wall time of ``--runs`` runs each after an
untimed warm-up, and the peak RSS of one more run.

    .venv/bin/python benchmarks/migrations_accuracy.py [--runs 3] [--files 1000] [--no-speed]

Writes benchmarks/results/migrations_accuracy.json and prints Markdown tables. Exits 2 when
squawk is not installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from _timing import run_timed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "migrations" / "corpus"
LABELS = HERE / "migrations" / "labels.json"
BIN = Path(sys.executable).parent
SQUAWK_VERSION = "2.70.0"
INSTALL_HINT = f"{sys.executable} -m pip install squawk-cli=={SQUAWK_VERSION}"

#: Which of our rules count as catching a labeled hazard (per-hazard recall).
HAZARD_RULES = {
    "truncate": {"table-rewrite", "breaking-change"},
    "drop-index-not-concurrent": {"index-not-concurrent", "missing-lock-timeout"},
    "refresh-matview-blocking": {"table-rewrite"},
}
#: squawk rules about style, conventions or policy rather than a lock, a rewrite or a
#: failed deploy. The "squawk, no style rules" row leaves them out (post-hoc, from the same run).
SQUAWK_STYLE_RULES = {
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
PYTHON_FRAMEWORKS = {"django", "alembic"}


def run(cmd: list[str], cwd: Path, timeout: float, stdout: Any = None) -> tuple[int, float]:
    """Run ``cmd``; return (exit code, seconds), or raise when it was killed or failed."""
    sample = run_timed(cmd, timeout=timeout, cwd=cwd, capture=False, stdout=stdout)
    if sample.returncode is None or sample.returncode < 0:
        raise RuntimeError(f"{cmd[0]} killed after {timeout:.0f} s (or by a signal)")
    if sample.stderr.strip() and sample.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited {sample.returncode}: {sample.stderr}")
    return sample.returncode, sample.seconds


def peak_rss_mb(cmd: list[str], cwd: Path, timeout: float) -> float:
    """Peak RSS of the largest process ``cmd`` starts, measured in a fresh wrapper process
    (``RUSAGE_CHILDREN`` of a process that ran nothing else)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        f"subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, timeout={timeout})\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout + 30,
        check=True,
    )
    return int(out.stdout.split()[-1]) / 1024  # KiB on Linux


# --- the tools ---------------------------------------------------------------------------


def ours_cmd(root: Path, out: Path) -> list[str]:
    exe = BIN / "launchready"
    cmd = [str(exe), "migrations", "check", "--root", str(root), "--json", str(out)]
    return [*cmd, "--fail-on", "never", "-q"]


def run_ours(
    case: Path, work: Path, timeout: float
) -> tuple[dict[str, list[dict[str, str]]], float]:
    """{file relative to the case: [{rule, severity}]} of findings that are not suppressed."""
    out = work / "ours.json"
    out.unlink(missing_ok=True)
    _, seconds = run(ours_cmd(case, out), case, timeout)
    report = json.loads(out.read_text())
    found: dict[str, list[dict[str, str]]] = {}
    for f in report["findings"]:
        if f.get("suppressed"):
            continue
        rule = f["rule_id"].removeprefix("migrations/")
        found.setdefault(f["location"]["path"], []).append(
            {"rule": rule, "severity": f["severity"], "line": f["location"]["start_line"]}
        )
    return found, seconds


def squawk_cmd(files: list[str]) -> list[str]:
    return [str(squawk_exe()), "--reporter", "json", *files]


def run_squawk(
    case: Path, work: Path, timeout: float
) -> tuple[dict[str, list[dict[str, str]]], float]:
    files = sorted(p.relative_to(case).as_posix() for p in case.rglob("*.sql"))
    if not files:
        return {}, 0.0
    out = work / "squawk.json"
    with out.open("wb") as fh:
        _, seconds = run(squawk_cmd(files), case, timeout, stdout=fh)
    found: dict[str, list[dict[str, str]]] = {}
    for v in json.loads(out.read_text() or "[]"):
        found.setdefault(v["file"], []).append(
            {"rule": v["rule_name"], "severity": v["level"].lower(), "line": v["line"] + 1}
        )
    return found, seconds


def squawk_exe() -> Path:
    exe = BIN / "squawk"
    if exe.exists():
        return exe
    found = shutil.which("squawk")
    return Path(found) if found else exe


def squawk_version() -> str | None:
    exe = squawk_exe()
    if not exe.exists():
        return None
    out = subprocess.run(
        [str(exe), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return out.stdout.strip().removeprefix("squawk ").strip() or None


# --- scoring -----------------------------------------------------------------------------


def flagged(
    findings: list[dict[str, str]], ignore: frozenset[str] | set[str] = frozenset()
) -> bool:
    return any(f["severity"] in ("warning", "error") and f["rule"] not in ignore for f in findings)


def score(
    pred: dict[str, bool], labels: dict[str, dict[str, Any]], keys: list[str]
) -> dict[str, Any]:
    tp = sum(1 for k in keys if pred[k] and labels[k]["unsafe"])
    fp = sum(1 for k in keys if pred[k] and not labels[k]["unsafe"])
    fn = sum(1 for k in keys if not pred[k] and labels[k]["unsafe"])
    tn = len(keys) - tp - fp - fn
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "files": len(keys),
        "unsafe": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f1, 3),
    }


def per_hazard(
    labels: dict[str, dict[str, Any]], ours: dict[str, list[dict[str, str]]]
) -> dict[str, dict[str, int]]:
    """For each labeled hazard (and note), in how many files our matching rule reported."""
    out: dict[str, Counter[str]] = {}
    for key, lab in labels.items():
        reported = {f["rule"] for f in ours.get(key, [])}
        for hazard in [*lab["hazards"], *lab["notes"]]:
            c = out.setdefault(hazard, Counter())
            c["expected"] += 1
            c["found"] += bool(reported & HAZARD_RULES.get(hazard, {hazard}))
    return {h: dict(c) for h, c in sorted(out.items())}


# --- speed -------------------------------------------------------------------------------


def speed(work: Path, sql_files: list[Path], n: int, runs: int, timeout: float) -> dict[str, Any]:
    root = work / "speed"
    folder = root / "db" / "migrations"
    folder.mkdir(parents=True)
    for i in range(n):
        src = sql_files[i % len(sql_files)]
        stem = src.parent.name if src.name == "migration.sql" else src.stem.split("_", 1)[-1]
        shutil.copyfile(src, folder / f"{i + 1:05d}_{stem}.sql")
    rels = sorted(p.relative_to(root).as_posix() for p in folder.iterdir())
    size = sum((root / r).stat().st_size for r in rels)
    cmds = {
        "launchready": ours_cmd(root, work / "speed-ours.json"),
        "squawk": squawk_cmd(rels),
    }
    stdout = {name: work / f"speed-{name}.stdout" for name in cmds}
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for name, cmd in cmds.items():  # warm-up
        with stdout[name].open("wb") as fh:
            run(cmd, root, timeout, stdout=fh)
    for _ in range(runs):  # interleaved
        for name, cmd in cmds.items():
            with stdout[name].open("wb") as fh:
                times[name].append(run(cmd, root, timeout, stdout=fh)[1])
    ours_report = json.loads((work / "speed-ours.json").read_text())
    squawk_report = json.loads(stdout["squawk"].read_text() or "[]")
    result: dict[str, Any] = {"files": n, "bytes": size}
    for name, cmd in cmds.items():
        result[name] = {
            "median_s": round(statistics.median(times[name]), 3),
            "min_s": round(min(times[name]), 3),
            "max_s": round(max(times[name]), 3),
            "runs_s": [round(t, 3) for t in times[name]],
            "peak_rss_mb": round(peak_rss_mb(cmd, root, timeout), 1),
        }
    result["launchready"]["findings"] = len(ours_report["findings"])
    result["squawk"]["findings"] = len(squawk_report)
    return result


# --- main --------------------------------------------------------------------------------


def table(rows: list[tuple[str, str, dict[str, Any]]]) -> str:
    lines = [
        "| files | tool | n | unsafe | TP | FP | FN | precision | recall | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for subset, tool, s in rows:
        lines.append(
            f"| {subset} | {tool} | {s['files']} | {s['unsafe']} | {s['tp']} | {s['fp']} | "
            f"{s['fn']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (speed)")
    parser.add_argument("--files", type=int, default=1000, help="SQL files for the speed run")
    parser.add_argument("--no-speed", action="store_true", help="accuracy only")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per child process")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "migrations_accuracy.json")
    args = parser.parse_args()

    version = squawk_version()
    if version is None:
        print(f"squawk is not installed. Install it with:\n    {INSTALL_HINT}", file=sys.stderr)
        return 2
    if version != SQUAWK_VERSION:
        print(f"warning: squawk {version}, the numbers in the README are for {SQUAWK_VERSION}")

    labels: dict[str, dict[str, Any]] = json.loads(LABELS.read_text())
    cases = sorted({k.split("/", 1)[0] for k in labels})
    on_disk = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".sql", ".py")
    }
    if on_disk != set(labels):
        print(f"labels.json and the corpus differ: {sorted(on_disk ^ set(labels))[:10]}")
        return 2

    work = Path(tempfile.mkdtemp(prefix="migrations-accuracy-"))
    try:
        # Outside this git work tree, so both tools see a plain directory and no config.
        corpus = work / "corpus"
        shutil.copytree(CORPUS, corpus)
        ours: dict[str, list[dict[str, str]]] = {}
        theirs: dict[str, list[dict[str, str]]] = {}
        seconds = Counter[str]()
        for case in cases:
            for name, runner, into in (
                ("launchready", run_ours, ours),
                ("squawk", run_squawk, theirs),
            ):
                found, t = runner(corpus / case, work, args.timeout)
                seconds[name] += t
                for rel, fs in found.items():
                    into[f"{case}/{rel}"] = fs
        unknown = sorted((set(ours) | set(theirs)) - set(labels))
        speed_result = None
        if not args.no_speed:
            sql_files = sorted(p for p in corpus.rglob("*.sql"))
            speed_result = speed(work, sql_files, args.files, args.runs, args.timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    keys = sorted(labels)
    subsets = {
        "all": keys,
        "SQL": [k for k in keys if labels[k]["framework"] not in PYTHON_FRAMEWORKS],
        "Django+Alembic": [k for k in keys if labels[k]["framework"] in PYTHON_FRAMEWORKS],
    }
    preds = {
        "launchready": {k: flagged(ours.get(k, [])) for k in keys},
        "squawk": {k: flagged(theirs.get(k, [])) for k in keys},
        "squawk, no style rules": {k: flagged(theirs.get(k, []), SQUAWK_STYLE_RULES) for k in keys},
    }
    scores = {
        tool: {name: score(pred, labels, ks) for name, ks in subsets.items()}
        for tool, pred in preds.items()
    }
    frameworks = sorted({lab["framework"] for lab in labels.values()})
    by_framework = {
        fw: {
            tool: score(pred, labels, [k for k in keys if labels[k]["framework"] == fw])
            for tool, pred in preds.items()
        }
        for fw in frameworks
    }

    def errors(tool: str, pred: dict[str, bool], found: dict[str, list[dict[str, str]]]) -> Any:
        fps = [
            {
                "file": k,
                "reported": sorted({f["rule"] for f in found.get(k, [])}),
                "why_safe": labels[k]["why"],
            }
            for k in keys
            if pred[k] and not labels[k]["unsafe"]
        ]
        fns = [
            {"file": k, "hazards": labels[k]["hazards"], "why": labels[k]["why"]}
            for k in keys
            if not pred[k] and labels[k]["unsafe"]
        ]
        return {"false_positives": fps, "false_negatives": fns}

    squawk_rules = Counter(f["rule"] for fs in theirs.values() for f in fs)
    result: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "squawk_version": version,
        "launchready_version": _our_version(),
        "corpus": {
            "files": len(keys),
            "cases": len(cases),
            "unsafe": sum(lab["unsafe"] for lab in labels.values()),
            "by_framework": dict(Counter(lab["framework"] for lab in labels.values())),
        },
        "method": "per-file binary: flagged = at least one warning/error finding; "
        "squawk reads no Python migrations; one run of each tool per case directory",
        "squawk_style_rules": sorted(SQUAWK_STYLE_RULES),
        "scores": scores,
        "by_framework": by_framework,
        "per_hazard_launchready": per_hazard(labels, ours),
        "launchready_errors": errors("launchready", preds["launchready"], ours),
        "squawk_errors": errors("squawk", preds["squawk"], theirs),
        "squawk_rules_reported": dict(squawk_rules.most_common()),
        "corpus_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "unlabeled_findings": unknown,
        "speed": speed_result,
        "findings": {"launchready": ours, "squawk": theirs},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")

    rows = [(name, tool, scores[tool][name]) for name in subsets for tool in preds]
    print(f"## Migration linting, {len(keys)} files in {len(cases)} cases ({args.out.name})\n")
    print(table(rows))
    print("\n**Per hazard, launchready** (files where the matching rule reported)\n")
    print("| hazard | found / expected |\n|---|---:|")
    for hazard, c in result["per_hazard_launchready"].items():
        print(f"| {hazard} | {c['found']} / {c['expected']} |")
    errs = result["launchready_errors"]
    print(f"\nlaunchready false positives ({len(errs['false_positives'])}):")
    for e in errs["false_positives"]:
        print(f"- {e['file']}: {', '.join(e['reported'])} (labeled safe: {e['why_safe']})")
    print(f"\nlaunchready false negatives ({len(errs['false_negatives'])}):")
    for e in errs["false_negatives"]:
        print(f"- {e['file']}: {', '.join(e['hazards'])} ({e['why']})")
    if speed_result:
        s = speed_result
        print(
            f"\n**{s['files']:,} SQL files ({s['bytes'] / 1e6:.2f} MB), "
            f"median of {args.runs} runs**\n"
        )
        print("| tool | median s | min–max s | peak RSS MB | findings |\n|---|---:|---:|---:|---:|")
        for tool in ("launchready", "squawk"):
            t = s[tool]
            print(
                f"| {tool} | {t['median_s']:.2f} | {t['min_s']:.2f}–{t['max_s']:.2f} | "
                f"{t['peak_rss_mb']:.0f} | {t['findings']:,} |"
            )
    if unknown:
        print(f"\nwarning: findings on files without a label: {unknown}")
    return 0


def _our_version() -> str:
    sys.path.insert(0, str(ROOT))
    from launchready_ci import __version__

    return __version__


if __name__ == "__main__":
    raise SystemExit(main())
