"""The email checks that need no server: parsing hostile messages, alignment, link hosts,
one-click unsubscribe, SpamAssassin's report, and the email spec's properties."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchready_ci.checks.email.auth import Auth, Signature, aligned, organizational_domain
from launchready_ci.checks.email.content import clipped, image_only, no_text_part, unsubscribe
from launchready_ci.checks.email.links import _dropped, host_problem, shown
from launchready_ci.checks.email.message import Message
from launchready_ci.checks.email.spam import parse
from launchready_ci.checks.smoke.spec import read_spec
from launchready_ci.config import load
from launchready_ci.errors import ConfigError


def _message(raw: bytes) -> Message:
    return Message("1", raw, 0.0)


@given(st.binary(max_size=600))
@settings(max_examples=150, deadline=None)
def test_any_bytes_parse_without_raising(raw: bytes) -> None:
    message = _message(raw)
    for value in (
        message.subject,
        message.from_domain,
        message.text,
        message.html,
        message.links,
        message.recipients(),
        message.readable(),
        message.images,
    ):
        del value  # fmt: skip


def test_links_come_from_both_parts_once_with_their_text() -> None:
    raw = (
        b"From: Clubhouse <hello@mail.test>\r\nTo: a@mail.test\r\nSubject: x\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nOpen: https://app.mail.test/r?token=1&x=2.\r\n"
        b'--b\r\nContent-Type: text/html\r\n\r\n<a href="https://app.mail.test/r?token=1&amp;x=2">'
        b"Open <b>it</b></a><img src=x><script>nope</script>\r\n--b--\r\n"
    )
    message = _message(raw)
    assert [(link.url, link.text, link.part) for link in message.links] == [
        ("https://app.mail.test/r?token=1&x=2", "Open it", "html")
    ]
    assert message.html_text == "Open it" and message.images == 1
    assert not no_text_part(message)
    assert image_only(message)  # seven characters of text beside an image
    assert message.from_domain == "mail.test"


@pytest.mark.parametrize(
    ("signer", "author", "mode", "expected"),
    [
        ("mail.test", "mail.test", "s", True),
        ("em.mail.test", "mail.test", "s", False),
        ("em.mail.test", "mail.test", "r", True),
        ("esp.test", "mail.test", "r", False),
        ("a.example.co.uk", "b.example.co.uk", "r", True),
        ("example.co.uk", "other.co.uk", "r", False),  # co.uk is a public suffix
        ("", "mail.test", "r", False),
    ],
)
def test_dmarc_alignment(signer: str, author: str, mode: str, expected: bool) -> None:
    assert aligned(signer, author, mode) is expected


def test_the_organizational_domain_uses_the_public_suffix_list() -> None:
    assert organizational_domain("mail.news.example.co.uk") == "example.co.uk"
    assert organizational_domain("app.mail.test") == "mail.test"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://app.mail.test/x", None),
        ("http://app.mail.test/x", "uses plain http"),
        ("http://localhost:3000/r", "points at localhost"),
        ("https://127.0.0.1/r", "a private address"),
        ("https://10.0.0.7/r", "a private address"),
        ("https://api.internal/r", "only the sender's machine"),
        ("https://f00d.ngrok-free.app/r", "the tunnel"),
        ("https://staging.mail.test/r", "a staging or preview host"),
        ("https://pr-42.preview.mail.test/r", "a staging or preview host"),
        ("https://www.youtube.com/watch?v=1", None),  # a third party is fine
        ("http://example.org/", "uses plain http"),
    ],
)
def test_link_hosts(url: str, problem: str | None) -> None:
    found = host_problem(url, ("app.mail.test",))
    assert (found is None) if problem is None else (problem in (found or "")), found


def test_a_link_is_shown_without_its_token() -> None:
    assert shown("https://a.test/p?token=secret&x=1") == "https://a.test/p?…"


def test_a_lost_token_is_named_never_shown() -> None:
    lost = _dropped("https://a.test/r?token=s3cr3t", "https://a.test/login", "trail", 200)
    assert lost is not None and "token" in lost and "s3cr3t" not in lost
    assert _dropped("https://a.test/r?token=s3", "https://a.test/new?token=s3", "t", 200) is None
    path = "https://a.test/invite/Zx81kPq7Lm2Nv4Rt9Yw0"
    assert _dropped(path, "https://a.test/signup?invite=Zx81kPq7Lm2Nv4Rt9Yw0", "t", 200) is None
    assert _dropped(path, "https://a.test/signup", "t", 200) is not None


def _auth(headers: tuple[str, ...]) -> Auth:
    return Auth("mail.test", (Signature("mail.test", "lr", "pass", "", headers),))


def test_one_click_unsubscribe() -> None:
    base = b"From: a@mail.test\r\nSubject: x\r\n"
    good = base + (
        b"List-Unsubscribe: <https://mail.test/u/1>, <mailto:u@mail.test>\r\n"
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nhi\r\n"
    )
    signed = ("from", "list-unsubscribe", "list-unsubscribe-post")
    assert unsubscribe(_message(good), _auth(signed)) is None
    assert "does not cover" in (unsubscribe(_message(good), _auth(("from",))) or "")
    mailto = base + b"List-Unsubscribe: <mailto:u@mail.test>\r\n\r\nhi\r\n"
    assert "no https URL (mailto:)" in (unsubscribe(_message(mailto), _auth(signed)) or "")
    assert (
        unsubscribe(_message(base + b"\r\nhi\r\n"), _auth(signed)) == "no List-Unsubscribe header"
    )


def test_clipping_counts_the_html_part() -> None:
    html = b"<p>" + b"x" * (110 * 1024) + b"</p>"
    raw = b"From: a@mail.test\r\nContent-Type: text/html\r\n\r\n" + html
    assert (clipped(_message(raw), 102 * 1024) or 0) > 102 * 1024
    assert clipped(_message(raw), 200 * 1024) is None


SA_OUTPUT = b"""\
Received: from localhost by vm
X-Spam-Flag: YES
X-Spam-Status: Yes, score=5.1 required=5.0 tests=EMPTY_MESSAGE,
\tHTML_IMAGE_ONLY_04,MIME_HTML_ONLY autolearn=no version=4.0.1
Subject: x

