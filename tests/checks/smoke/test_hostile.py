"""`launchready smoke run` (and `monitor run`, on the same engine) against servers that
attack the client (tests/servers.py hostile_server): redirects that would carry
credentials to another host or down to plain HTTP, decompression bombs, answers that
reflect secrets, JSON nested past any recursion limit, patterns that backtrack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import log_commands, make_repo, run_cli, run_cli_peak
from tests.servers import Hostile, hostile_server

TOKEN = "tok_4f9a1c7e2b8d6035"
API_KEY = "key_91b2c3d4e5f60718"
SESSION = "sid_0a1b2c3d4e5f6789"
SECRETS = {"SMOKE_TOKEN": TOKEN, "SMOKE_API_KEY": API_KEY, "SMOKE_SID": SESSION}

# Budgets no loaded machine reaches: these tests are about what is sent, not how fast.
CREDENTIALED = """\
smoke:
  runs: 1
  timeout: 20s
  budgets: {{read: 60s, action: 60s}}
  journeys:
    - name: api
      steps:
        - url: {url}
          method: {method}
          headers:
            Authorization: "Bearer {{{{ env.SMOKE_TOKEN }}}}"
            X-API-Key: "{{{{ env.SMOKE_API_KEY }}}}"
            Cookie: "sid={{{{ env.SMOKE_SID }}}}"
            X-Request-Source: smoke
          {body}
          expect: {{status: 200}}
"""


def _smoke(
    tmp_path: Path, config: str, base: Hostile, *args: str, env: dict[str, str] | None = None
) -> Any:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    ca = ["--ca-bundle", base.ca_bundle] if base.ca_bundle else []
    json_path = tmp_path / "r.json"
    done = run_cli(
        "smoke", "run", "--root", str(repo), "--base-url", base.base_url, *ca,
        "--json", str(json_path), *args, env={**SECRETS, **(env or {})},
    )  # fmt: skip
    findings = json.loads(json_path.read_text())["findings"] if json_path.exists() else []
    return done, findings


# --- item 2: credentials never follow a redirect to another origin -----------------------


def _credentials_in(server: Hostile) -> list[str]:
    seen = [f"{k}: {v}" for r in server.requests for k, v in r.headers] + [
        r.body.decode() for r in server.requests
    ]
    return [s for s in seen if any(v in s for v in SECRETS.values())]


def test_a_redirect_to_another_host_or_port_drops_the_credential_headers(tmp_path: Path) -> None:
    with hostile_server("reflect", body="ok") as other:
        for name, target in (
            ("other-port", f"{other.base_url}/landing"),
            ("other-host", f"{other.base_url.replace('127.0.0.1', 'localhost')}/landing"),
        ):
            other.requests.clear()
            with hostile_server("redirect", location=target) as start:
                config = CREDENTIALED.format(url="/start", method="GET", body="")
                done, _ = _smoke(tmp_path / name, config, start)
                assert done.returncode == 0, done.stdout + done.stderr
                assert start.requests[0].header("Authorization") == f"Bearer {TOKEN}"
            assert len(other.requests) == 1, name
            assert _credentials_in(other) == [], name
            assert other.requests[0].header("X-Request-Source") == "smoke"  # the rest goes


def test_a_redirect_within_the_origin_keeps_them(tmp_path: Path) -> None:
    with hostile_server("redirect", location="/start") as start:
        config = CREDENTIALED.format(url="/first", method="GET", body="")
        _, findings = _smoke(tmp_path, config, start)
    # /start redirects to itself: a loop, but every hop stayed on the origin.
    assert [f["rule_id"] for f in findings] == ["smoke/redirect-loop"]
    assert all(r.header("Authorization") == f"Bearer {TOKEN}" for r in start.requests)
    assert len(start.requests) == 2


def test_a_failure_after_a_cross_origin_redirect_says_what_was_not_sent(tmp_path: Path) -> None:
    with hostile_server("redirect", location="/", status=401) as other:  # "unauthorized"
        target = f"{other.base_url.replace('127.0.0.1', 'localhost')}/api"
        with hostile_server("redirect", location=target) as start:
            config = CREDENTIALED.format(url="/start", method="GET", body="")
            done, findings = _smoke(tmp_path, config, start)
    assert done.returncode == 1
    (finding,) = findings
    assert "status 401" in finding["message"]
    assert (
        "Authorization and X-API-Key and Cookie not sent to http://localhost:"
        in (finding["message"])
    )


def test_https_down_to_http_is_not_followed_with_a_secret_on_board(tmp_path: Path) -> None:
    with hostile_server("reflect", body="ok") as plain:
        target = f"{plain.base_url}/login"
        with hostile_server("redirect", location=target, status=307, tls=True) as start:
            config = CREDENTIALED.format(
                url="/login", method="POST", body='form: {password: "{{ env.SMOKE_SID }}"}'
            )
            done, findings = _smoke(tmp_path, config, start)
    assert done.returncode == 1, done.stdout + done.stderr
    assert [f["rule_id"] for f in findings] == ["smoke/insecure-redirect"]
    assert "redirected from HTTPS down to plain HTTP" in findings[0]["message"]
    assert plain.requests == []  # nothing went out in clear text


# --- item 4: decompression bombs cost the cap, not what they expand to ---------------------

BOMBED = """\
smoke:
  runs: 1
  timeout: 60s
  budgets: {read: 60s}
  journeys:
    - name: bomb
      steps:
        - url: /feed
