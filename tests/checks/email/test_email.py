"""Email journeys against real servers on loopback: an app that sends DKIM-signed mail
(its key in NSD), launchready's own SMTP sink, Dovecot over IMAPS, MailDev from npm, a
stand-in for Mailpit's documented API, and SpamAssassin run locally."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.checks.email.conftest import IMAP_PASSWORD, IMAP_USER, MAILDEV_PASSWORD
from tests.helpers import make_repo, parse_output_file, run_cli
from tests.mailservers import Dovecot, MailApp, MailDevServer, MailDns, mail_app, mailpit_standin
from tests.servers import _free_tcp_port

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "sarif-schema-2.1.0.json"


def _reset_journey(
    name: str, to: str, deadline: str = "20s", inbox: str = "", budget: str = ""
) -> str:
    """A password-reset journey: ask, wait for the mail, open its link, set the password."""
    inbox_line = f"\n            inbox: {inbox}" if inbox else ""
    return f"""\
    - name: {name}
      steps:
        - {{name: ask for a reset, method: POST, url: /password/reset, form: {{email: "{to}"}}}}
        - name: reset email
          email:
            type: password reset{inbox_line}
            to: "{to}"
            subject: {{contains: Reset}}
            deadline: {deadline}{f"{chr(10)}            budget: {budget}" if budget else ""}
            interval: 200ms
            capture:
              link: {{link: Choose a new password}}
              token: {{regex: 'token=([A-Za-z0-9_-]+)'}}
        - name: open the reset link
          url: "/password/new?token={{{{ token }}}}"
          expect: {{status: 200, body: {{contains: Choose a new password}}}}
        - name: set the password
          method: POST
          url: /password/set
          form: {{token: "{{{{ token }}}}", password: "a new one"}}
          expect: {{status: 200}}
"""


def _config(inboxes: str, journeys: str, *, spam: bool = True, runs: int = 1) -> str:
    spam_line = "" if spam else "\n    spam: false"
    return f"""\
