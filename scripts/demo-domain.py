#!/usr/bin/env python3
"""The domain part of `make demo`: the example's `domain:` section checked against a local
stand-in for its live domain.

tests/servers.py starts NSD (the clubhouse.test zones, with the planted problems) and nginx
(SNI virtual hosts, certificates from a throwaway CA with an intermediate) on free loopback
ports; `launchready domain check` then runs with --nameserver, --connect-to and
--ca-bundle pointing at them, exactly as a team would point it at a staging zone. Without
NSD or nginx (apt-get install nsd nginx-light) it says so and skips. Never fails the demo.

    demo-domain.py EXAMPLE_DIR OUT_DIR
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(example: str, out: str) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.servers import ServerFailed, ServerMissing, nginx_server, nsd_server

    print(f"\n=== Domain: {example}/launchready.yml against a local NSD and nginx\n", flush=True)
    try:
        with nsd_server() as nameserver, nginx_server() as web:
            routes = [arg for rule in web.connect_to() for arg in ("--connect-to", rule)]
            command = [
                "launchready", "domain", "check", "--root", example,
                "--nameserver", nameserver, *routes, "--ca-bundle", web.ca_bundle,
                "--fail-on", "never", "--no-summary", "--markdown", f"{out}/domain.md",
                "--sarif", f"{out}/domain.sarif",
            ]  # fmt: skip
            # The test account's session cookie for the caching check (never printed).
            env = {**os.environ, "CLUBHOUSE_TEST_SESSION": "demo-session-not-a-secret"}
            subprocess.run(command, env=env, check=False, timeout=300)
    except ServerMissing as exc:
        print(f"skipped: {exc}")
    except (ServerFailed, ImportError) as exc:
        print(f"skipped: the local servers did not start ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
