#!/usr/bin/env python3
"""Line-level accuracy of secret scanners on Samsung's CredData (a built ``data/`` tree).

    python benchmarks/secrets_creddata.py CREDDATA [--tools ours,credsweeper,...]
        [--launchready .venv/bin/launchready] [--peers DIR] [--work DIR] [--reuse]
        [--out benchmarks/results/secrets_creddata.json]

``CREDDATA`` is a CredData checkout whose ``data/`` was built by its ``download_data.py``
(the files, paths and obfuscation it makes) and whose ``meta/`` holds the labels of exactly
the repositories that were built. Nothing of it is in this project: anyone who has the
material can rerun this.

Scoring reproduces CredData's benchmark (``benchmark/scanner/scanner.py``) at line level:
a label is a ``meta`` row keyed by (file, LineStart, LineEnd); ``GroundTruth`` ``T`` is a
positive, ``F`` and ``X`` are negatives. A key with any ``T`` row is one positive line;
a reported line is matched to every key whose line range covers it. A reported line that
no key covers is *not in the markup*: CredData's benchmark prints it as "NOT FOUND" and
counts it apart (``lost_cnt``), in neither precision nor recall; so does this script
(``unlabelled``). Precision = TP / (TP + FP) over labelled reported keys, recall = TP /
positive keys. Per category: the ``Category`` of the key's rows (split on ``:``).

Scanners (each run with the data directory's parent as the working directory, on ``data``):

- ``ours``: ``launchready secrets scan --root data --json FILE --fail-on never -q``;
  findings at warning or above (``ours``) and every finding, notices included (``ours-all``);
- ``credsweeper``: ``credsweeper --path data --save-json FILE`` (its default ML threshold);
  it is trained on CredData and its output seeded the labels: the ceiling, not a peer;
- ``betterleaks``: ``betterleaks dir data -o FILE`` (every confidence; ``betterleaks-med``
  is confidence medium and high);
- ``kingfisher``: ``kingfisher scan data --no-validate --git-history none --format json``;
- ``detect-secrets``: ``detect-secrets scan --all-files data``.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import run_timed

TOOLS = ("ours", "credsweeper", "betterleaks", "kingfisher", "detect-secrets")
TIMEOUT = 3 * 3600

WORK_DIR = Path(".")
Line = tuple[str, int]  # ("data/<repo>/<scope>/<id>.<ext>", 1-based line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("creddata", type=Path)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--launchready", default=shutil.which("launchready") or "launchready")
    ap.add_argument("--peers", type=Path, help="bin/ directory holding the peer tools")
    ap.add_argument("--work", type=Path, help="where raw outputs go (default CREDDATA/.bench)")
    ap.add_argument("--reuse", action="store_true", help="score existing raw outputs")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--show", default="", help="print misses/false positives of these tools")
    ap.add_argument(
        "--exclude",
        default="",
        help="comma-separated categories: labels only of these are left out (UUID: ids, "
        "not credentials, to most users), a second view beside CredData's own",
    )
    args = ap.parse_args(argv)

    root = args.creddata.resolve()
    if not (root / "data").is_dir() or not (root / "meta").is_dir():
        print(f"error: {root} has no data/ and meta/ (build data/ first)", file=sys.stderr)
        return 2
    work = (args.work or root / ".bench").resolve()
    work.mkdir(parents=True, exist_ok=True)
    global WORK_DIR
    WORK_DIR = work
    labels = load_labels(root / "meta")
    if args.exclude:
        dropped = set(args.exclude.split(","))
        labels = {k: v for k, v in labels.items() if not categories(v) <= dropped}
    index = line_index(labels)
    results: dict[str, Any] = {}
    tools = [t for t in args.tools.split(",") if t]
    for tool in tools:
        runner = RUNNERS[tool]
        raw = work / f"{tool}.out"
        seconds = None
        if not (args.reuse and raw.exists()):
            seconds = runner.run(root, raw, args)
        for name, reported in runner.parse(raw).items():
            scored = score(labels, index, reported)
            scored["seconds"] = seconds
            scored["version"] = runner.version(args)
            results[name] = scored
            if name in args.show.split(","):
                show(root, labels, index, reported, name)
    table(results)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "creddata": str(root),
        "labels": summary(labels),
        "excluded_categories": args.exclude,
        "tools": results,
    }
    out = args.out or work / "secrets_creddata.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwritten {out}")
    return 0


# --- labels and scoring ------------------------------------------------------------------


Key = tuple[str, int, int]


def load_labels(meta: Path) -> dict[Key, list[dict[str, str]]]:
    labels: dict[Key, list[dict[str, str]]] = collections.defaultdict(list)
    for path in sorted(meta.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = (row["FilePath"], int(row["LineStart"]), int(row["LineEnd"]))
                labels[key].append(row)
    return dict(labels)


def line_index(labels: dict[Key, list[dict[str, str]]]) -> dict[Line, list[Key]]:
    index: dict[Line, list[Key]] = collections.defaultdict(list)
    for key in labels:
        path, start, end = key
        for n in range(start, end + 1):
            index[(path, n)].append(key)
    return dict(index)


def positive(rows: list[dict[str, str]]) -> bool:
    return any(r["GroundTruth"] == "T" for r in rows)


def categories(rows: list[dict[str, str]]) -> set[str]:
    pos = positive(rows)
    out: set[str] = set()
    for r in rows:
        if not pos or r["GroundTruth"] == "T":
            out.update(r["Category"].split(":"))
    return out


def summary(labels: dict[Key, list[dict[str, str]]]) -> dict[str, Any]:
    repos = {k[0].split("/")[1] for k in labels}
    return {
        "repositories": len(repos),
        "rows": sum(len(v) for v in labels.values()),
        "positive_lines": sum(positive(v) for v in labels.values()),
        "negative_lines": sum(not positive(v) for v in labels.values()),
    }


def score(
    labels: dict[Key, list[dict[str, str]]], index: dict[Line, list[Key]], reported: set[Line]
) -> dict[str, Any]:
    hit: set[Key] = set()
    unlabelled = 0
    for line in reported:
        keys = index.get(line)
        if not keys:
            unlabelled += 1
        else:
            hit.update(keys)
    tp = sum(1 for k in hit if positive(labels[k]))
    fp = len(hit) - tp
    total = sum(1 for rows in labels.values() if positive(rows))
    per: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # positives, tp, fp
    for key, rows in labels.items():
        pos = positive(rows)
        for cat in categories(rows):
            if pos:
                per[cat][0] += 1
                per[cat][1] += key in hit
            elif key in hit:
                per[cat][2] += 1
    return {
        **prf(tp, fp, total),
        "reported_lines": len(reported),
        "unlabelled": unlabelled,
        "categories": {c: {"positives": p, **prf(t, f, p)} for c, (p, t, f) in sorted(per.items())},
    }


def prf(tp: int, fp: int, total: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / total if total else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": total - tp,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
    }


def table(results: dict[str, Any]) -> None:
    print(f"\n{'tool':18} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6} {'unlab':>6}")
    for name, r in results.items():
        print(
            f"{name:18} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['tp']:6} "
            f"{r['fp']:6} {r['fn']:6} {r['unlabelled']:6}"
        )
    cats = sorted(
        {c for r in results.values() for c, v in r["categories"].items() if v["positives"] >= 20}
    )
    print("\nrecall (and false positives) by category, categories with >= 20 positive lines")
    print(f"{'category':26} {'pos':>5} " + " ".join(f"{n[:14]:>14}" for n in results))
    for c in cats:
        pos = next(
            r["categories"][c]["positives"] for r in results.values() if c in r["categories"]
        )
        cells = []
        for r in results.values():
            v = r["categories"].get(c)
            cells.append(f"{v['recall']:.2f} ({v['fp']:>4})" if v else "-")
        print(f"{c[:26]:26} {pos:5} " + " ".join(f"{x:>14}" for x in cells))


def show(root: Path, labels: Any, index: Any, reported: set[Line], name: str) -> None:
    hit = {k for line in reported for k in index.get(line, ())}
    out = WORK_DIR / f"{name}.misses.txt"
    with out.open("w") as f:
        for key, rows in sorted(labels.items()):
            pos = positive(rows)
            if pos and key not in hit:
                tag = "FN"
            elif not pos and key in hit:
                tag = "FP"
            else:
                continue
            text = read_line(root / key[0], key[1])
            cats = ":".join(sorted(categories(rows)))
            f.write(f"{tag} {key[0]}:{key[1]} [{cats}] {text[:300]}\n")
    print(f"misses and false positives of {name}: {out}")


def read_line(path: Path, n: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines_ = lines.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines_[n - 1] if 0 < n <= len(lines_) else ""


# --- scanners ----------------------------------------------------------------------------


def _norm(path: str) -> str:
    path = path.replace("\\", "/")
    i = path.find("data/")
    return path[i:] if i >= 0 else path


def _timed(cmd: list[str], cwd: Path, stdout: Path | None = None) -> float:
    print("$", " ".join(cmd), flush=True)
    with open(stdout or os.devnull, "wb") as out:
        sample = run_timed(cmd, timeout=TIMEOUT, cwd=cwd, stdout=out)
    return round(sample.seconds, 1)


def _bin(args: argparse.Namespace, name: str) -> str:
    if args.peers and (args.peers / name).exists():
        return str(args.peers / name)
    return shutil.which(name) or name


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "?"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[-1] if text else "?"


class Ours:
    @staticmethod
    def run(root: Path, raw: Path, args: argparse.Namespace) -> float:
        return _timed(
            [
                args.launchready,
                "secrets",
                "scan",
                "--root",
                "data",
                "--json",
                str(raw),
                "--fail-on",
                "never",
                "-q",
                "--no-summary",
                "--no-annotations",
            ],
            root,
        )

    @staticmethod
    def parse(raw: Path) -> dict[str, set[Line]]:
        data = json.loads(raw.read_text())
        warn: set[Line] = set()
        every: set[Line] = set()
        for f in data["findings"]:
            if f["check_id"] != "secrets":
                continue
            loc = f["location"]
            line = ("data/" + loc["path"], int(loc["start_line"] or 1))
            every.add(line)
            if f["severity"] in ("error", "warning"):
                warn.add(line)
        return {"ours": warn, "ours-all": every}

    @staticmethod
    def version(args: argparse.Namespace) -> str:
        return _version([args.launchready, "--version"])


class CredSweeper:
    @staticmethod
    def run(root: Path, raw: Path, args: argparse.Namespace) -> float:
        return _timed([_bin(args, "credsweeper"), "--path", "data", "--save-json", str(raw)], root)

    @staticmethod
    def parse(raw: Path) -> dict[str, set[Line]]:
        out: set[Line] = set()
        for cand in json.loads(raw.read_text()):
            for ld in cand["line_data_list"]:
                out.add((_norm(ld["path"]), int(ld["line_num"])))
        return {"credsweeper": out}

    @staticmethod
    def version(args: argparse.Namespace) -> str:
        return _version([_bin(args, "credsweeper"), "--version"])


class Betterleaks:
    @staticmethod
    def run(root: Path, raw: Path, args: argparse.Namespace) -> float:
        tmp = raw.with_suffix(".json")
        t = _timed(
            [
                _bin(args, "betterleaks"),
                "fs",
                "data",
                "-o",
                str(tmp),
                "--no-banner",
                "--exit-code",
                "0",
            ],
            root,
        )
        tmp.replace(raw)
        return t

    @staticmethod
    def parse(raw: Path) -> dict[str, set[Line]]:
        every: set[Line] = set()
        med: set[Line] = set()
        data = json.loads(raw.read_text())
        for f in data.get("findings") or []:
            loc = f["location"]
            line = (_norm(loc["path"]), int(loc["start_line"]))
            every.add(line)
            if f.get("confidence") in ("medium", "high"):
                med.add(line)
        return {"betterleaks": every, "betterleaks-med": med}

    @staticmethod
    def version(args: argparse.Namespace) -> str:
        return _version([_bin(args, "betterleaks"), "version"])


class Kingfisher:
    @staticmethod
    def run(root: Path, raw: Path, args: argparse.Namespace) -> float:
        return _timed(
            [
                _bin(args, "kingfisher"),
                "scan",
                "data",
                "--no-validate",
                "--git-history",
                "none",
                "--format",
                "json",
                "-o",
                str(raw),
                "--no-update-check",
            ],
            root,
        )

    @staticmethod
    def parse(raw: Path) -> dict[str, set[Line]]:
        out: set[Line] = set()
        for f in json.loads(raw.read_text()).get("findings") or []:
            fi = f["finding"]
            out.add((_norm(fi["path"]), int(fi["line"])))
        return {"kingfisher": out}

    @staticmethod
    def version(args: argparse.Namespace) -> str:
        return _version([_bin(args, "kingfisher"), "--version"])


class DetectSecrets:
    @staticmethod
    def run(root: Path, raw: Path, args: argparse.Namespace) -> float:
        return _timed([_bin(args, "detect-secrets"), "scan", "--all-files", "data"], root, raw)

    @staticmethod
    def parse(raw: Path) -> dict[str, set[Line]]:
        out: set[Line] = set()
        for path, found in json.loads(raw.read_text())["results"].items():
            for s in found:
                out.add((_norm(path), int(s["line_number"])))
        return {"detect-secrets": out}

    @staticmethod
    def version(args: argparse.Namespace) -> str:
        return _version([_bin(args, "detect-secrets"), "--version"])


RUNNERS: dict[str, Any] = {
    "ours": Ours,
    "credsweeper": CredSweeper,
    "betterleaks": Betterleaks,
    "kingfisher": Kingfisher,
    "detect-secrets": DetectSecrets,
}

if __name__ == "__main__":
    sys.exit(main())
