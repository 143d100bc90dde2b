#!/usr/bin/env python3
"""The end of `make demo`: the example's launch-readiness audit and its HANDOVER.md.

The audit runs every check the example configures. The domain check queries the local
stand-ins for clubhouse.test (tests/servers.py: NSD and nginx), and the smoke test runs
against a local copy of the app (tests/apps.py; its web journeys: demo-smoke.py runs the
email journeys against a copy that sends mail). Without NSD or nginx the audit runs
offline and says what it could not assess. Never fails the demo.

    demo-audit.py EXAMPLE_DIR OUT_DIR
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def stand_ins() -> Iterator[list[str]]:
    """The audit's network options: the local domain and app, or --offline."""
    from tests.apps import membership_app
    from tests.servers import ServerFailed, ServerMissing, nginx_server, nsd_server

    with membership_app(version="2026.11.28-1") as app:
        try:
            with nsd_server() as nameserver, nginx_server() as web:
                routes = [arg for rule in web.connect_to() for arg in ("--connect-to", rule)]
                yield [
                    "--nameserver", nameserver, *routes, "--ca-bundle", web.ca_bundle,
                    "--base-url", app.base_url, "--journeys", "web",
                ]  # fmt: skip
                return
        except (ServerMissing, ServerFailed, ImportError) as exc:
            print(f"(no local DNS and web servers: {exc}; the domain part is not assessed)")
        yield ["--offline"]


def main(example: str, out: str) -> int:
    sys.path.insert(0, str(ROOT))
    env = {
        **os.environ,
        "SMOKE_PASSWORD": "correct horse battery staple",  # the local app's test member
        "CLUBHOUSE_TEST_SESSION": "demo-session-not-a-secret",
    }
    print(f"\n=== Launch readiness audit of {example}\n", flush=True)
    with stand_ins() as network:
        audit = [
            "launchready", "audit", "--root", example, *network,
            "--output", f"{out}/AUDIT.md", "--json", f"{out}/audit.json",
        ]  # fmt: skip
        subprocess.run(audit, env=env, check=False, timeout=600)
        handover = [
            "launchready", "handover", "--root", example, "--output", f"{out}/HANDOVER.md",
            "--audit", f"{out}/audit.json",
        ]  # fmt: skip
        if "--offline" not in network:
            handover += ["--live", *_live_options(network)]
        print(f"\n=== Handover document of {example}\n", flush=True)
        subprocess.run(handover, env=env, check=False, timeout=300)
    print(f"\nReports: {out}/AUDIT.md (the audit), {out}/HANDOVER.md (the handover document)")
    return 0


def _live_options(network: list[str]) -> list[str]:
    """The --connect-to and --ca-bundle options, for the certificate expiry dates."""
    options, it = [], iter(network)
    for arg in it:
        if arg in ("--connect-to", "--ca-bundle"):
            options += [arg, next(it)]
    return options


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