smoke:
  runs: {runs}
  email:
    inboxes:
{inboxes}
    links: {{canonical: app.mail.test}}{spam_line}
  journeys:
{journeys}"""


def _sink(port: int) -> str:
    return f'      sink: {{type: sink, listen: "127.0.0.1:{port}"}}'


def _run(
    tmp_path: Path, config: str, app: MailApp, dns: MailDns, env: dict[str, str] | None = None
) -> tuple[Any, dict[str, Any], dict[Path, str]]:
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    out = {name: tmp_path / name for name in ("r.json", "r.sarif", "r.md", "outputs", "summary")}
    done = run_cli(
        "smoke", "run", "--root", str(repo), "--base-url", app.base_url,
        "--ca-bundle", app.ca_bundle, "--nameserver", dns.nameserver,
        "--connect-to", app.connect_to(), "--json", str(out["r.json"]),
        "--sarif", str(out["r.sarif"]), "--markdown", str(out["r.md"]),
        env={"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(out["outputs"]),
             "GITHUB_STEP_SUMMARY": str(out["summary"]), **(env or {})},
    )  # fmt: skip
    report = json.loads(out["r.json"].read_text()) if out["r.json"].exists() else {}
    texts = {p: p.read_text() for p in out.values() if p.exists()}
    return done, report, texts


def _email_result(report: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == "email")


def _lines(config: str) -> dict[str, int]:
    """journey name -> the line of its email step in launchready.yml."""
    out, journey = {}, None
    for number, line in enumerate(config.splitlines(), 1):
        found = re.match(r"\s+- name: (.+)$", line)
        if found and line.startswith("    - name:"):
            journey = found.group(1)
        if line.strip() == "- name: reset email" or line.strip() == "- name: newsletter email":
            out[str(journey)] = number
    return out


def test_a_healthy_app_passes_twice_in_a_row(tmp_path: Path, mail_world: MailDns) -> None:
    port = _free_tcp_port()
    config = _config(_sink(port), _reset_journey("password reset", "member@mail.test"), runs=2)
    with mail_app(mail_world.key, ("127.0.0.1", port)) as app:
        for attempt in ("first", "second"):
            done, report, _ = _run(tmp_path / attempt, config, app, mail_world)
            assert done.returncode == 0, done.stdout + done.stderr
            assert report["findings"] == [], done.stdout
        assert len(app.outbox.sent) == 4  # two runs, twice
    rows = _email_result(report)["measurements"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["Journey"], row["Email"], row["DKIM"], row["SPF"], row["DMARC"]) == (
        "password reset", "password reset", "pass", "pass", "pass",
    )  # fmt: skip
    assert row["Unsubscribe"] == "n/a" and row["Links"] == "1 ok" and row["Result"] == "passed"
    assert re.fullmatch(r"\d+\.\d s", row["Arrived"]), row
    assert re.fullmatch(r"-?\d+\.\d / 5", row["Spam"]), row
    assert "the SMTP sink on 127.0.0.1" in _email_result(report)["scope"]
    outputs = parse_output_file(tmp_path / "second" / "outputs")
    assert '"DKIM": "pass"' in outputs["emails"]
    smoke = next(c for c in report["checks"] if c["id"] == "smoke")
    assert [r["Step"] for r in smoke["measurements"]] == [
        "ask for a reset", "open the reset link", "set the password",
    ]  # fmt: skip


FAULT_JOURNEYS = {
    # journey name -> (recipient fault, the rules its email step must report)
    "never arrives": ("never", {"email/not-arrived"}),
    "broken body hash": ("body-hash", {"email/dkim-failed"}),
    "signed by the provider": ("unaligned", {"email/dkim-not-aligned"}),
    "reset link to localhost": ("localhost-link", {"email/link-not-canonical"}),
    "reset link drops the token": ("drops-token", {"email/link-drops-token"}),
    "reset link ends in 404": ("404-link", {"email/link-broken"}),
    "html only": ("html-only", {"email/no-text-part"}),
    "oversized": ("oversized", {"email/clipped"}),
    "a queue that lags": ("slow", {"email/slow-arrival"}),
    # its button is an image: the link text later steps look for is gone too
    "spammy": (
        "spammy",
        {"email/spam-score", "email/image-only", "email/no-text-part", "email/capture-failed"},
    ),
}


def test_each_planted_fault_is_a_finding_on_its_step(tmp_path: Path, mail_world: MailDns) -> None:
    port = _free_tcp_port()
    journeys = "".join(
        _reset_journey(name, f"fault+{fault}@mail.test", "4s" if fault == "never" else "20s",
                       budget="1s" if fault == "slow" else "")
        for name, (fault, _) in FAULT_JOURNEYS.items()
    ) + """\
    - name: newsletter without one-click
      steps:
        - {method: POST, url: /newsletter, form: {email: "fault+no-unsubscribe@mail.test"}}
        - name: newsletter email
          email:
            type: newsletter
            stream: marketing
            to: fault+no-unsubscribe@mail.test
            deadline: 20s
            interval: 200ms
