"""`launchready domain check` against real servers: NSD and nginx (see tests/servers.py)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

from tests.helpers import make_repo, run_cli
from tests.servers import Web

GOOD = """\
domain:
  apex: good.test
  hosts:
    - {name: "@", a: [203.0.113.10]}
    - {name: www, cname: good.test}
    - {name: app, a: [203.0.113.11], aaaa: ["2001:db8::11"]}
    - {name: api, cname: api-host.provider.test}
  canonical: www
  caa: [letsencrypt.org]
  redirects:
    - {from: "https://good.test/pricing", to: "https://www.good.test/pricing", status: 301}
  routes:
    - url: https://www.good.test/feed
      class: authenticated
      headers: {Cookie: "session=$LR_TEST_SESSION"}
    - {url: "https://www.good.test/static/app.3f9a2c.js", class: static}
  deep_links: [app]
  rate_limit: {url: "https://www.good.test/login", requests: 12, seconds: 1}
  mail:
    - {domain: "@", senders: [postmark, google], dkim: [pm]}
    - {domain: news, senders: [postmark]}
"""

PLANTED = """\
domain:
  apex: clubhouse.test
  hosts:
    - {name: "@"}
    - {name: www}
    - {name: app, a: [203.0.113.11]}
    - {name: old}
    - {name: api, cname: cname.vercel.test}
    - {name: status.broken.test.}
    - {name: soon}
    - {name: web}
    - {name: go}
    - {name: links}
    - {name: legacy}
    - {name: shop}
    - {name: edge}
  caa: [letsencrypt.org]
  redirects:
    - {from: "https://go.clubhouse.test/old-pricing", to: "https://web.clubhouse.test/pricing"}
    - {from: "https://go.clubhouse.test/loop", to: "https://go.clubhouse.test/loop2"}
  probes:
    - https://app.clubhouse.test/invite/welcome-2026
    - https://app.clubhouse.test/invite/launch-week?token=lr-invite-7f3a
    - {url: "/reset?token=lr-reset-91c2", host: app}
    - {url: "https://go.clubhouse.test/spring?utm=mail", redirects: 3}
  routes:
    - url: https://web.clubhouse.test/feed
      class: authenticated
      headers: {Cookie: "session=$LR_TEST_SESSION"}
    - {url: "https://web.clubhouse.test/static/app.3f9a2c.js", class: static}
  deep_links: [links]
  rate_limit: {url: "https://web.clubhouse.test/login", requests: 12, seconds: 1}
  mail:
    - {domain: "@", senders: [postmark], dkim: [pm, s1, s2, google]}
    - {domain: news, senders: [postmark]}
    - {domain: txn, receives: false}
    - {domain: bad, receives: false}