"""


def test_a_stacked_gzip_bomb_is_too_large_at_the_cap(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": BOMBED}, commit=False)
    # 256 MiB of zeros under three gzip layers: 100 bytes on the wire.
    with hostile_server("bomb", size=256 << 20, encodings=("gzip",) * 3) as server:
        done, peak = run_cli_peak(
            "smoke", "run", "--root", str(repo), "--base-url", server.base_url
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "smoke/body-too-large" in done.stdout
    assert "the body passed 1,048,576 bytes" in done.stdout
    assert peak < 200, f"peak memory {peak:.0f} MiB"  # the process alone is about 70


@pytest.mark.parametrize(
    "encodings",
    [("gzip",), ("deflate",), ("gzip", "deflate"), ("deflate", "gzip"), ("gzip",) * 4, ()],
    ids=["gzip", "deflate", "gzip-then-deflate", "deflate-then-gzip", "gzip-x4", "identity"],
)
def test_bodies_are_decoded_whole_below_the_cap(encodings: tuple[str, ...]) -> None:
    import asyncio

    import httpx

    from launchready_ci.checks.smoke.client import Request, send

    async def fetch(url: str) -> Any:
        async with httpx.AsyncClient() as client:
            return await send(
                client, Request("GET", url), follow=False, deadline=30, max_body=1 << 20
            )

    with hostile_server("bomb", size=300_000, encodings=encodings) as server:
        got = asyncio.run(fetch(f"{server.base_url}/"))
    assert got.fault is None
    assert len(got.body) >= 300_000 and set(got.body) == {0}


# --- item 6: user regexes run in linear time ---------------------------------------------

CATASTROPHIC = "(a+)+$"


def test_a_catastrophic_pattern_ends_within_the_deadline(tmp_path: Path) -> None:
    config = (
        "smoke:\n  runs: 1\n  timeout: 60s\n  budgets: {read: 60s}\n  journeys:\n"
        "    - name: page\n      steps:\n        - url: /reflect\n"
        f"          capture: {{t: {{regex: '{CATASTROPHIC}'}}}}\n"
        f"        - url: /reflect\n          expect: {{body: {{matches: '{CATASTROPHIC}'}}}}\n"
    )
    # 41 bytes that end in a non-match: Python's re backtracks for minutes on them.
    with hostile_server("reflect", body="a" * 40 + "!") as server:
        done, findings = _smoke(tmp_path, config, server, "--fail-on", "never")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [f["rule_id"] for f in findings] == ["smoke/capture-failed"]


def test_lookaround_and_backreferences_are_config_problems_with_their_line(
    tmp_path: Path,
) -> None:
    config = (
        "smoke:\n  journeys:\n    - name: page\n      steps:\n        - url: /\n"
        "          expect: {body: {matches: '(?=x)y'}}\n"
        "        - url: /b\n          capture: {t: {regex: '(a)\\1'}}\n"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    done = run_cli("smoke", "run", "--root", str(repo), "--base-url", "http://127.0.0.1:9")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "launchready.yml:6:" in done.stderr and "launchready.yml:8:" in done.stderr
    assert "lookahead, lookbehind and backreferences are not supported" in done.stderr
    assert "re2.cc" not in done.stderr  # RE2's own logging stays quiet


# --- item 10: hostile answers and odd values are findings or config errors, not exit 3 ----


def test_json_nested_past_any_recursion_limit_is_invalid_json(tmp_path: Path) -> None:
    config = (
        "smoke:\n  runs: 1\n  budgets: {read: 60s}\n  journeys:\n    - name: api\n"
        "      steps:\n        - url: /deep\n          expect: {json: {$.x: 1}}\n"
        "          capture: {y: {json: $..y}}\n"
    )
    with hostile_server("json", body="[" * 100_000 + "]" * 100_000) as server:
        done, findings = _smoke(tmp_path, config, server)
    assert done.returncode == 1, done.stdout + done.stderr
    assert [f["rule_id"] for f in findings] == ["smoke/invalid-json"]
    assert "nests deeper than 200 levels" in findings[0]["message"]


def test_a_non_ascii_value_goes_out_as_utf8_and_a_bad_header_name_is_a_config_error(
    tmp_path: Path,
) -> None:
    config = (
        "smoke:\n  runs: 1\n  budgets: {read: 60s}\n  journeys:\n    - name: api\n"
        "      steps:\n        - url: /reflect\n"
        "          headers: {X-Member: '{{ env.SMOKE_MEMBER }}'}\n"
    )
    with hostile_server("reflect", body="ok") as server:
        done, _ = _smoke(tmp_path, config, server, env={"SMOKE_MEMBER": "Zoë 日本"})
        assert done.returncode == 0, done.stdout + done.stderr
        sent = server.requests[0].header("X-Member") or ""
    assert sent.encode("latin-1").decode("utf-8") == "Zoë 日本"
    bad = config.replace("X-Member:", "X-Mémber:")
    done, _ = _smoke(tmp_path / "bad", bad, server, env={"SMOKE_MEMBER": "x"})
    assert done.returncode == 2 and "launchready.yml:8:" in done.stderr
    assert "is not a header name" in done.stderr


def test_an_unparseable_uptime_url_and_history_are_clear_errors(tmp_path: Path) -> None:
    config = (
        "uptime:\n  base_url: http://127.0.0.1:9\n  checks:\n"
        '    - {name: home, url: "http://[::1"}\n'
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    history = tmp_path / "h.json"
    done = run_cli(
        "monitor", "run", "--root", str(repo), "--no-incidents", "--history", str(history)
    )
    assert done.returncode == 2, done.stderr
    assert "launchready.yml:4:" in done.stderr and "is not a URL" in done.stderr
    ok = config.replace("http://[::1", "/")
    (repo / "launchready.yml").write_text(ok)
    for text in ('{"format":1,"samples":[]}', '{"format":1,"runs":5}', "[" * 100_000):
        history.write_text(text)
        done = run_cli(
            "monitor", "run", "--root", str(repo), "--no-incidents", "--history", str(history)
        )
        assert done.returncode == 2, done.stderr
        assert "not a launchready uptime history" in done.stderr or "nested" in done.stderr


# --- item 5: a secret echoed in another form is still a secret -----------------------------


def test_a_secret_reflected_in_any_form_reaches_no_output(tmp_path: Path) -> None:
    from launchready_ci.redaction import secret_forms

    password = "Open Sesame+42/ok"  # a space, a plus and a slash: every encoding differs
    config = (
        "smoke:\n  runs: 1\n  budgets: {read: 60s, action: 60s}\n  journeys:\n"
        "    - name: login\n      steps:\n        - url: /echo\n          method: POST\n"
        "          form: {email: m@example.com, password: '{{ env.SMOKE_PASSWORD }}'}\n"
        "          headers: {X-Api-Key: '{{ env.SMOKE_API_KEY }}'}\n"
    )
    out = tmp_path / "out"
    summary = tmp_path / "summary.md"
    with hostile_server("reflect") as server:
        done, _ = _smoke(
            tmp_path, config, server,
            "--sarif", str(out / "r.sarif"), "--markdown", str(out / "r.md"),
            env={
                "SMOKE_PASSWORD": password, "GITHUB_ACTIONS": "true",
                "GITHUB_STEP_SUMMARY": str(summary),
            },
        )  # fmt: skip
        assert b"Open%20Sesame" in server.requests[0].body or b"Open+Sesame" in (
            server.requests[0].body
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "smoke/assertion-failed" in done.stdout  # the 500 echo is reported, redacted
    masks = {c.data for c in log_commands(done.stdout) if c.name == "add-mask"}
    texts = {
        "stdout": "\n".join(
            line for line in done.stdout.splitlines() if not line.startswith("::add-mask::")
        ),
        "stderr": done.stderr,
        "summary": summary.read_text(),
        "json": (tmp_path / "r.json").read_text(),
        **{p.name: p.read_text() for p in out.iterdir()},
    }
    for value in (password, API_KEY):
        for form in secret_forms(value):
            assert form in masks or form.lower() == value.lower() or form == value.upper()
            for name, text in texts.items():
                assert form.lower() not in text.lower(), (name, form)
