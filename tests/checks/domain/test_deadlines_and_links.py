"""`launchready domain check` against hostile servers (tests/apps.py) and with the links
members get: a total deadline per request, the smoke test's redirect policy, --probe,
unset variables in headers, and which inline ignores it may call unused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.apps import fault_server
from tests.checks.domain.test_domain import PLANTED, _check, _pairs, _web_args
from tests.helpers import make_repo, run_cli
from tests.servers import Web

#: apex and www without TLS: only what the test names is fetched
QUIET = "domain:\n  apex: good.test\n  timeout: 1s\n  hosts: [{name: '@', https: false}, {name: www, https: false}]\n"


def test_a_server_that_trickles_its_answer_is_cut_at_the_deadline(
    tmp_path: Path, nameserver: str
) -> None:
    """Regression: with only a per-read timeout, a byte every 0.2 s held the check for as
    long as the server liked (more than 60 s before the deadline existed)."""
    with fault_server("trickle") as slow:
        config = QUIET + f"  routes: [{{url: '{slow.base_url}/feed', class: public}}]\n"
        code, output, findings = _check(tmp_path, config, "--nameserver", nameserver)
    assert code == 1, output
    assert _pairs(findings) == [("domain/request-failed", f"{slow.base_url}/feed")]
    assert "not complete in 1 s (status 200, body unfinished)" in findings[0]["message"]


def test_a_tls_handshake_that_trickles_is_cut_at_the_deadline(
    tmp_path: Path, nameserver: str
) -> None:
    with fault_server("trickle-tls") as slow:
        port = slow.base_url.rsplit(":", 1)[1]
        config = "domain:\n  apex: good.test\n  timeout: 1s\n  hosts: [{name: app}]\n"
        code, output, findings = _check(
            tmp_path, config, "--nameserver", nameserver, "--connect-to", f"::127.0.0.1:{port}"
        )
    assert code == 1, output
    failed = [f for f in findings if f["rule_id"] == "domain/tls-connection-failed"]
    assert {f["location"]["target"] for f in failed} == {
        "app.good.test",
        "good.test",
        "www.good.test",
    }
    assert all("no TLS handshake in 1 s" in f["message"] for f in failed), failed


def test_a_redirect_to_another_scheme_is_not_followed(tmp_path: Path, nameserver: str) -> None:
    """Regression: the redirect follower fetched any Location, ftp:// included, as
    http:// on its port."""
    with fault_server("odd-scheme") as odd:
        config = QUIET + (
            f"  redirects: [{{from: '{odd.base_url}/a', to: '{odd.base_url}/c', status: 302}}]\n"
        )
        code, output, findings = _check(tmp_path, config, "--nameserver", nameserver)
        seen = list(odd.seen)
    assert code == 1, output
    assert seen == ["/a"], seen  # nothing sent to the ftp:// target
    assert _pairs(findings) == [("domain/redirect-not-as-declared", f"{odd.base_url}/a")]


def test_links_from_the_command_line_are_followed(
    tmp_path: Path, nameserver: str, web: Web
) -> None:
    config = "domain:\n  apex: clubhouse.test\n  hosts: [{name: app}, {name: go}]\n"
    code, output, findings = _check(
        tmp_path, config, "--nameserver", nameserver, *_web_args(web),
        "--probe", "https://go.clubhouse.test/loop",
        "--probe", "https://app.clubhouse.test/invite/welcome-2026",  # 1 redirect, kept
    )  # fmt: skip
    assert code == 1, output
    links = [f for f in findings if f["location"]["target"].startswith("https://")]
    assert _pairs(links) == [("domain/redirect-chain", "https://go.clubhouse.test/loop")]
    assert links[0]["severity"] == "error"
    assert (
        "loops: https://go.clubhouse.test/loop -> https://go.clubhouse.test/loop2 -> "
        "https://go.clubhouse.test/loop" in links[0]["message"]
    )
    assert "2 link(s) followed" in output
    bad = _check(tmp_path / "b", config, "--probe", "ftp://x/")
    assert bad[0] == 2 and "--probe 'ftp://x/': give an http(s):// URL or a /path" in bad[1]


def test_an_unset_variable_in_a_route_header_is_a_config_error(tmp_path: Path) -> None:
    config = (
        "domain:\n  apex: good.test\n  routes:\n    - url: https://www.good.test/feed\n"
        "      class: authenticated\n      headers: {Cookie: 'session=${LR_UNSET_SESSION}'}\n"
    )
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    done = run_cli("domain", "check", "--root", str(repo), "--nameserver", "127.0.0.1:9")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "launchready.yml:6:" in done.stderr
    assert "$LR_UNSET_SESSION is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_only_ignores_in_files_the_check_read_can_be_unused(
    tmp_path: Path, nameserver: str, web: Web
) -> None:
    """The changelog's and the docs' example comments are not ignores of the domain
    check; one in launchready.yml of a domain rule that ran and matched nothing is."""
    config = PLANTED.replace(
        "  caa: [letsencrypt.org]",
        "  caa: [letsencrypt.org]  # launchready: ignore[domain/tls-expiry]",
        1,
    )
    files = {
        "launchready.yml": config,
        "CHANGELOG.md": "- `# launchready: ignore[secrets/provider-credential]` works inline\n",
        "docs/ignores.md": "Write `launchready: ignore[rule-id]` or ignore[domain/hsts-weak].\n"
        "<!-- launchready: ignore[domain/caa-missing] -->\n",
    }
    root = make_repo(tmp_path / "r", files)
    done: Any = run_cli(
        "domain", "check", "--root", str(root), "--nameserver", nameserver, *_web_args(web),
        "--fail-on", "never", env={"LR_TEST_SESSION": "x" * 12},
    )  # fmt: skip
    unused = [line for line in done.stdout.splitlines() if " launchready/unused-ignore " in line]
    assert len(unused) == 1, done.stdout[-3000:]
    assert unused[0].startswith("launchready.yml:") and "domain/tls-expiry" in unused[0]


def test_the_domain_check_follows_as_many_redirects_as_the_smoke_test() -> None:
    from launchready_ci.checks.domain import http
    from launchready_ci.checks.smoke import client

    assert http.MAX_HOPS == client.MAX_HOPS
