#!/usr/bin/env python3
"""Domain check at scale: 50 hostnames, every check, against checkdmarc and curl run per
host one after the other, on the same local servers in the same run.

The servers are the tests' (tests/servers.py): NSD with an extra zone ``scale.test`` of 50
hostnames, each also a mail domain (MX, SPF with an include, a 2048-bit DKIM key, DMARC),
and nginx serving all 50 with HTTPS, HSTS and a redirect from HTTP.

- launchready: one `launchready domain check` over the 50 hosts and 50 mail domains
  (DNS, CAA, TLS, http:// and https:// chains, HSTS, MX, SPF, DKIM, DMARC).
- the peers, per host in turn, which is how a team scripts them: `checkdmarc HOST`
  (MX, SPF, DMARC; it takes only an IP as name server, so NSD listens on 127.0.0.2:53,
  which needs root) and two `curl` requests (https:// with the test CA, http://), with
  --connect-to to nginx.

Median of --runs runs each. Writes benchmarks/results/domain_scale.json.

    python benchmarks/domain_scale.py [--runs 3] [--hosts 50] [--before OTHER/launchready]

With --before, another install (main's, a release) is timed too, interleaved with ours.

Needs nsd and nginx (apt-get install nsd nginx-light), trustme, and for the peer
checkdmarc (pip install checkdmarc==6.0.4) and curl; a missing peer is reported, not fatal.
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

from _timing import run_timed

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "domain_scale.json"
TIMEOUT = 600


def zone(hosts: int, dkim: str) -> str:
    lines = [
        "@ 300 IN SOA ns1.good.test. hostmaster.good.test. 1 3600 600 86400 300",
        "@ NS ns1.good.test.",
        '@ CAA 0 issue "letsencrypt.org"',
        "mx A 127.0.0.1",
    ]
    for i in range(hosts):
        h = f"h{i:02d}"
        lines += [
            f"{h} A 127.0.0.1",
            f"{h} MX 10 mx.scale.test.",
            f'{h} TXT "v=spf1 include:spf.mtasv.net -all"',
            f"pm._domainkey.{h} TXT {dkim}",
            f'_dmarc.{h} TXT "v=DMARC1; p=reject; rua=mailto:d@scale.test"',
        ]
    return "\n".join(lines) + "\n"


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    return run_timed(command, timeout=TIMEOUT, env=env, capture=False).seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--before", help="another launchready to time in the same run")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.servers import ServerMissing, _dkim_key, nginx_server, nsd_server

    launchready = shutil.which("launchready") or str(Path(sys.executable).parent / "launchready")
    checkdmarc = shutil.which("checkdmarc") or str(Path(sys.executable).parent / "checkdmarc")
    curl = shutil.which("curl")
    names = [f"h{i:02d}.scale.test" for i in range(args.hosts)]
    root = os.geteuid() == 0
    address, port = ("127.0.0.2", 53) if root else ("127.0.0.1", 0)
    work = Path(tempfile.mkdtemp(prefix="launchready-domain-bench-"))
    results: dict[str, object] = {"hosts": args.hosts, "runs": args.runs}
    try:
        with (
            nsd_server({"scale.test": zone(args.hosts, _dkim_key(2048))}, address, port) as ns,
            nginx_server(tuple(names)) as web,
        ):
            config = (
                "domain:\n  apex: scale.test\n  caa: [letsencrypt.org]\n  hosts:\n"
                + "".join(f"    - {{name: {n}.}}\n" for n in names)
                + "  mail:\n"
                + "".join(
                    f"    - {{domain: {n}., senders: [postmark], dkim: [pm]}}\n" for n in names
                )
            )
            (work / "launchready.yml").write_text(config)
            routes = [arg for rule in web.connect_to() for arg in ("--connect-to", rule)]
            ours = [
                launchready, "domain", "check", "--root", str(work), "--nameserver", ns,
                *routes, "--ca-bundle", web.ca_bundle, "--json", str(work / "out.json"), "-q",
            ]  # fmt: skip
            timed(ours)  # warm-up
            our_times, before_times = [], []
            findings = 0
            for _ in range(args.runs):  # interleaved with --before, so load hits both alike
                our_times.append(timed(ours))
                findings = len(json.loads((work / "out.json").read_text())["findings"])
                if args.before:
                    before_times.append(timed([args.before, *ours[1:]]))
            results["launchready"] = {
                "median_s": statistics.median(our_times),
                "runs_s": our_times,
                "findings": findings,
            }
            if args.before:
                results["before"] = {
                    "program": args.before,
                    "median_s": statistics.median(before_times),
                    "runs_s": before_times,
                }
            peers: list[str] = []
            if curl:
                peers.append("curl")
            if Path(checkdmarc).exists() and root:
                peers.append("checkdmarc")
            results["peers"] = peers

            def peer_run() -> float:
                total = 0.0
                for name in names:
                    if "checkdmarc" in peers:
                        total += timed([checkdmarc, name, "-n", address, "--skip-tls", "-t", "3"])
                    if curl:
                        for scheme, port_from, port_to in (
                            ("https", 443, web.https_port),
                            ("http", 80, web.http_port),
                        ):
                            route_to = f"{name}:{port_from}:127.0.0.1:{port_to}"
                            total += timed(
                                [curl, "-sS", "-o", "/dev/null", "--max-time", "10",
                                 "--cacert", web.ca_bundle, "--connect-to", route_to,
                                 f"{scheme}://{name}/"]
                            )  # fmt: skip
                return total

            peer_run()  # warm-up
            peer_times = [peer_run() for _ in range(args.runs)]
            results["sequential_peers"] = {
                "median_s": statistics.median(peer_times),
                "runs_s": peer_times,
            }
    except ServerMissing as exc:
        print(f"cannot run: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    ours_s = results["launchready"]["median_s"]  # type: ignore[index]
    peers_s = results["sequential_peers"]["median_s"]  # type: ignore[index]
    print(f"| tool | {args.hosts} hosts, median of {args.runs} |")
    print("|---|---:|")
    print(f"| launchready domain check (every check, concurrent) | {ours_s:.2f} s |")
    if args.before:
        print(f"| --before {args.before} | {results['before']['median_s']:.2f} s |")  # type: ignore[index]
    print(f"| {' + '.join(results['peers']) or 'no peer'} per host, sequential | {peers_s:.2f} s |")  # type: ignore[arg-type]
    print(f"findings on the clean zone: {results['launchready']['findings']}")  # type: ignore[index]
    return 0


if __name__ == "__main__":
    sys.exit(main())
