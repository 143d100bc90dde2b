#!/usr/bin/env python3
"""What `launchready env check` reports right after `launchready env init`.

    env_noise.py --launchready BIN [--judgements FILE] NAME=PATH [NAME=PATH ...]

Each repository is cloned into a temporary folder (git clone --local, the material is
never written to), `env init` drafts env-inventory.yml there, and `env check --json`
reports on it. Printed per repository: findings by rule and severity. With the
judgements of env_recall.py, `env/example-extra-key` findings whose name the code does
read (judged `read`, or drafted under another kind) are counted as false.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def noise(launchready: str, name: str, source: Path, judged: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / name
        subprocess.run(["git", "clone", "-q", "--local", str(source), str(work)], check=True)
        init = subprocess.run(
            [launchready, "env", "init"], cwd=work, capture_output=True, text=True, check=False
        )
        out = Path(tmp) / "report.json"
        subprocess.run(
            [
                launchready,
                "env",
                "check",
                "--json",
                str(out),
                "--fail-on",
                "never",
                "-q",
                "--no-annotations",
                "--no-summary",
            ],
            cwd=work,
            capture_output=True,
            check=False,
        )
        report = json.loads(out.read_text()) if out.exists() else {}
    findings = report.get("findings", [])
    by_rule = collections.Counter((f["rule_id"], f["severity"]) for f in findings)
    read = set((judged.get(name) or {}).get("read") or {})
    extra = [f for f in findings if f["rule_id"] == "env/example-extra-key"]
    false_extra = [
        f
        for f in extra
        if (f.get("location") or {}).get("target") in read
        or any(n in f["message"].split()[0:1] for n in read)
    ]
    return {
        "repo": name,
        "init": init.stdout.strip().splitlines()[:1],
        "total": len(findings),
        "by_rule": {f"{r} ({s})": n for (r, s), n in sorted(by_rule.items())},
        "example_extra_key": len(extra),
        "example_extra_key_false": len(false_extra),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="+", metavar="NAME=PATH")
    parser.add_argument("--launchready", default="launchready")
    parser.add_argument("--judgements", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    judged = yaml.safe_load(args.judgements.read_text()) if args.judgements else {}
    results = []
    for spec in args.repos:
        name, _, path = spec.partition("=")
        r = noise(args.launchready, name, Path(path), judged or {})
        results.append(r)
        print(f"{name}: {r['total']} findings")
        for rule, n in r["by_rule"].items():
            print(f"    {n:>5}  {rule}")
        if r["example_extra_key"]:
            print(
                f"    example-extra-key false (the code reads the name): "
                f"{r['example_extra_key_false']} of {r['example_extra_key']}"
            )
    print(f"total: {sum(r['total'] for r in results)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
