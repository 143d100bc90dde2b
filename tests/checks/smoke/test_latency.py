"""What a step's latency counts, against a server on loopback whose phases take known,
long times (tests/apps.py fixed_latency_server): the request from its first byte out to
the last body byte in, as curl's ``time_total`` on a warm connection; the TCP connect and
the TLS handshake of a journey's first step in columns of their own, never in it.

The server's delays are lower bounds whatever the load (a wait is never shorter than
asked), and the one upper bound has a margin of 1.5 s over what the request itself
costs, so a loaded machine cannot flip the result."""

from __future__ import annotations

import json
from pathlib import Path

from tests.apps import fixed_latency_server
from tests.helpers import make_repo, run_cli

HANDSHAKE = 2.0  # s the server holds a new connection before its TLS handshake
BODY = 0.5  # s between the headers and the body


def test_a_first_steps_latency_ends_at_the_last_byte_and_leaves_tls_apart(
    tmp_path: Path,
) -> None:
    config = (
        "smoke:\n  runs: 1\n  journeys:\n"
        "    - name: health\n      steps:\n        - {url: /healthz, budget: none}\n"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    results, report = tmp_path / "results.json", tmp_path / "report.json"
    with fixed_latency_server(0.0, tls=True, handshake_delay=HANDSHAKE, body_delay=BODY) as app:
        assert app.ca_bundle is not None
        done = run_cli(
            "smoke", "run", "--root", str(repo), "--base-url", app.base_url,
            "--ca-bundle", app.ca_bundle, "--results", str(results), "--json", str(report),
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    step = json.loads(results.read_text())["steps"][0]
    # The handshake the server held is the TLS column's ...
    assert step["tls_ms"] >= HANDSHAKE * 1000, step
    assert isinstance(step["connect_ms"], float) and step["connect_ms"] < step["tls_ms"]
    # ... and not the latency's, which waits for the body (the headers came 0.5 s
    # before it): the first step on its new connection, measured as on a warm one.
    assert BODY * 1000 <= step["p50_ms"] < HANDSHAKE * 1000, step
    row = json.loads(report.read_text())["checks"][0]["measurements"][0]
    assert set(row) >= {"p50", "DNS", "Connect", "TLS"}, row
    assert row["TLS"] not in ("", "–"), row
