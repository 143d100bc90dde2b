#!/usr/bin/env python3
"""Speed of ``launchready secrets scan`` against stock detect-secrets on a large real tree.

The input is a fixed-version source distribution from PyPI (Django 5.1.4, sha256 pinned
below: 6,809 files, 44.4 MB), unpacked into ``benchmarks/.work/secrets-speed/``
and committed to a fresh git repository (our scanner reads git's file list and skips
ignored files). In the same run, on the same tree, it measures:

- ``launchready secrets scan --root TREE`` (reports to files, ``--fail-on never -q``) and
  stock ``detect-secrets scan --all-files`` run in the tree (also ``detect-secrets scan``
  in git-tracked mode once, the same file list as ours): wall seconds, MB/s over the bytes
  each tool actually scans, peak RSS (largest process, ``/usr/bin/time``'s ``%M``, and the
  sum over the process tree, sampled from ``/proc``), findings, and the speed ratio;
- ``launchready --version`` alone (start-up), and ``launchready secrets scan --pr`` on a
  branch that adds 1,000 lines over 20 files (two planted fake secrets of random
  characters) and on an empty commit, so the diff's own cost can be separated;
- how selective the engine's prefilter is (candidate lines / all lines, and which of its
  alternatives let the lines through, with each alternative's own regex time);
- with ``--profile``: one single-process in-process scan, timed, then under cProfile, with
  the top functions by cumulative and by own time printed to stdout (not to the JSON).

    .venv/bin/python benchmarks/secrets_speed.py                 # --runs 3
    .venv/bin/python benchmarks/secrets_speed.py --runs 3 --profile
    .venv/bin/python benchmarks/secrets_speed.py --runs 1 --no-detect-secrets --profile

Needs the project's venv (detect-secrets, and the engine for the in-process parts), git,
and PyPI on first use (``pip download``; the sdist is kept in the .work dir and checked
against its sha256). Every child has a timeout, so the script always ends. Writes
``benchmarks/results/secrets_speed.json``.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import cProfile
import datetime as dt
import hashlib
import importlib
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
DEFAULT_OUT = HERE / "results" / "secrets_speed.json"
WORK = HERE / ".work" / "secrets-speed"
BUILD_VERSION = 2  # bump when the tree or the PR branch is built differently

#: The input: a fixed release's sdist, as PyPI serves it.
SDIST = {
    "name": "Django",
    "version": "5.1.4",
    "file": "Django-5.1.4.tar.gz",
    "sha256": "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a",
}
PR_FILES = 20
PR_LINES = 1000
PR_BRANCH = "pr-1000-lines"
EMPTY_BRANCH = "pr-empty"
BASE_BRANCH = "main"
TARGET_PR_S = 1.0  # the issue: a 1,000-line PR diff in under a second after start-up
TARGET_RATIO = 20.0  # the lead's goal: 20x faster than detect-secrets
A62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2024-12-04T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-12-04T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}

# --------------------------------------------------------------------------- the input


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist(work: Path, timeout: float) -> Path:
    """The pinned sdist, downloaded with pip once and checked against its sha256."""
    dest = work / "download"
    path = dest / SDIST["file"]
    if not path.exists():
        dest.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--no-binary", ":all:", f"{SDIST['name']}=={SDIST['version']}", "-d", str(dest),
            ],
            check=True,
            timeout=timeout,
        )  # fmt: skip
    actual = sha256_of(path)
    if actual != SDIST["sha256"]:
        sys.exit(f"secrets_speed.py: {path} has sha256 {actual}, expected {SDIST['sha256']}")
    return path


def git(root: Path, *args: str, timeout: float = 600) -> str:
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", "-C", str(root), *args],
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return proc.stdout


def build_tree(work: Path, sdist: Path) -> Path:
    """Unpack the sdist, commit it, add the PR branches; reuse a tree built the same way."""
    tree = work / f"{SDIST['name'].lower()}-{SDIST['version']}"
    stamp = {"sha256": SDIST["sha256"], "build": BUILD_VERSION, "pr_lines": PR_LINES}
    # Beside the tree, not in its .git/: detect-secrets --all-files reads .git/ too.
    manifest = work / f"{tree.name}.manifest.json"
    if manifest.exists():
        try:
            same = json.loads(manifest.read_text()) == stamp
        except ValueError:
            same = False
        if same and not git(tree, "status", "--porcelain").strip():
            return tree
    if tree.exists():
        shutil.rmtree(tree)
    tmp = work / "unpack"
    if tmp.exists():
        shutil.rmtree(tmp)
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp, filter="data")  # no owner bits: git would call a root-owned tree unsafe
    (top,) = list(tmp.iterdir())
    top.rename(tree)
    tmp.rmdir()
    git(tree, "init", "-q", "-b", BASE_BRANCH)
    git(tree, "config", "gc.auto", "0")  # no background gc during the timed runs
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", f"{SDIST['name']} {SDIST['version']} sdist")
    make_pr_branch(tree)
    git(tree, "checkout", "-q", BASE_BRANCH)
    git(tree, "gc", "-q")  # one pack instead of thousands of loose objects under .git/
    manifest.write_text(json.dumps(stamp) + "\n")
    return tree


def _source_lines(tree: Path, rng: random.Random) -> list[str]:
    """Real code lines to fill the PR with: lines of Django's own modules."""
    modules = sorted(p for p in (tree / "django").rglob("*.py") if p.stat().st_size > 4000)
    lines: list[str] = []
    for path in rng.sample(modules, 60):
        lines.extend(ln for ln in path.read_text().splitlines() if ln.strip())
    return lines


