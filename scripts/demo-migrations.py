#!/usr/bin/env python3
"""The migrations part of `make demo`: the example's unsafe migration next to its fix,
both linted, then both dry-run on a throwaway PostgreSQL when one can be started here
(the tests' own, from tests/servers.py; Debian: apt-get install postgresql). Never fails
the demo: findings are what it is here to show.

    demo-migrations.py EXAMPLE_DIR OUT_DIR
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def heading(text: str) -> None:
    print(f"\n=== {text}\n", flush=True)


def launchready(*args: str, env: dict[str, str] | None = None) -> None:
    command = ["launchready", "migrations", *args, "--fail-on", "never", "--no-summary"]
    subprocess.run(command, env=env, check=False, timeout=300)


def main(example: str, out: str) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.servers import ServerFailed, ServerMissing, postgres_server

    unsafe = Path(example, "db/migrations/0002_plans.sql")
    fixed = Path(example, "fixes/0002_plans.sql")
    work = Path(tempfile.mkdtemp(prefix="launchready-demo-"))
    try:
        # Two copies of the example's migrations: as committed, and with the fix in place.
        for name in ("unsafe", "fixed"):
            shutil.copytree(Path(example, "db"), work / name / "db")
            shutil.copy(Path(example, "launchready.yml"), work / name)
        shutil.copy(fixed, work / "fixed/db/migrations/0002_plans.sql")

        heading(f"Migrations: {unsafe} and its fix ({fixed})")
        sys.stdout.writelines(
            difflib.unified_diff(
                unsafe.read_text().splitlines(keepends=True),
                fixed.read_text().splitlines(keepends=True),
                "0002_plans.sql (committed)",
                "0002_plans.sql (fixed)",
            )
        )
        heading("Lint, as committed")
        launchready("check", "--root", str(work / "unsafe"))
        heading("Lint, fixed")
        launchready(
            "check", "--root", str(work / "fixed"), "--markdown", f"{out}/migrations-fixed.md"
        )

        try:
            with postgres_server() as url:
                import psycopg

                with psycopg.connect(url, autocommit=True) as conn:
                    for name in ("unsafe", "fixed"):
                        conn.execute(f"CREATE DATABASE demo_{name}".encode())
                for name, title in (("unsafe", "as committed"), ("fixed", "fixed")):
                    heading(f"Dry run on PostgreSQL, {title} (members seeded with 10,000 rows)")
                    db = url.replace("/postgres?", f"/demo_{name}?")
                    env = {**os.environ, "LAUNCHREADY_DATABASE_URL": db}
                    launchready(
                        "dry-run", "--root", str(work / name), "--seed-rows", "10000", env=env
                    )
        except ServerMissing as exc:
            heading(f"Dry run: skipped ({exc})")
        except ServerFailed as exc:
            heading(f"Dry run: skipped (could not start a throwaway PostgreSQL: {exc})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
