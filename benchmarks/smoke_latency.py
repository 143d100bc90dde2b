#!/usr/bin/env python3
"""Smoke test latency: do 20 journeys run at once, and does a step's latency agree with
curl's for the same requests, against a server that answers in a fixed, known time
(tests/apps.py) on loopback, in the same run.

- concurrency: 20 journeys of 2 steps each, journey i (1..20) on its own paths that the
  membership app holds for 0.025*i s each (404 pages, expected), so journey 20 needs
  1.0 s and all 20 one after the other 10.5 s. One `launchready smoke run --runs 1`,
  timed from outside (wall: includes Python start-up, imports and the config read) and
  from the JSON report (checks[0].duration_s: the smoke check alone). Ratio total /
  slowest journey: 1.0 is perfect overlap; a sequential runner would be near 10.5. The
  app listens with a backlog of 128 (socketserver's default of 5 overflows when 20
  connections open at once; `--backlog 5` shows the stall, which is the test server's).
- agreement with curl: `fixed_latency_server` holds every request D ms (--delays), then
  answers in one write, over HTTP and over HTTPS (local CA, `curl --cacert`); one more
  server sends headers and body in two writes with Nagle's algorithm on, as many servers
  do. Each case is measured two ways:
  - cold: a one-step journey in a `smoke run --runs N`: every sample is a journey's
    first step, on a new connection, like one `curl` invocation per sample. Our step's
    p50 (request start to last byte) against curl's `time_total - time_pretransfer`;
    our Connect and TLS columns against curl's `time_connect - time_namelookup` and
    `time_appconnect - time_connect`.
  - warm: one step with `runs: N` (sent N times on one connection, the first included)
    against one curl invocation with the URL N times (curl reuses the connection):
    curl's `time_total` of each transfer.
  With --before LAUNCHREADY (another install, e.g. main's), its cold p50 is measured in
  the same run and compared with curl's `time_total`: what the step's latency meant
  before (connection set-up included).

Every case repeats --repeats times, ours, curl and --before interleaved so that load hits
them alike; the figures are medians of the repeats' medians, and each difference is the
median of the differences within a repeat (its range in brackets). The load average is
recorded before and after. Writes benchmarks/results/smoke_latency.json.

    python benchmarks/smoke_latency.py [--runs 20] [--repeats 3] [--delays 20,100]
        [--before /path/to/other/.venv/bin/launchready] [--skip-concurrency]

Needs trustme for HTTPS (skipped without it) and curl for the agreement part (skipped,
not fatal, when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from _timing import run_timed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "smoke_latency.json"
TIMEOUT = 120
JOURNEYS = 20
STEP_DELAY = 0.025  # seconds per step, times the journey's number
CURL_FORMAT = (
    "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} "
    "%{time_total} %{num_connects}\\n"
)


def launchready() -> str:
    here = Path(sys.executable).parent / "launchready"
    return str(here) if here.exists() else shutil.which("launchready") or "launchready"


def smoke(
    work: Path, config: str, base_url: str, ca: str | None, runs: int, program: str | None = None
) -> dict[str, Any]:
    """One `launchready smoke run`; its wall time, JSON report and results file."""
    (work / "launchready.yml").write_text(config)
    report, results = work / "report.json", work / "results.json"
    for stale in (report, results):
        stale.unlink(missing_ok=True)
    argv = [
        program or launchready(), "smoke", "run", "--root", str(work), "--base-url", base_url,
        "--runs", str(runs), "--fail-on", "never", "-q",
        "--json", str(report), "--results", str(results),
        *(["--ca-bundle", ca] if ca else []),
    ]  # fmt: skip
    sample = run_timed(argv, timeout=TIMEOUT, capture=False)
    if sample.returncode != 0:
        raise SystemExit(f"launchready smoke run exited {sample.returncode}: {sample.stderr}")
    out = json.loads(results.read_text())
    if not out["passed"]:
        raise SystemExit(f"the smoke run failed: {out['steps']}")
    check = json.loads(report.read_text())["checks"][0]
    return {"wall_s": sample.seconds, "check_s": check["duration_s"], "steps": out["steps"]}


def step(name: str, path: str, status: int, extra: str = "") -> str:
    return f"        - {{name: {name}, url: '{path}', expect: {{status: {status}}}{extra}}}\n"


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


def curl(curl_bin: str, urls: list[str], ca: str | None) -> list[dict[str, float]]:
    """One curl invocation over ``urls`` (one connection, reused); per transfer, in ms:
    dns, connect, tls (0 when reused), request (total - pretransfer) and total."""
    argv = [curl_bin, "-s", "--max-time", "30", "-w", CURL_FORMAT]
    argv += ["--cacert", ca] if ca else []
    for url in urls:
        argv += [url, "-o", "/dev/null"]
    sample = run_timed(argv, timeout=TIMEOUT)
    rows = []
    for line in sample.stdout.decode().splitlines():
        dns, connect, app, pre, total, connects = (float(x) for x in line.split())
        rows.append(
            {
                "dns": dns * 1000,
                "connect": (connect - dns) * 1000 if connects else 0.0,
                "tls": (app - connect) * 1000 if connects and app else 0.0,
                "request": (total - pre) * 1000,
                "total": total * 1000,
            }
        )
    if len(rows) != len(urls):
        raise SystemExit(f"curl wrote {len(rows)} lines for {len(urls)} URLs: {sample.stderr}")
    return rows


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def agreement(
    work: Path, server: Any, curl_bin: str, runs: int, repeats: int, before: str | None
) -> dict[str, Any]:
    """One server: cold and warm, ours against curl (and --before), interleaved."""
    url = server.base_url + "/r"
    cold_cfg = "smoke:\n  journeys:\n    - name: one\n      steps:\n" + step("r", "/r", 200)
    warm_cfg = "smoke:\n  journeys:\n    - name: one\n      steps:\n" + step(
        "r", "/r", 200, f", runs: {runs}, budget: none"
    )
    got: dict[str, list[float]] = {}

    def add(key: str, value: float | None) -> None:
        if value is not None:
            got.setdefault(key, []).append(value)

    for _ in range(repeats):
        ours = smoke(work, cold_cfg, server.base_url, server.ca_bundle, runs)["steps"][0]
        add("cold_ours", ours["p50_ms"])
        add("cold_ours_connect", ours.get("connect_ms"))
        add("cold_ours_tls", ours.get("tls_ms"))
        cold = [curl(curl_bin, [url], server.ca_bundle)[0] for _ in range(runs)]
        add("cold_curl", _median([c["request"] for c in cold]))
        add("cold_curl_total", _median([c["total"] for c in cold]))
        add("cold_curl_connect", _median([c["connect"] for c in cold]))
        add("cold_curl_tls", _median([c["tls"] for c in cold]))
        if before:
            old = smoke(work, cold_cfg, server.base_url, server.ca_bundle, runs, before)
            add("cold_before", old["steps"][0]["p50_ms"])
        ours = smoke(work, warm_cfg, server.base_url, server.ca_bundle, 1)["steps"][0]
        add("warm_ours", ours["p50_ms"])
        warm = curl(curl_bin, [url] * runs, server.ca_bundle)
        add("warm_curl", _median([c["total"] for c in warm]))
    out = {key: _median(values) for key, values in got.items()}
    # ours - curl paired within each repeat (the same load on both), then the median
    for mode, theirs in (("cold", "cold_curl"), ("warm", "warm_curl")):
        pairs = [a - b for a, b in zip(got[f"{mode}_ours"], got[theirs], strict=True)]
        out[f"{mode}_diff"], out[f"{mode}_diff_range"] = _median(pairs), [min(pairs), max(pairs)]
    if before:
        pairs = [a - b for a, b in zip(got["cold_before"], got["cold_curl_total"], strict=True)]
        out["before_diff"], out["before_diff_range"] = _median(pairs), [min(pairs), max(pairs)]
    return out | {"repeats": got}


def _diff(row: dict[str, Any], mode: str) -> str:
    """The paired median difference and its range over the repeats."""
    low, high = row[f"{mode}_diff_range"]
    return f"{row[f'{mode}_diff']:+.1f} ({low:+.1f}…{high:+.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=128, help="the app's listen backlog")
    parser.add_argument("--delays", default="20,100", help="the fixed server's delays, in ms")
    parser.add_argument("--before", help="another launchready to measure in the same run")
    parser.add_argument("--skip-concurrency", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests import apps

    # Read by server_activate() when the app starts listening (tests/apps.py sets 128).
    apps._Server.request_queue_size = args.backlog
    curl_bin = shutil.which("curl")
    try:
        import trustme  # noqa: F401

        schemes = [False, True]
    except ImportError:
        print("trustme is not installed: HTTPS skipped (pip install trustme)")
        schemes = [False]
    work = Path(tempfile.mkdtemp(prefix="launchready-smoke-bench-"))
    results: dict[str, Any] = {"journeys": JOURNEYS, "runs": args.runs, "repeats": args.repeats}
    results |= {"backlog": args.backlog, "curl": curl_bin, "before": args.before}
    results["load_before"] = os.getloadavg()
    cases: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    try:
        if not args.skip_concurrency:
            with apps.membership_app() as app:
                repeats = [
                    concurrency(work, app.base_url, app.state.delays) for _ in range(args.repeats)
                ]
        if curl_bin is None:
            print("curl is not on PATH: the agreement part is skipped")
        else:
            plan = [
                (tls, float(d) / 1000, False) for tls in schemes for d in args.delays.split(",")
            ]
            plan.append((False, float(args.delays.split(",")[0]) / 1000, True))
            for tls, delay, split in plan:
                with apps.fixed_latency_server(delay, tls=tls, split=split) as server:
                    case = agreement(work, server, curl_bin, args.runs, args.repeats, args.before)
                label = f"{'https' if tls else 'http'} {delay * 1000:.0f} ms"
                cases.append({"case": label + (" (2 writes, Nagle)" if split else "")} | case)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["load_after"] = os.getloadavg()
    if repeats:
        c = sorted(repeats, key=lambda r: r["check_s"])[len(repeats) // 2]
        c |= {"check_over_slowest": c["check_s"] / c["slowest_s"]}
        results["concurrency"] = {"median": c, "repeats": repeats}
    results["agreement"] = cases
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    if repeats:
        c = results["concurrency"]["median"]
        print(f"\n| {JOURNEYS} journeys at once, --runs 1, median of {args.repeats} | s |")
        print("|---|---:|")
        for label, value in (
            ("wall time of `launchready smoke run` (start-up included)", c["wall_s"]),
            ("the smoke check alone (the report's duration_s)", c["check_s"]),
            (f"slowest journey ({c['slowest_journey']}), its 2 steps as measured", c["slowest_s"]),
            ("slowest journey, its configured delays", c["slowest_configured_s"]),
            (f"sum of all {JOURNEYS} journeys as measured (a sequential runner)", c["sum_s"]),
        ):
            print(f"| {label} | {value:.2f} |")
        print(f"steps more than 100 ms over their delay: {c['late_steps'] or 'none'}")
    if cases:
        print(
            f"\n| server (N={args.runs}, ms) | cold: ours p50 | curl | ours − curl "
            "| warm: ours p50 | curl | ours − curl | connect ours / curl | TLS ours / curl |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in cases:
            print(
                f"| {r['case']} | {r['cold_ours']:.1f} | {r['cold_curl']:.1f} "
                f"| {_diff(r, 'cold')} | {r['warm_ours']:.1f} | {r['warm_curl']:.1f} "
                f"| {_diff(r, 'warm')} "
                f"| {r.get('cold_ours_connect', float('nan')):.2f} / {r['cold_curl_connect']:.2f} "
                f"| {r.get('cold_ours_tls') or 0:.2f} / {r['cold_curl_tls']:.2f} |"
            )
        if args.before:
            print(
                "\n| server (ms) | before: p50 (set-up incl.) | curl time_total | before − curl |"
            )
            print("|---|---:|---:|---:|")
            for r in cases:
                print(
                    f"| {r['case']} | {r['cold_before']:.1f} | {r['cold_curl_total']:.1f} "
                    f"| {_diff(r, 'before')} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