def make_pr_branch(tree: Path) -> None:
    """A branch whose one commit adds PR_LINES lines over PR_FILES files (15 new, 5 edited),
    with two planted fake secrets of random characters; and an empty-commit branch."""
    rng = random.Random(1)
    pool = _source_lines(tree, rng)
    per_file = PR_LINES // PR_FILES
    git(tree, "checkout", "-q", "-b", PR_BRANCH)
    existing = sorted(
        p for p in (tree / "django" / "utils").glob("*.py") if p.name != "__init__.py"
    )[:5]
    planted = [
        'STRIPE_SECRET_KEY = "sk_live_' + "".join(rng.choice(A62) for _ in range(32)) + '"',
        "aws_access_key_id = AKIA" + "".join(rng.choice(A62[:36]) for _ in range(16)),
    ]
    for i in range(PR_FILES):
        start = rng.randrange(0, len(pool) - per_file)
        body = pool[start : start + per_file]
        if i in (3, 11):  # one secret each in two of the new files
            body[per_file // 2] = planted[0 if i == 3 else 1]
        if i < PR_FILES - len(existing):
            path = tree / "django" / "contrib" / "billing" / f"module_{i:02d}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(body) + "\n")
        else:
            path = existing[i - (PR_FILES - len(existing))]
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("\n".join(body) + "\n")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", f"Add {PR_LINES} lines over {PR_FILES} files")
    git(tree, "checkout", "-q", BASE_BRANCH)
    git(tree, "checkout", "-q", "-b", EMPTY_BRANCH)
    git(tree, "commit", "-q", "--allow-empty", "-m", "Empty")


# ---------------------------------------------------------------- what each tool scans


def inventory(tree: Path) -> dict[str, Any]:
    """Files and bytes each tool reads as text, mirroring each tool's own rules."""
    from detect_secrets.filters.heuristic import is_lock_file, is_non_text_file, is_swagger_file

    from launchready_ci.checks.files import iter_files
    from launchready_ci.checks.secrets.check import _SNIFF, MAX_BYTES

    tracked = [p for p in git(tree, "ls-files", "-z").split("\0") if p]
    walked = []
    for dirpath, _dirs, files in os.walk(tree):
        for name in files:
            walked.append(os.path.relpath(os.path.join(dirpath, name), tree))

    def ds_side(rels: list[str]) -> dict[str, Any]:
        scanned = skipped_name = skipped_decode = size = 0
        for rel in rels:
            path = tree / rel
            if not path.is_file() or is_lock_file(rel) or is_non_text_file(rel):
                skipped_name += 1
                continue
            if is_swagger_file(rel):
                skipped_name += 1
                continue
            data = path.read_bytes()
            try:
                data.decode("utf-8")  # detect-secrets opens in text mode, drops what fails
            except UnicodeDecodeError:
                skipped_decode += 1
                continue
            scanned += 1
            size += len(data)
        return {
            "listed": len(rels),
            "scanned_files": scanned,
            "scanned_bytes": size,
            "skipped_by_name (lockfiles, non-text extensions, swagger)": skipped_name,
            "skipped_not_utf8": skipped_decode,
        }

    ours_rels = list(iter_files(tree))
    o_scanned = o_name = o_other = o_size = 0
    for rel in ours_rels:
        path = tree / rel
        if is_lock_file(rel) or is_non_text_file(rel) or is_swagger_file(rel):
            o_name += 1
            continue
        data = path.read_bytes()
        if len(data) > MAX_BYTES or b"\0" in data[:_SNIFF]:
            o_other += 1
            continue
        o_scanned += 1
        o_size += len(data)
    tree_bytes = sum((tree / r).stat().st_size for r in tracked)
    return {
        "tracked_files": len(tracked),
        "tracked_bytes": tree_bytes,
        "launchready": {
            "listed": len(ours_rels),
            "scanned_files": o_scanned,
            "scanned_bytes": o_size,
            "skipped_by_name (lockfiles, non-text extensions, swagger)": o_name,
            "skipped_binary_or_over_2MiB": o_other,
            "note": "git ls-files (tracked + untracked, not ignored) minus DEFAULT_EXCLUDES",
        },
        "detect-secrets --all-files": {
            **ds_side(walked),
            "note": "os.walk of the directory, .git/ included",
        },
        "detect-secrets (git-tracked)": {**ds_side(tracked), "note": "git ls-files"},
    }


# ------------------------------------------------------------------------------ timing


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a runner: .pyc files get used
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "GITHUB_EVENT_PATH"):
        env.pop(name, None)
    return env


