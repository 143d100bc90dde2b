#!/usr/bin/env python3
"""The smoke-test part of `make demo`: the example's `smoke:` journeys run against a local
copy of the membership app whose invite link (the one in the launch email) redirects to
a 404, then what `launchready rollback` would do about it, as a dry run; then its email
journeys against a copy that sends mail (tests/mailservers.py) to launchready's own SMTP
sink, DKIM-signed with a key published by a local NSD: the invite passes, the password
reset's link points at http://localhost:3000 (the release never set its base URL).

The app and a stand-in for GitHub's REST API (holding the last good deployment) come
from tests/apps.py and tests/github_api.py and listen on loopback only. Never fails the
demo: the failing journey is what it is here to show.

    demo-smoke.py EXAMPLE_DIR OUT_DIR
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION = "2026.11.28-1"


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def main(example: str, out: str) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.apps import membership_app
    from tests.github_api import github_api

    print(f"\n=== Smoke test: {example}/launchready.yml against a local copy of the app\n")
    deployed = git("rev-parse", "HEAD") or "f" * 40
    good = git("rev-parse", "HEAD~1") or "e" * 40
    with membership_app(version=VERSION) as app, github_api() as api:
        api.add_deployment(good)  # the release before this one, deployed and healthy
        env = {
            **os.environ,
            "SMOKE_PASSWORD": "correct horse battery staple",  # the local app's test member
            "GITHUB_TOKEN": api.token,
            "GITHUB_REPOSITORY": f"{api.owner}/{api.repo}",
            "GITHUB_API_URL": api.url,
        }
        results = f"{out}/smoke-results.json"
        smoke = [
            "launchready", "smoke", "run", "--root", example, "--journeys", "web",
            "--base-url", app.base_url,
            "--expect-version", VERSION, "--results", results, "--fail-on", "never",
            "--no-summary", "--markdown", f"{out}/smoke.md", "--json", f"{out}/smoke.json",
        ]  # fmt: skip
        subprocess.run(smoke, env=env, check=False, timeout=300)
        print("\n=== Rollback (dry run): what would happen after that smoke test\n")
        rollback = [
            "launchready", "rollback", "--root", example, "--smoke-results", results,
            "--deployed", deployed, "--dry-run",
        ]  # fmt: skip
        subprocess.run(rollback, env=env, check=False, timeout=300)
    emails(example, out)
    return 0


def emails(example: str, out: str) -> None:
    from tests.mailservers import mail_app, mail_dns
    from tests.servers import ServerFailed, ServerMissing

    print("\n=== Email journeys: the reset and invite mails of a local copy of the app\n")
    try:
        dns_server = mail_dns("clubhouse.test")
        dns = dns_server.__enter__()
    except (ServerMissing, ServerFailed) as exc:
        print(f"(skipped: {exc})")
        return
    try:
        with mail_app(dns.key, ("127.0.0.1", 2525), domain="clubhouse.test",
                      app_host="app.clubhouse.test") as app:  # fmt: skip
            app.outbox.faults["reset"] = "localhost-link"  # APP_URL unset for the mailer
            env = {**os.environ, "TEST_MEMBER_EMAIL": "member@clubhouse.test",
                   "TEST_FRIEND_EMAIL": "friend@clubhouse.test"}  # fmt: skip
            command = [
                "launchready", "smoke", "run", "--root", example, "--journeys", "email",
                "--base-url", app.base_url, "--ca-bundle", app.ca_bundle, "--runs", "1",
                "--nameserver", dns.nameserver, "--connect-to", app.connect_to(),
                "--fail-on", "never", "--no-summary", "--markdown", f"{out}/email.md",
                "--json", f"{out}/email.json",
            ]  # fmt: skip
            subprocess.run(command, env=env, check=False, timeout=300)
    finally:
        dns_server.__exit__(None, None, None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
