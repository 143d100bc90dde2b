#!/usr/bin/env python3
"""Smoke test latency: do 20 journeys run at once, and does a step's latency agree with
curl's ``time_total`` for the same request, on the tests' membership app (tests/apps.py)
on loopback in the same run.

- concurrency: 20 journeys of 2 steps each, journey i (1..20) on its own paths that the
  app holds for 0.025*i s each (404 pages, expected), so journey 20 needs 1.0 s and all 20
  one after the other 10.5 s. One `launchready smoke run --runs 1`, timed from outside
  (wall: includes Python start-up, imports and the config read) and from the JSON report
  (checks[0].duration_s: the smoke check alone, engine and event loop included). Ratio
  total / slowest journey: 1.0 is perfect overlap; a sequential runner would be near 10.5.
  The app listens with a backlog of 128 (tests/apps.py; socketserver's default of 5
  overflows when 20 connections open at once, and the dropped ones wait for the 1 s SYN
  retransmit: a stall of the test server, not of the engine; `--backlog 5` shows it).
  Steps more than 100 ms over their delay are counted.
- agreement with curl: GET /, /login, /version and three paths held 50, 150 and 300 ms,
  over HTTP and over HTTPS (local CA, `curl --cacert`). Each URL is a single-step journey
  in a `launchready smoke run --runs N` of its own, so every sample is a fresh connection
  and nothing else runs in the process, as with one `curl` invocation per sample. Ours:
  the step's p50 from --results; curl: median of N `curl -w '%{time_total}'`.

Median of --repeats runs for the first part, N = --runs for the second. Writes
benchmarks/results/smoke_latency.json.

    python benchmarks/smoke_latency.py [--runs 20] [--repeats 3] [--backlog 128]

Needs trustme for HTTPS (skipped without it) and curl for the second part (skipped, not
fatal, when missing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "smoke_latency.json"
TIMEOUT = 120
JOURNEYS = 20
STEP_DELAY = 0.025  # seconds per step, times the journey's number
PATHS = [("/", 0.0), ("/login", 0.0), ("/version", 0.0)]
HELD = [("/held/50", 0.05), ("/held/150", 0.15), ("/held/300", 0.3)]


def launchready() -> str:
    here = Path(sys.executable).parent / "launchready"
    return str(here) if here.exists() else shutil.which("launchready") or "launchready"


def smoke(work: Path, config: str, base_url: str, ca: str | None, runs: int) -> dict[str, Any]:
    """One `launchready smoke run`; its wall time, JSON report and results file. Timed
    around Popen.wait(): subprocess.run(timeout=) would round up by its 50 ms polls."""
    (work / "launchready.yml").write_text(config)
    report, results = work / "report.json", work / "results.json"
    argv = [
        launchready(), "smoke", "run", "--root", str(work), "--base-url", base_url,
        "--runs", str(runs), "--fail-on", "never", "-q",
        "--json", str(report), "--results", str(results),
        *(["--ca-bundle", ca] if ca else []),
    ]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    try:
        code = proc.wait()
    finally:
        timer.cancel()
    wall = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"launchready smoke run exited {code}")
    out = json.loads(results.read_text())
    if not out["passed"]:
        raise SystemExit(f"the smoke run failed: {out['steps']}")
    check = json.loads(report.read_text())["checks"][0]
    return {"wall_s": wall, "check_s": check["duration_s"], "steps": out["steps"]}


def step(name: str, path: str, status: int) -> str:
    return f"        - {{name: {name}, url: '{path}', expect: {{status: {status}}}}}\n"


def concurrency(work: Path, base_url: str, delays: dict[str, float]) -> dict[str, Any]:
    config = "smoke:\n  journeys:\n"
    for i in range(1, JOURNEYS + 1):
        config += f"    - name: j{i:02d}\n      steps:\n"
        for part in ("a", "b"):
            delays[f"/slow/{i}/{part}"] = STEP_DELAY * i
            config += step(part, f"/slow/{i}/{part}", 404)
    run = smoke(work, config, base_url, None, 1)
    per_journey: dict[str, float] = {}
    late = []
    for s in run["steps"]:
        took, number = s["p50_ms"] / 1000, int(s["journey"][1:])
        per_journey[s["journey"]] = per_journey.get(s["journey"], 0.0) + took
        if took > STEP_DELAY * number + 0.1:
            late.append(f"{s['id']} {took:.2f} s")
    slowest = max(per_journey, key=per_journey.__getitem__)
    return {
        "wall_s": run["wall_s"],
        "check_s": run["check_s"],
        "slowest_journey": slowest,
        "slowest_s": per_journey[slowest],
        "slowest_configured_s": 2 * STEP_DELAY * JOURNEYS,
        "sum_s": sum(per_journey.values()),
        "late_steps": late,
    }


def curl_median(curl: str, url: str, ca: str | None, runs: int) -> float:
    argv = [curl, "-s", "-o", "/dev/null", "-w", "%{time_total}", "--max-time", "10"]
    argv += ["--cacert", ca] if ca else []
    samples = []
    for _ in range(runs + 1):  # the first is a warm-up (page cache, CA file)
        done = subprocess.run(
            [*argv, url], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        samples.append(float(done.stdout) * 1000)
    return statistics.median(samples[1:])


def agreement(work: Path, app: Any, curl: str, runs: int) -> list[dict[str, Any]]:
    scheme = app.base_url.split(":")[0]
    rows = []
    for path, delay in PATHS + HELD:
        if delay:
            app.state.delays[path] = delay
        status = 404 if delay else 200
        config = "smoke:\n  journeys:\n    - name: one\n      steps:\n" + step("r", path, status)
        ours = smoke(work, config, app.base_url, app.ca_bundle, runs)["steps"][0]["p50_ms"]
        theirs = curl_median(curl, app.base_url + path, app.ca_bundle, runs)
        rows.append({"scheme": scheme, "path": path, "ours_ms": ours, "curl_ms": theirs})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=128, help="the app's listen backlog")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests import apps

    # Read by server_activate() when the app starts listening (tests/apps.py sets 128).
    apps._Server.request_queue_size = args.backlog
    curl = shutil.which("curl")
    try:
        import trustme  # noqa: F401

        schemes = [False, True]
    except ImportError:
        print("trustme is not installed: HTTPS skipped (pip install trustme)")
        schemes = [False]
    work = Path(tempfile.mkdtemp(prefix="launchready-smoke-bench-"))
    results: dict[str, Any] = {"journeys": JOURNEYS, "runs": args.runs, "repeats": args.repeats}
    results |= {"backlog": args.backlog, "curl": curl}
    rows: list[dict[str, Any]] = []
    try:
        with apps.membership_app() as app:
            repeats = [
                concurrency(work, app.base_url, app.state.delays) for _ in range(args.repeats)
            ]
        if curl is None:
            print("curl is not on PATH: the agreement part is skipped")
        else:
            for tls in schemes:
                with apps.membership_app(tls=tls) as app:
                    rows += agreement(work, app, curl, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c = sorted(repeats, key=lambda r: r["check_s"])[len(repeats) // 2]
    ideal = c["slowest_configured_s"]
    c |= {
        "check_over_slowest": c["check_s"] / c["slowest_s"],
        "check_over_ideal": c["check_s"] / ideal,
    }
    results["concurrency"] = {"median": c, "repeats": repeats}
    for r in rows:
        r["ratio"] = r["ours_ms"] / r["curl_ms"]
    results["agreement"] = rows
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")

    print(f"| {JOURNEYS} journeys at once, --runs 1, median of {args.repeats} | s |")
    print("|---|---:|")
    for label, value in (
        ("wall time of `launchready smoke run` (start-up included)", c["wall_s"]),
        ("the smoke check alone (the report's duration_s)", c["check_s"]),
        (f"slowest journey ({c['slowest_journey']}), its 2 steps as measured", c["slowest_s"]),
        ("slowest journey, its configured delays", ideal),
        (f"sum of all {JOURNEYS} journeys as measured (a sequential runner)", c["sum_s"]),
    ):
        print(f"| {label} | {value:.2f} |")
    print(f"steps more than 100 ms over their delay: {c['late_steps'] or 'none'}")
    summary = (
        f"check/slowest {c['check_over_slowest']:.2f} (wall/slowest "
        f"{c['wall_s'] / c['slowest_s']:.2f}, check/configured {c['check_over_ideal']:.2f}); "
        f"a sequential runner: {c['sum_s'] / c['slowest_s']:.1f}"
    )
    if rows:
        print(f"\n| request (N={args.runs}) | ours p50 ms | curl median ms | ours - curl | ratio |")
        print("|---|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['scheme']} GET {r['path']} | {r['ours_ms']:.1f} | {r['curl_ms']:.1f} "
                f"| {r['ours_ms'] - r['curl_ms']:+.1f} | {r['ratio']:.2f} |"
            )
        ratio = statistics.median(r["ratio"] for r in rows)
        offset = statistics.median(r["ours_ms"] - r["curl_ms"] for r in rows)
        summary += f"; ours/curl median {ratio:.2f} (median offset {offset:+.1f} ms)"
    print(f"\n{summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