"""


SESSION = "lr-sess-" + "9f2c41d7e0"  # a test account's cookie: must never be printed


SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "sarif-schema-2.1.0.json"


def _check(tmp_path: Path, config: str, *args: str) -> tuple[int, str, list[dict[str, Any]]]:
    import jsonschema

    root = make_repo(tmp_path / "r", {"launchready.yml": config})
    out, sarif = tmp_path / "domain.json", tmp_path / "domain.sarif"
    result = run_cli(
        "domain", "check", "--root", str(root), "--json", str(out), "--sarif", str(sarif),
        *args, env={"LR_TEST_SESSION": SESSION},
    )  # fmt: skip
    if sarif.exists():  # every run's SARIF is valid SARIF 2.1.0, and holds no cookie
        text = sarif.read_text()
        jsonschema.validate(json.loads(text), json.loads(SARIF_SCHEMA.read_text()))
        assert SESSION not in text
    findings = json.loads(out.read_text())["findings"] if out.exists() else []
    return result.returncode, result.stdout + result.stderr, findings


def _pairs(findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["rule_id"], f["location"]["target"]) for f in findings)


def _web_args(web: Web) -> tuple[str, ...]:
    routes = [arg for rule in web.connect_to() for arg in ("--connect-to", rule)]
    return (*routes, "--ca-bundle", web.ca_bundle)


def test_a_domain_as_intended_has_no_finding(tmp_path: Path, nameserver: str, web: Web) -> None:
    code, output, findings = _check(tmp_path, GOOD, "--nameserver", nameserver, *_web_args(web))
    assert code == 0, output
    assert findings == [], output
    assert f"4 hostnames and 2 mail domains of good.test via {nameserver}" in output
    assert "DKIM pm._domainkey.good.test: rsa-2048" in output
    assert "DMARC _dmarc.good.test: p=reject, adkim=s, aspf=r" in output
    assert re.search(r"TLS app.good.test: TLSv1.[23], trustme", output), output[-1500:]


def test_each_planted_problem_is_a_finding(tmp_path: Path, nameserver: str, web: Web) -> None:
    code, output, findings = _check(tmp_path, PLANTED, "--nameserver", nameserver, *_web_args(web))
    assert code == 1, output
    assert "Traceback" not in output
    assert _pairs(findings) == sorted(
        [
            ("domain/dns-record-missing", "www.clubhouse.test"),
            ("domain/dns-record-mismatch", "app.clubhouse.test"),
            ("domain/dangling-cname", "old.clubhouse.test"),
            # dangling too, but its edge answers under --connect-to: TLS and HTTP checked
            ("domain/dangling-cname", "edge.clubhouse.test"),
            ("domain/hsts-weak", "edge.clubhouse.test"),
            ("domain/dns-record-mismatch", "api.clubhouse.test"),
            ("domain/dns-lookup-failed", "status.broken.test"),
            # the parent `test` REFUSES: no record, so no CAA anywhere
            ("domain/caa-missing", "clubhouse.test"),
            ("domain/mx-missing", "clubhouse.test"),
            ("domain/spf-too-many-lookups", "clubhouse.test"),
            ("domain/spf-sender-missing", "clubhouse.test"),
            ("domain/spf-all-too-permissive", "clubhouse.test"),
            ("domain/dkim-weak-key", "clubhouse.test"),
            ("domain/dkim-invalid", "clubhouse.test"),  # p= empty
            ("domain/dkim-invalid", "clubhouse.test"),  # no p= at all
            ("domain/dkim-missing", "clubhouse.test"),
            ("domain/dmarc-policy-none", "clubhouse.test"),
            ("domain/dmarc-no-reports", "clubhouse.test"),
            ("domain/spf-invalid", "news.clubhouse.test"),
            # news and bad have no DMARC record of their own: the organizational domain's
            # applies, reported once on it, naming them
            ("domain/spf-all-too-permissive", "txn.clubhouse.test"),
            ("domain/dmarc-invalid", "txn.clubhouse.test"),
            # TLS, over --connect-to to nginx, trusting the test CA's root only
            ("domain/tls-untrusted", "clubhouse.test"),  # no intermediate sent
            # no intermediate either, and its HTTP checks still run: the hop to http://
            ("domain/tls-untrusted", "shop.clubhouse.test"),
            ("domain/hsts-weak", "shop.clubhouse.test"),
            ("domain/redirect-chain", "shop.clubhouse.test"),
            ("domain/redirect-chain", "shop.clubhouse.test"),
            ("domain/redirect-drops-path", "shop.clubhouse.test"),
            ("domain/tls-expiry", "app.clubhouse.test"),
            ("domain/tls-expiry", "soon.clubhouse.test"),
            ("domain/tls-hostname-mismatch", "api.clubhouse.test"),
            ("domain/tls-old-protocol", "legacy.clubhouse.test"),
            # HTTP, hop by hop
            ("domain/https-redirect-missing", "web.clubhouse.test"),
            ("domain/hsts-weak", "web.clubhouse.test"),
            ("domain/redirect-drops-path", "go.clubhouse.test"),
            ("domain/redirect-chain", "go.clubhouse.test"),  # through plain http
            ("domain/redirect-chain", "go.clubhouse.test"),  # 2 hops and more
            ("domain/hsts-weak", "links.clubhouse.test"),
            ("domain/redirect-not-as-declared", "https://go.clubhouse.test/old-pricing"),
            ("domain/redirect-chain", "https://go.clubhouse.test/loop"),
            ("domain/cache-authenticated-shared", "https://web.clubhouse.test/feed"),
            ("domain/cache-static-short", "https://web.clubhouse.test/static/app.3f9a2c.js"),
            ("domain/deep-link-file-invalid", "links.clubhouse.test"),
            ("domain/deep-link-file-invalid", "links.clubhouse.test"),
            ("domain/no-rate-limit", "https://web.clubhouse.test/login"),
            # the links of the launch email, followed hop by hop (query values hidden)
            ("domain/link-broken", "https://app.clubhouse.test/invite/launch-week?token=…"),
            ("domain/redirect-drops-path", "https://app.clubhouse.test/invite/launch-week?token=…"),
            ("domain/link-wrong-host", "https://app.clubhouse.test/reset?token=…"),
            ("domain/redirect-chain", "https://go.clubhouse.test/spring?utm=…"),
            ("domain/redirect-drops-path", "https://go.clubhouse.test/spring?utm=…"),
            # a syntax error only RFC 7208 evaluation (pyspf) sees
            ("domain/spf-invalid", "bad.clubhouse.test"),
        ]
    )
    messages = {f["rule_id"] + " " + f["location"]["target"]: f["message"] for f in findings}
    assert (
        "needs 14 DNS lookups (limit 10) and 3 find nothing (limit 2)"
        in (messages["domain/spf-too-many-lookups clubhouse.test"])
    )
    assert (
        "does not include spf.mtasv.net (postmark)"
        in (messages["domain/spf-sender-missing clubhouse.test"])
    )
    assert (
        "A is 203.0.113.99, launchready.yml expects 203.0.113.11"
        in (messages["domain/dns-record-mismatch app.clubhouse.test"])
    )
    assert (
        "gone-app.provider.test, which does not exist"
        in (messages["domain/dangling-cname old.clubhouse.test"])
    )
    assert "answered SERVFAIL" in messages["domain/dns-lookup-failed status.broken.test"]
    assert "RSA-1024, under 2048 bits" in messages["domain/dkim-weak-key clubhouse.test"]
    assert "ends with +all" in messages["domain/spf-all-too-permissive txn.clubhouse.test"]
    assert "p='maybe'" in messages["domain/dmarc-invalid txn.clubhouse.test"]
    assert "does not send its intermediate" in messages["domain/tls-untrusted clubhouse.test"]
    expiry = {f["location"]["target"]: f for f in findings if f["rule_id"] == "domain/tls-expiry"}
    assert expiry["app.clubhouse.test"]["severity"] == "error"  # under 7 days
    assert expiry["soon.clubhouse.test"]["severity"] == "warning"  # under 21 days
    assert "expires in 15 days" in expiry["soon.clubhouse.test"]["message"]
    go = [f["message"] for f in findings if f["location"]["target"] == "go.clubhouse.test"]
    assert any("redirect through plain http" in m for m in go), go
    assert any("(/launchready-probe/invite?token=lr-probe) are lost" in m for m in go), go
    assert (
        "answers 302 https://web.clubhouse.test/; launchready.yml declares 301"
        in (messages["domain/redirect-not-as-declared https://go.clubhouse.test/old-pricing"])
    )
    assert "redirect loop" in messages["domain/redirect-chain https://go.clubhouse.test/loop"]
    assert "max-age=300 (under a year)" in messages["domain/hsts-weak links.clubhouse.test"]
    assert (
        "public, max-age=300 (no private or no-store, public, cf-cache-status: HIT)"
        in (messages["domain/cache-authenticated-shared https://web.clubhouse.test/feed"])
    )
    assert (
        "12 POST https://web.clubhouse.test/login in 1 s never got 429 (answers: 401 × 12)"
        in (messages["domain/no-rate-limit https://web.clubhouse.test/login"])
    )
    assert "HTTPS links.clubhouse.test: Cloudflare" in output  # its CF-Ray header
    # web's / names no CDN, its /feed's cf-cache-status does: never "no CDN seen" then
    assert "HTTPS web.clubhouse.test: Cloudflare" in output
    assert "HTTPS web.clubhouse.test: no CDN seen" not in output
    assert (
        "is a permanent error for every receiver"
        in (messages["domain/spf-invalid bad.clubhouse.test"])
    )
    every = [f["message"] for f in findings]
    assert any("s1._domainkey.clubhouse.test is unusable: p= is empty" in m for m in every)
    assert any("s2._domainkey.clubhouse.test is unusable: no key (p= missing)" in m for m in every)
    assert all("0 key records" not in m for m in every)
    inherit = "news.clubhouse.test and bad.clubhouse.test inherit it"
    assert inherit in messages["domain/dmarc-policy-none clubhouse.test"]
    assert inherit in messages["domain/dmarc-no-reports clubhouse.test"]
    # HSTS names the URL that was requested.
    assert messages["domain/hsts-weak links.clubhouse.test"].startswith(
        "https://links.clubhouse.test/launchready-probe/invite?token=lr-probe sends HSTS"
    )
    shop = [f["message"] for f in findings if f["location"]["target"] == "shop.clubhouse.test"]
    broken = "(the TLS chain of shop.clubhouse.test does not verify: checked as a browser"
    assert sum(broken in m for m in shop) == 4, shop  # every HTTP finding; not the TLS one
    assert any("redirect through plain http" in m for m in shop)
    # The links: where each one ends, its token never shown.
    launch = "https://app.clubhouse.test/invite/launch-week?token=…"
    assert (
        "ends in 404 at https://app.clubhouse.test/invites/expired after 1 redirect"
        in messages[f"domain/link-broken {launch}"]
    )
    assert (
        "without its query (token=…) and path (/invite/launch-week)"
        in (messages[f"domain/redirect-drops-path {launch}"])
    )
    assert (
        "ends on preview.clubhouse.test"
        in (messages["domain/link-wrong-host https://app.clubhouse.test/reset?token=…"])
    )
    spring = "https://go.clubhouse.test/spring?utm=…"
    assert (
        "passes through plain http (http://go.clubhouse.test/start)"
        in (messages[f"domain/redirect-chain {spring}"])
    )
    for token in ("lr-invite-7f3a", "lr-reset-91c2"):
        assert token not in output and token not in json.dumps(findings)
    # The scope lists every host whose TLS or HTTP checks did not run, and why.
    assert "edge.clubhouse.test: its CNAME dangles; TLS and HTTP checked at 127.0.0.1:" in output
    skipped = output[output.index("not checked: ") :]
    for entry in (
        "old.clubhouse.test (TLS and HTTP: its CNAME dangles",
        "www.clubhouse.test (TLS and HTTP: no address record",
        "status.broken.test (TLS and HTTP: its DNS lookup failed",
        "api.clubhouse.test (HTTP: its certificate is for other names)",
        "legacy.clubhouse.test (HTTP: it offers TLS 1.1 or older only)",
    ):
        assert entry in skipped, skipped
    # Each finding points at the launchready.yml entry that states the intent.
    www = next(f for f in findings if f["location"]["target"] == "www.clubhouse.test")
    assert www["location"]["path"] == "launchready.yml" and www["location"]["start_line"] == 5


BROKEN_CHAIN = """\
domain:
  apex: clubhouse.test
  hosts: [{name: shop}, {name: app}]
  routes:
    - url: https://shop.clubhouse.test/account
      class: authenticated
      headers: {Cookie: "session=$LR_TEST_SESSION"}
  redirects:
    - {from: "https://app.clubhouse.test/store", to: "https://shop.clubhouse.test/store", status: 302}
  probes: ["https://app.clubhouse.test/store?ref=launch-mail"]