Content analysis details:   (5.1 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
 2.2 EMPTY_MESSAGE          Message appears to have no textual parts
 1.7 HTML_IMAGE_ONLY_04     BODY: HTML: images with 0-400 bytes of words
 0.1 MIME_HEADER_CTYPE_ONLY 'Content-Type' found without required MIME
                            headers
-0.0 NO_RELAYS              Informational: message was not relayed via SMTP

"""


def test_spamassassins_report_is_read() -> None:
    score = parse(SA_OUTPUT)
    assert (score.score, score.required, score.spam) == (5.1, 5.0, True)
    assert [name for name, _, _ in score.scored()] == [
        "EMPTY_MESSAGE", "HTML_IMAGE_ONLY_04", "MIME_HEADER_CTYPE_ONLY",
    ]  # fmt: skip
    assert score.rules[2][2] == "'Content-Type' found without required MIME headers"
    assert parse(b"garbage").score is None


email_step = st.fixed_dictionaries(
    {},
    optional={
        "inbox": st.sampled_from(["sink", "nope", "", 3]),
        "to": st.sampled_from(["a@b.test", "{{ env.TO }}", "{{ code }}", ""]),
        "subject": st.one_of(st.text(max_size=5), st.just({"matches": "("})),
        "deadline": st.sampled_from(["1s", "5m", 0, "x", -1]),
        "budget": st.sampled_from(["2m", "10ms", None]),
        "stream": st.sampled_from(["marketing", "bulk", "spam"]),
        "capture": st.dictionaries(
            st.sampled_from(["link", "code", "1x"]),
            st.dictionaries(st.sampled_from(["link", "regex", "header", "json"]),
                            st.one_of(st.text(max_size=4), st.just("("), st.just({"regex": "["}))),
            max_size=2,
        ),
    },
)  # fmt: skip
inboxes = st.dictionaries(
    st.sampled_from(["sink", "imap", "pit"]),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["sink", "imap", "maildev", "mailpit", "pop3"])},
        optional={
            "listen": st.sampled_from(["127.0.0.1:2525", "nope", ":0", "[::1]:99999"]),
            "url": st.sampled_from(["http://x", "ftp://x"]),
            "password": st.sampled_from(["{{ env.P }}", "literal-pass", ""]),
            "host": st.just("imap.test"),
            "user": st.just("u"),
        },
    ),
    max_size=2,
)


@given(email_step, inboxes)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_email_spec_is_a_spec_or_a_config_error_with_a_line(step: dict, boxes: dict) -> None:
    section = {
        "base_url": "https://app.mail.test",
        "email": {"inboxes": boxes},
        "journeys": [{"name": "j", "steps": [{"url": "/"}, {"email": step}]}],
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "launchready.yml"
        path.write_text(yaml.safe_dump({"smoke": section}))
        try:
            config = load(Path(tmp))
            read_spec(config, config.section("smoke") or {})
        except ConfigError as exc:
            assert exc.problems
            assert all(p.line is not None for p in exc.problems), exc


def test_spamcs_report_is_read() -> None:
    from launchready_ci.checks.email.spam import parse_report

    body = SA_OUTPUT.split(b"\n\n", 1)[1]
    score = parse_report(b"5.1/5.0\n" + body)
    assert (score.score, score.required, score.spam) == (5.1, 5.0, True)
    assert score.scored()[0][0] == "EMPTY_MESSAGE"
    assert parse_report(b"nothing").score is None