def _tree_rss_kb(root_pid: int) -> int:
    """Sum of the resident set sizes of ``root_pid`` and all its descendants, in KiB."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        children[int(fields[1])].append(int(entry.name))
    total, todo = 0, [root_pid]
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_once(
    argv: list[str], *, cwd: Path, stdout: Path | None, timeout: float, sample_s: float
) -> dict[str, Any]:
    """Wall time (perf_counter around ``wait()``), exit code, peak RSS of the largest process
    (``/usr/bin/time``'s %M, the max over the process and its children) and the sampled peak
    of the sum over the process tree."""
    time_bin = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = tf.name
    full = [time_bin, "-f", "%M", "-o", time_file, *argv] if time_bin else argv
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            full, cwd=cwd, env=clean_env(), stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(sample_s):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            stderr = proc.communicate()[1]
        finally:
            elapsed = time.perf_counter() - start
            done.set()
            timer.cancel()
        sampler.join()
    finally:
        if not isinstance(out, int):
            out.close()
    largest_kb = None
    if time_bin:
        try:
            largest_kb = int(Path(time_file).read_text().strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            pass
    os.unlink(time_file)
    return {
        "seconds": elapsed,
        "loadavg_1_after": os.getloadavg()[0],
        "exit_code": proc.returncode,
        "peak_rss_largest_process_mb": None if largest_kb is None else largest_kb / 1024,
        "peak_rss_tree_sampled_mb": peak[0] / 1024,
        "stderr_tail": stderr.decode("utf-8", "replace")[-400:] if proc.returncode else "",
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    secs = [float(r["seconds"]) for r in runs]
    largest = [r["peak_rss_largest_process_mb"] for r in runs]
    tree = [float(r["peak_rss_tree_sampled_mb"]) for r in runs]
    return {
        "median_s": statistics.median(secs),
        "min_s": min(secs),
        "max_s": max(secs),
        "samples_s": secs,
        "peak_rss_largest_process_mb": max((x for x in largest if x is not None), default=None),
        "peak_rss_tree_sampled_mb": max(tree),
        "exit_codes": sorted({r["exit_code"] for r in runs}),
        "loadavg_1_after_each": [r["loadavg_1_after"] for r in runs],
    }


def ours_findings(report: Path) -> dict[str, Any]:
    data = json.loads(report.read_text())
    by_rule = collections.Counter(f["rule_id"] for f in data["findings"])
    check: dict[str, Any] = next(
        (c for c in data.get("checks", []) if c.get("duration_s") is not None), {}
    )
    return {
        "findings": len(data["findings"]),
        "files": len({f["location"]["path"] for f in data["findings"]}),
        "by_rule": dict(sorted(by_rule.items())),
        "check_duration_s": check.get("duration_s"),
        "scope": check.get("scope"),
    }


def ds_findings(report: Path) -> dict[str, Any]:
    results = json.loads(report.read_text())["results"]
    by_type = collections.Counter(s["type"] for items in results.values() for s in items)
    return {
        "findings": sum(by_type.values()),
        "files": len(results),
        "by_type": dict(sorted(by_type.items())),
    }


def warm_page_cache(tree: Path) -> None:
    """Read every file once, so that no tool pays for a cold cache the others do not."""
    for dirpath, _dirs, files in os.walk(tree):
        for name in files:
            try:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                pass


# ------------------------------------------------------------------ prefilter analysis


def _prefilter_parts() -> list[tuple[str, str]]:
    """(label, pattern) of each alternative of ``engine._prefilter()``, built the same way."""
    from detect_secrets.plugins.base import RegexBasedDetector

    from launchready_ci.checks.secrets import engine
    from launchready_ci.checks.secrets.plugins import PLUGINS

    parts = [("keywords " + engine._KEYWORDS, engine._KEYWORDS)]
    for cls in engine._their_plugin_classes():
        if issubclass(cls, RegexBasedDetector):
            for i, rx in enumerate(getattr(cls, "denylist", ())):
                flags = "i" if rx.flags & re.IGNORECASE else ""
                pattern = f"(?{flags}:{rx.pattern})" if flags else f"(?:{rx.pattern})"
                parts.append((f"{cls.__name__}[{i}]", pattern))
    for plugin in PLUGINS:
        for k in plugin.keywords:
            parts.append((f"{plugin.__name__} {k!r}", re.escape(k)))
    return parts


def prefilter_selectivity(tree: Path) -> dict[str, Any]:
    """How many lines reach the plugins, over the files our scan reads, and what each
    prefilter stage costs in-process (single core):

    - the combined regex of every detector (``engine._prefilter()``) on every line, with
      the whole-text test before it: the engine's only prefilter until the anchor pass,
      and still its second stage;
    - the anchor pass (``prefilter.candidate_lines``, Aho-Corasick over the lowercased
      text), when the engine has one, then the combined regex on the lines it found;
    - per anchor and per regex alternative: lines matched, lines only it matched (what
      tightening it would drop) and, for the alternatives, their own ``finditer`` time.
    """
    from launchready_ci.checks.files import iter_files
    from launchready_ci.checks.secrets import engine
    from launchready_ci.fileio import read_limited

    prefilter = engine._prefilter()
    skipped = getattr(engine, "skipped_name", None) or getattr(engine, "_skipped_name")  # noqa: B009
    combined_ok = prefilter.pattern == "|".join(p for _label, p in _prefilter_parts())
    texts: list[tuple[str, str]] = []
    for rel in iter_files(tree):
        if skipped(rel):
            continue
        text = read_limited(tree / rel).text
        if text is not None:
            texts.append((rel, text))
    split = [text.split("\n") for _rel, text in texts]
    total_lines = sum(len(lines) for lines in split)

    # The combined regex alone: the whole-text test, then every line of the files it passes.
    regex_lines = gated_files = 0
    gate_s = lines_s = 0.0
    for (_rel, text), lines in zip(texts, split, strict=True):
        t0 = time.perf_counter()
        gated = prefilter.search(text) is not None
        t1 = time.perf_counter()
        gate_s += t1 - t0
        if gated:
            gated_files += 1
            regex_lines += sum(1 for line in lines if prefilter.search(line))
            lines_s += time.perf_counter() - t1
    out: dict[str, Any] = {
        "files_read": len(texts),
        "total_lines": total_lines,
        "combined_regex_alone": {
            "alternatives": len(_prefilter_parts()),
            "compiled_as_one": combined_ok,
            "files_passing_whole_text_test": gated_files,
            "lines": regex_lines,
            "whole_text_search_s": round(gate_s, 3),
            "per_line_search_s": round(lines_s, 3),
        },
    }
    final: set[tuple[int, int]] | None = None

    # The anchor pass, if this engine has one.
    anchors_fn = getattr(engine, "_anchors", None)
    pf: Any = None
    if anchors_fn is not None:
        pf = importlib.import_module("launchready_ci.checks.secrets.prefilter")
    if anchors_fn is not None and pf is not None:
        anchors = tuple(sorted(set(anchors_fn())))
        pf.candidate_lines("warm\nup", anchors)  # builds the automaton
        anchor_s = regex_s = 0.0
        anchor_lines = 0
        final = set()
        for fi, ((_rel, text), lines) in enumerate(zip(texts, split, strict=True)):
            t0 = time.perf_counter()
            found = pf.candidate_lines(text, anchors)
            t1 = time.perf_counter()
            chosen = [i for i in found if prefilter.search(lines[i])]
            regex_s += time.perf_counter() - t1
            anchor_s += t1 - t0
            anchor_lines += len(found)
            final.update((fi, i) for i in chosen)
        # Which anchors let lines through (on the lowercased text, as the engine does).
        automaton = pf._automaton(anchors)
        per_anchor: dict[str, set[tuple[int, int]]] = collections.defaultdict(set)
        for fi, (_rel, text) in enumerate(texts):
            low = text.lower()
            offs = _line_starts(low)
            for end, length in automaton.iter(low):
                line = bisect.bisect_right(offs, end) - 1
                per_anchor[low[end - length + 1 : end + 1]].add((fi, line))
        unanchored: set[tuple[int, int]] = set()
        t0 = time.perf_counter()
        for fi, (_rel, text) in enumerate(texts):
            for m in pf.UNANCHORED.finditer(text):
                unanchored.add((fi, text.count("\n", 0, m.start())))
        unanchored_s = time.perf_counter() - t0
        count = collections.Counter(k for lines_set in per_anchor.values() for k in lines_set)
        rows: list[dict[str, Any]] = [
            {
                "anchor": a,
                "lines": len(ls),
                "only_this_anchor": sum(1 for k in ls if count[k] == 1),
                "reaching_plugins": len(ls & final),
            }
            for a, ls in per_anchor.items()
        ]
        rows.sort(key=lambda r: r["lines"], reverse=True)
        out["anchor_pass"] = {
            "anchors": len(anchors),
            "lines": anchor_lines,
            "seconds": round(anchor_s, 3),
            "unanchored_regex_lines": len(unanchored),
            "unanchored_regex_s": round(unanchored_s, 3),
            "then_combined_regex_lines": len(final),
            "then_combined_regex_s": round(regex_s, 3),
            "by_anchor": rows[:40],
        }

    # Each alternative of the combined regex on its own (matches mapped back to lines).
    starts = [_line_starts(text) for _rel, text in texts]
    per_part: list[dict[str, Any]] = []
    hits_per_line: collections.Counter[tuple[int, int]] = collections.Counter()
    part_lines: list[set[tuple[int, int]]] = []
    keyword_words: collections.Counter[str] = collections.Counter()
    for label, pattern in _prefilter_parts():
        rx = re.compile(pattern)
        matched: set[tuple[int, int]] = set()
        t0 = time.perf_counter()
        for fi, (_rel, text) in enumerate(texts):
            offs = starts[fi]
            for m in rx.finditer(text):
                matched.add((fi, bisect.bisect_right(offs, m.start()) - 1))
                if label.startswith("keywords "):
                    keyword_words[m.group().lower()] += 1
        elapsed = time.perf_counter() - t0
        part_lines.append(matched)
        hits_per_line.update(matched)
        per_part.append({"part": label, "lines": len(matched), "regex_s": round(elapsed, 3)})
    for row, matched in zip(per_part, part_lines, strict=True):
        row["only_this_part"] = sum(1 for key in matched if hits_per_line[key] == 1)
        if final is not None:
            row["reaching_plugins"] = len(matched & final)
    per_part.sort(key=lambda r: r["lines"], reverse=True)
    candidates = len(final) if final is not None else regex_lines
    out.update(
        {
            "candidate_lines": candidates,  # the lines the plugins run on
            "selectivity": candidates / total_lines if total_lines else 0.0,
            "union_of_parts_lines": len(hits_per_line),  # = combined_regex_alone.lines
            "keyword_alternative_words": dict(keyword_words.most_common(20)),
            "by_part": per_part,
        }
    )
    return out


def _line_starts(text: str) -> list[int]:
    offs = [0]
    pos = text.find("\n")
    while pos != -1:
        offs.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return offs


def profile_scan(tree: Path, top: int) -> dict[str, Any]:
    """One single-process in-process scan timed, then the same under cProfile (to stdout)."""
    from launchready_ci.checks.files import iter_files
    from launchready_ci.checks.secrets import check

    rels = list(iter_files(tree))
    check._scan_chunk(tree, rels[:50])  # imports and caches, as in a worker
    t0 = time.perf_counter()
    plain: Any = check._scan_chunk(tree, rels)
    if isinstance(plain, tuple):  # newer engines return (found, stats)
        plain = plain[0]
    plain_s = time.perf_counter() - t0
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    check._scan_chunk(tree, rels)
    prof.disable()
    profiled_s = time.perf_counter() - t0
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key)
        stats.print_stats(top)
        text = buf.getvalue()
        print(f"\n=== cProfile, single process, top {top} by {key} ===")
        print(text[text.find("   ncalls") :].rstrip())
    return {
        "single_process_in_process_s": round(plain_s, 3),
        "profiled_s": round(profiled_s, 3),
        "files_with_detections": len(plain),
    }


# ------------------------------------------------------------------------------- main


def find_exe(name: str) -> str:
    for candidate in (Path(sys.executable).parent / name, REPO / ".venv" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"secrets_speed.py: no `{name}` found")
    return found


def tool_version(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else ""


def machine() -> dict[str, Any]:
    def here(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(REPO), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": os.getloadavg(),
        "git": {"commit": here("rev-parse", "HEAD"), "dirty": bool(here("status", "--porcelain"))},
    }


def engine_hash() -> str:
    """Hash of the secrets engine's sources, to tell whether they changed mid-run."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "launchready_ci" / "checks" / "secrets").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (3)")
    parser.add_argument("--pr-runs", type=int, default=10, help="timed runs of each --pr (10)")
    parser.add_argument("--startup-runs", type=int, default=10, help="runs of --version (10)")
    parser.add_argument(
        "--tracked-runs", type=int, default=1, help="runs of detect-secrets, git-tracked mode (1)"
    )
    parser.add_argument("--no-detect-secrets", action="store_true", help="time ours only")
    parser.add_argument("--profile", action="store_true", help="cProfile one scan (stdout)")
    parser.add_argument("--top", type=int, default=25, help="profile rows to print (25)")
    parser.add_argument("--work", type=Path, default=WORK, help="work dir (kept for reuse)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per child (1800)")
    parser.add_argument("--sample", type=float, default=0.1, help="RSS sampling interval (0.1)")
    args = parser.parse_args(argv)
    if min(args.runs, args.pr_runs, args.startup_runs) < 1:
        parser.error("run counts must be at least 1")

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    sdist = fetch_sdist(work, args.timeout)
    tree = build_tree(work, sdist)
    reports = work / "reports"  # outside the tree: detect-secrets --all-files would read them
    reports.mkdir(exist_ok=True)
    launchready = find_exe("launchready")
    detect_secrets = find_exe("detect-secrets")
    hash_before = engine_hash()
    print(f"input: {tree} ({SDIST['file']}, sha256 {SDIST['sha256'][:12]}…)", flush=True)

    files = inventory(tree)
    print(json.dumps(files, indent=2), flush=True)

    ours_argv = [
        launchready, "secrets", "scan", "--root", str(tree), "--fail-on", "never", "-q",
        "--no-summary", "--no-annotations", "--no-color",
    ]  # fmt: skip
    pr_range = f"{BASE_BRANCH}..{PR_BRANCH}"
    empty_range = f"{BASE_BRANCH}..{EMPTY_BRANCH}"

    def go(cmd: list[str], stdout: Path | None = None) -> dict[str, Any]:
        return run_once(cmd, cwd=tree, stdout=stdout, timeout=args.timeout, sample_s=args.sample)

    warm_page_cache(tree)
    go([launchready, "--version"])
    go([*ours_argv, "--json", str(reports / "warmup.json")])

    startup = []
    for _ in range(args.startup_runs):
        startup.append(go([launchready, "--version"]))
    runs: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for i in range(args.runs):  # interleaved: drift hits every tool alike
        print(f"round {i + 1}/{args.runs}", flush=True)
        rep = reports / f"ours-{i}.json"
        runs["launchready"].append(go([*ours_argv, "--json", str(rep)]))
        print(f"  launchready {runs['launchready'][-1]['seconds']:.2f} s", flush=True)
        if not args.no_detect_secrets:
            rep = reports / f"ds-all-{i}.json"
            r = go([detect_secrets, "scan", "--all-files"], rep)
            runs["detect-secrets --all-files"].append(r)
            print(f"  detect-secrets --all-files {r['seconds']:.2f} s", flush=True)
            if i < args.tracked_runs:
                rep = reports / f"ds-tracked-{i}.json"
                r = go([detect_secrets, "scan"], rep)
                runs["detect-secrets (git-tracked)"].append(r)
                print(f"  detect-secrets (git-tracked) {r['seconds']:.2f} s", flush=True)
    for i in range(args.pr_runs):
        rep = reports / f"pr-{i}.json"
        runs["pr"].append(go([*ours_argv, "--pr", pr_range, "--json", str(rep)]))
        rep = reports / f"pr-empty-{i}.json"
        runs["pr-empty"].append(go([*ours_argv, "--pr", empty_range, "--json", str(rep)]))

    startup_s = statistics.median(float(r["seconds"]) for r in startup)
    tools: dict[str, dict[str, Any]] = {}
    scanned_key = {
        "launchready": "launchready",
        "detect-secrets --all-files": "detect-secrets --all-files",
        "detect-secrets (git-tracked)": "detect-secrets (git-tracked)",
    }
    for name, key in scanned_key.items():
        if not runs.get(name):
            continue
        s = summarize(runs[name])
        scanned = files[key]
        s["scanned_bytes"] = scanned["scanned_bytes"]
        s["scanned_files"] = scanned["scanned_files"]
        s["mb_per_s"] = scanned["scanned_bytes"] / 1e6 / s["median_s"]
        if name == "launchready":
            s.update(ours_findings(reports / f"ours-{args.runs - 1}.json"))
            s["median_minus_startup_s"] = s["median_s"] - startup_s
        else:
            stem = "ds-all" if "all" in name else "ds-tracked"
            s.update(ds_findings(reports / f"{stem}-0.json"))
        tools[name] = s
    ratio = {
        other: tools[other]["median_s"] / tools["launchready"]["median_s"]
        for other in tools
        if other != "launchready"
    }
    pr = summarize(runs["pr"])
    empty = summarize(runs["pr-empty"])
    numstat = git(tree, "diff", "--numstat", pr_range).split("\n")
    added = sum(int(row.split("\t")[0]) for row in numstat if row.strip())
    pr_report = ours_findings(reports / f"pr-{args.pr_runs - 1}.json")
    pr_result = {
        "range": pr_range,
        "files_changed": sum(1 for row in numstat if row.strip()),
        "lines_added": added,
        "planted_secrets": 2,
        **pr_report,
        "seconds": pr,
        "empty_pr_seconds": empty,
        "median_minus_startup_s": pr["median_s"] - startup_s,
        "median_minus_empty_pr_s": pr["median_s"] - empty["median_s"],
        "target_s_after_startup": TARGET_PR_S,
        "within_target": pr["median_s"] - startup_s < TARGET_PR_S,
    }

    print("prefilter selectivity (in-process)…", flush=True)
    selectivity = prefilter_selectivity(tree)
    profile = profile_scan(tree, args.top) if args.profile else None

    hash_after = engine_hash()
    if hash_after != hash_before:
        print("warning: the secrets engine's sources changed during the run", file=sys.stderr)
    report = {
        "benchmark": "secrets_speed",
        "machine": machine(),
        "tools": {
            "launchready": tool_version([launchready, "--version"]),
            "detect-secrets": tool_version([detect_secrets, "--version"]),
            "git": tool_version(["git", "--version"]),
        },
        "engine_sources_sha256_16": {"before": hash_before, "after": hash_after},
        "input": {
            **SDIST,
            "source": "pip download --no-deps --no-binary :all:",
            "tree": str(tree.relative_to(REPO) if tree.is_relative_to(REPO) else tree),
            "tracked_files": files["tracked_files"],
            "tracked_bytes": files["tracked_bytes"],
        },
        "what_each_scans": files,
        "config": {
            "runs": args.runs,
            "tracked_runs": args.tracked_runs,
            "pr_runs": args.pr_runs,
            "startup_runs": args.startup_runs,
            "rss_sample_interval_s": args.sample,
            "ours_argv": [*ours_argv[1:], "--json", "FILE"],
            "detect_secrets_argv": ["scan", "--all-files"],
        },
        "startup_version_s": summarize(startup),
        "tree_scan": tools,
        "ratio_detect_secrets_over_ours": ratio,
        "target_ratio": TARGET_RATIO,
        "pr_diff": pr_result,
        "prefilter": selectivity,
        "in_process": profile,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")

    print(f"\n{SDIST['name']} {SDIST['version']}: {files['tracked_files']} files, "
          f"{files['tracked_bytes'] / 1e6:.1f} MB tracked; median of {args.runs} runs")  # fmt: skip
    print(f"{'tool':<30}{'s':>9}{'MB/s':>8}{'RSS max':>9}{'RSS tree':>9}{'findings':>9}")
    for name, s in tools.items():
        print(
            f"{name:<30}{s['median_s']:9.2f}{s['mb_per_s']:8.2f}"
            f"{s['peak_rss_largest_process_mb'] or 0:9.1f}{s['peak_rss_tree_sampled_mb']:9.1f}"
            f"{s['findings']:9d}"
        )
    for other, value in ratio.items():
        print(f"ratio {other} / launchready: {value:.1f}x (target {TARGET_RATIO:.0f}x)")
    print(f"launchready --version: {startup_s:.3f} s")
    print(
        f"PR {pr_range}: {added} lines, {pr['median_s']:.3f} s, "
        f"{pr_result['median_minus_startup_s']:.3f} s after start-up, "
        f"empty PR {empty['median_s']:.3f} s, findings {pr_report['findings']}"
    )
    print(
        f"prefilter: {selectivity['candidate_lines']:,} of {selectivity['total_lines']:,} lines "
        f"({100 * selectivity['selectivity']:.1f} %) are candidates"
    )
    if profile:
        print(f"in-process single-process scan: {profile['single_process_in_process_s']} s")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