"""


def test_past_a_broken_chain_its_routes_and_the_chains_through_it_are_checked(
    tmp_path: Path, nameserver: str, web: Web
) -> None:
    """shop sends no intermediate: its TLS finding, then what a browser that completes
    the chain meets there: a route a shared cache may keep, and a declared redirect and
    an email link from app that pass through shop on to plain http."""
    code, output, findings = _check(
        tmp_path, BROKEN_CHAIN, "--nameserver", nameserver, *_web_args(web)
    )
    assert code == 1, output
    shop = "shop.clubhouse.test"
    route, redirect = f"https://{shop}/account", "https://app.clubhouse.test/store"
    link = "https://app.clubhouse.test/store?ref=…"
    mine = [f for f in findings if f["location"]["target"] in (shop, route, redirect, link)]
    assert _pairs(mine) == sorted(
        [
            ("domain/tls-untrusted", shop),
            ("domain/hsts-weak", shop),
            ("domain/redirect-chain", shop),
            ("domain/redirect-chain", shop),
            ("domain/redirect-drops-path", shop),
            ("domain/cache-authenticated-shared", route),
            ("domain/redirect-chain", redirect),  # through plain http
            ("domain/redirect-chain", redirect),  # 3 redirects
            ("domain/redirect-chain", link),  # through plain http
            ("domain/redirect-chain", link),  # more redirects than 1
            ("domain/redirect-drops-path", link),
        ]
    ), output
    broken = f"(the TLS chain of {shop} does not verify: checked as a browser"
    for f in mine:
        if f["rule_id"] == "domain/tls-untrusted":
            assert broken not in f["message"] and "intermediate" in f["message"]
        else:
            assert broken in f["message"], f
    messages = [f["message"] for f in mine if f["location"]["target"] == link]
    assert any(
        "passes through plain http (http://shop.clubhouse.test/start)" in m for m in messages
    )
    assert any("takes 3 redirects (at most 1)" in m for m in messages), messages
    assert any("without its query (ref=…) and path (/store)" in m for m in messages), messages
    assert "launch-mail" not in output
    cache = next(f for f in mine if f["location"]["target"] == route)
    assert "Cache-Control: public, max-age=600 (no private or no-store, public)" in cache["message"]


def test_a_subdomain_checked_without_its_apex_says_it_inherits_the_policy_once(
    tmp_path: Path, nameserver: str
) -> None:
    """news has no DMARC record of its own; the apex's p=none (no rua) applies to it. With
    the apex's mail not listed, news reports it, once per rule, saying it inherits."""
    config = (
        "domain:\n  apex: clubhouse.test\n"
        "  hosts: [{name: '@', https: false}, {name: www, https: false}]\n"
        "  mail: [{domain: news, senders: [postmark], receives: false}]\n"
    )
    code, output, findings = _check(tmp_path, config, "--nameserver", nameserver)
    assert code == 1, output
    dmarc = [f for f in findings if f["rule_id"].startswith("domain/dmarc-")]
    assert _pairs(dmarc) == [
        ("domain/dmarc-no-reports", "news.clubhouse.test"),
        ("domain/dmarc-policy-none", "news.clubhouse.test"),
    ], output
    inherits = (
        "news.clubhouse.test has no DMARC record of its own and inherits _dmarc.clubhouse.test"
    )
    assert all(f["message"].startswith(inherits) for f in dmarc), dmarc
    assert "DMARC news.clubhouse.test: inherits _dmarc.clubhouse.test" in output