"""  # fmt: skip
    config = _config(_sink(port), journeys)
    with mail_app(mail_world.key, ("127.0.0.1", port)) as app:
        done, report, texts = _run(tmp_path, config, app, mail_world)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    lines = _lines(config)
    expected = {**{n: rules for n, (_, rules) in FAULT_JOURNEYS.items()},
                "newsletter without one-click": {"email/unsubscribe-missing"}}  # fmt: skip
    email_findings = [f for f in report["findings"] if f["check_id"] == "email"]
    for journey, rules in expected.items():
        got = {f["rule_id"] for f in email_findings if f["message"].startswith(journey + " ›")}
        assert got == rules, (journey, got, output[-3000:])
        for f in email_findings:
            if f["message"].startswith(journey + " ›"):
                assert f["location"]["path"] == "launchready.yml"
                assert f["location"]["start_line"] == lines[journey], f
    messages = {f["rule_id"]: f["message"] for f in email_findings}
    assert "body hash mismatch" in messages["email/dkim-failed"]
    assert "esp.test verifies but does not align with the From domain mail.test" in (
        messages["email/dkim-not-aligned"])  # fmt: skip
    assert "http://localhost:3000/password/new?… points at localhost" in (
        messages["email/link-not-canonical"])  # fmt: skip
    assert "lost token" in messages["email/link-drops-token"]
    assert "-> 404" in messages["email/link-broken"]
    assert "Gmail clips at 102 KB" in messages["email/clipped"]
    assert "no List-Unsubscribe-Post" in messages["email/unsubscribe-missing"]
    assert re.search(
        r"SpamAssassin scores it \d+(\.\d+)? \(threshold 5\): \w+", messages["email/spam-score"]
    )
    assert "no message to fault+never@mail.test with subject contains 'Reset'" in (
        messages["email/not-arrived"])  # fmt: skip
    # A step after a missing mail is not reached; the smoke check's verdict says failed.
    smoke = next(c for c in report["checks"] if c["id"] == "smoke")
    never = [r for r in smoke["measurements"] if r["Journey"] == "never arrives"]
    assert [r["Result"] for r in never] == ["passed", "not reached 1/1", "not reached 1/1"]
    # No token (a captured value) in any output, but in the masks that hide it in the log.
    masked = "\n".join(line for line in output.splitlines() if not line.startswith("::add-mask::"))
    for token in app.outbox.tokens:
        for name, text in texts.items():
            assert token not in text, name
        assert token not in masked
    import jsonschema

    jsonschema.validate(
        json.loads(texts[tmp_path / "r.sarif"]), json.loads(SARIF_SCHEMA.read_text())
    )
    assert "| never arrives | password reset | not arrived 1/1 |" in texts[tmp_path / "summary"]


def _imap(dovecot: Dovecot, password: str = "{{ env.TEST_INBOX_PASSWORD }}") -> str:
    return (
        "      provider:\n"
        "        type: imap\n"
        "        host: 127.0.0.1\n"
        f"        port: {dovecot.port}\n"
        "        user: '{{ env.TEST_INBOX_USER }}'\n"
        f"        password: '{password}'\n"
        "        delete: true\n"
        "        authserv_id: mx.mail.test\n"
    )


def test_an_imaps_mailbox_with_the_providers_authentication_results(
    tmp_path: Path, mail_world: MailDns, dovecot: Dovecot
) -> None:
    from tests.mailservers import maildir_relay

    config = _config(_imap(dovecot), _reset_journey("password reset", IMAP_USER), spam=False)
    env = {"TEST_INBOX_USER": IMAP_USER, "TEST_INBOX_PASSWORD": IMAP_PASSWORD}
    with maildir_relay(dovecot.maildir) as mx, mail_app(mail_world.key, ("127.0.0.1", mx)) as app:
        # The app's CA and Dovecot's, in one bundle: --ca-bundle is trusted for both.
        bundle = tmp_path / "cas.pem"
        bundle.write_text(Path(app.ca_bundle).read_text() + Path(dovecot.ca_bundle).read_text())
        app = MailApp(app.base_url, app.port, str(bundle), app.outbox)
        done, report, texts = _run(tmp_path, config, app, mail_world, env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert report["findings"] == []
    row = _email_result(report)["measurements"][0]
    assert (row["DKIM"], row["SPF"], row["DMARC"]) == ("pass", "pass", "pass")
    assert f"IMAP 127.0.0.1:{dovecot.port} (INBOX) as ***" in _email_result(report)["scope"]
    assert (
        list((dovecot.maildir / "new").iterdir()) + list((dovecot.maildir / "cur").iterdir()) == []
    )
    for name, text in texts.items():
        assert IMAP_PASSWORD not in text, name
    assert f"::add-mask::{IMAP_PASSWORD}" in done.stdout
    assert IMAP_PASSWORD not in output.replace(f"::add-mask::{IMAP_PASSWORD}", "")


def test_an_imap_login_failure_is_a_clear_finding_without_the_password(
    tmp_path: Path, mail_world: MailDns, dovecot: Dovecot
) -> None:
    config = _config(_imap(dovecot), _reset_journey("password reset", IMAP_USER), spam=False)
    wrong = "wrong-" + IMAP_PASSWORD
    env = {"TEST_INBOX_USER": IMAP_USER, "TEST_INBOX_PASSWORD": wrong}
    port = _free_tcp_port()
    with mail_app(mail_world.key, ("127.0.0.1", port)) as app:
        bundle = tmp_path / "cas.pem"
        bundle.write_text(Path(app.ca_bundle).read_text() + Path(dovecot.ca_bundle).read_text())
        app = MailApp(app.base_url, app.port, str(bundle), app.outbox)
        done, report, texts = _run(tmp_path, config, app, mail_world, env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert [f["rule_id"] for f in report["findings"]] == ["email/inbox-failed"]
    finding = report["findings"][0]
    assert (
        "the login as *** was refused ([AUTHENTICATIONFAILED] Authentication failed.)"
        in finding["message"]
    )
    assert finding["location"]["start_line"] == 6  # smoke.email.inboxes.provider
    assert f"::add-mask::{wrong}" in done.stdout  # masked before anything could show it
    for name, text in texts.items():
        assert wrong not in text, name
    assert wrong not in done.stdout.replace(f"::add-mask::{wrong}", "") + done.stderr


def test_maildev_over_its_rest_api(
    tmp_path: Path, mail_world: MailDns, maildev: MailDevServer
) -> None:
    inbox = (
        "      capture:\n        type: maildev\n"
        f"        url: {maildev.url}\n        user: qa\n"
        "        password: '{{ env.MAILDEV_PASSWORD }}'\n"
    )
    config = _config(inbox, _reset_journey("password reset", "member@mail.test"), spam=False)
    with mail_app(mail_world.key, ("127.0.0.1", maildev.smtp_port)) as app:
        done, report, texts = _run(
            tmp_path, config, app, mail_world, {"MAILDEV_PASSWORD": MAILDEV_PASSWORD}
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    row = _email_result(report)["measurements"][0]
    # MailDev 3 reports the envelope but not the connecting address (2.x did): SPF is
    # unknown, DMARC passes on the aligned DKIM signature.
    assert (row["DKIM"], row["SPF"], row["DMARC"], row["Links"]) == ("pass", "none", "pass", "1 ok")
    assert all(MAILDEV_PASSWORD not in t for t in texts.values())
    assert MAILDEV_PASSWORD not in output.replace(f"::add-mask::{MAILDEV_PASSWORD}", "")


def test_the_mailpit_api(tmp_path: Path, mail_world: MailDns) -> None:
    with mailpit_standin() as pit:
        inbox = f"      pit: {{type: mailpit, url: '{pit.url}'}}\n"
        config = _config(inbox, _reset_journey("password reset", "member@mail.test"), spam=False)
        with mail_app(mail_world.key, ("127.0.0.1", pit.smtp_port)) as app:
            done, report, _ = _run(tmp_path, config, app, mail_world)
    assert done.returncode == 0, done.stdout + done.stderr
    row = _email_result(report)["measurements"][0]
    # No envelope in Mailpit's API: SPF is not known, DMARC passes on the aligned DKIM.
    assert (row["DKIM"], row["SPF"], row["DMARC"]) == ("pass", "none", "pass")
    assert ("GET", "/api/v1/search") in pit.requests
    assert ("DELETE", "/api/v1/messages") in pit.requests


@pytest.mark.parametrize(
    ("inboxes", "step", "expected"),
    [
        ("      a: {type: sink}\n", "inbox: b", "no inbox named 'b' in smoke.email.inboxes (a)"),
        ("      a: {type: imap, host: x, user: u, password: hunter2hunter2}\n", "inbox: a",
         "a password written into launchready.yml is a committed secret"),
        ("      a: {type: sink}\n", "inbox: a\n            method: GET", "unknown key 'method'"),
    ],
)  # fmt: skip
def test_config_problems_exit_2_with_the_line(
    tmp_path: Path, inboxes: str, step: str, expected: str
) -> None:
    config = f"""\
smoke:
  base_url: https://app.mail.test
  email:
    inboxes:
{inboxes}  journeys:
    - name: reset
      steps:
        - email:
            {step}
"""
    repo = make_repo(tmp_path / "repo", {"launchready.yml": config}, commit=False)
    done = run_cli("smoke", "run", "--root", str(repo))
    assert done.returncode == 2, done.stdout + done.stderr
    assert expected in done.stderr
    assert re.search(r"launchready\.yml:\d+", done.stderr)
    assert "hunter2hunter2" not in done.stdout + done.stderr