def test_a_server_that_never_answers_is_reported_not_raised(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # bound, never read: every query times out
        port = silent.getsockname()[1]
        config = "domain:\n  apex: quiet.test\n  hosts: [{name: www}]\n"
        code, output, findings = _check(tmp_path, config, "--nameserver", f"127.0.0.1:{port}")
    assert code == 1, output
    assert "Traceback" not in output
    assert {f["rule_id"] for f in findings} == {"domain/dns-lookup-failed"}
    assert all("timed out" in f["message"] for f in findings)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, output, _ = _check(tmp_path, GOOD, "--nameserver", "127.0.0.1:99999")
    assert code == 2 and "the port must be a number from 1 to 65535" in output
    code, output, _ = _check(tmp_path, "domain:\n  hosts: []\n")
    assert code == 2 and "apex" in output
    assert "Traceback" not in output


def test_without_a_domain_section_it_is_skipped_with_the_snippet(tmp_path: Path) -> None:
    code, output, _ = _check(tmp_path, "version: 1\n")
    assert code == 0, output
    assert "skipped" in output and "apex: example.com" in output


def test_connect_to_has_curls_meaning() -> None:
    from launchready_ci.checks.domain.tls import parse_connect_to, route

    rules = (
        parse_connect_to("app.example.com:443:10.0.0.5:8443"),
        parse_connect_to("::[::1]:"),  # any host, any port -> ::1, same port
    )
    assert route(rules, "app.example.com", 443) == ("10.0.0.5", 8443)
    assert route(rules, "APP.example.com", 80) == ("::1", 80)  # the first rule wants 443
    assert route(rules[:1], "www.example.com", 443) is None


def test_a_bad_connect_to_is_a_usage_error(tmp_path: Path) -> None:
    code, output, _ = _check(tmp_path / "a", GOOD, "--connect-to", "example.com:443")
    assert code == 2 and "give HOST1:PORT1:HOST2:PORT2" in output
    code, output, _ = _check(tmp_path / "b", GOOD, "--connect-to", "a:x:b:1")
    assert code == 2 and "the ports must be numbers" in output


def test_missing_mail_records_a_foreign_caa_and_a_closed_port(
    tmp_path: Path, nameserver: str, web: Web
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        port = closed.getsockname()[1]
        config = (
            "domain:\n  apex: provider.test\n  caa: [letsencrypt.org]\n"
            "  hosts: [{name: api-host}]\n  mail: [{domain: '@', receives: false}]\n"
            "  routes: [{url: 'https://api-host.provider.test/feed', class: authenticated}]\n"
        )
        code, output, findings = _check(
            tmp_path, config, "--nameserver", nameserver,
            "--connect-to", f"api-host.provider.test:443:127.0.0.1:{port}",
            "--ca-bundle", web.ca_bundle,
        )  # fmt: skip
    assert code == 1, output
    assert _pairs(findings) == sorted(
        [
            ("domain/caa-forbids-ca", "provider.test"),
            ("domain/spf-missing", "provider.test"),
            ("domain/dmarc-missing", "provider.test"),
            ("domain/tls-connection-failed", "api-host.provider.test"),
            ("domain/request-failed", "https://api-host.provider.test/feed"),
            # not listed in hosts, checked all the same: members type both
            ("domain/dns-record-missing", "provider.test"),
            ("domain/dns-record-missing", "www.provider.test"),
        ]
    ), output
    messages = {f["rule_id"]: f["message"] for f in findings}
    assert "allows sectigo.com, not letsencrypt.org" in messages["domain/caa-forbids-ca"]
    assert "refused" in messages["domain/tls-connection-failed"]


def test_a_missing_ca_bundle_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    config = "domain:\n  apex: good.test\n  ca_bundle: certs/staging-ca.pem\n"
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    done = run_cli("domain", "check", "--root", str(repo), "--nameserver", "127.0.0.1:9")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "launchready.yml:3: domain.ca_bundle: certs/staging-ca.pem is not a file" in done.stderr
