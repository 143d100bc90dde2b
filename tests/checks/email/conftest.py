from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TypeVar

import pytest

from tests.mailservers import (
    Dovecot,
    MailDevServer,
    MailDns,
    dovecot_server,
    mail_dns,
    maildev_server,
)
from tests.servers import ServerFailed, ServerMissing

T = TypeVar("T")

IMAP_USER = "qa@mail.test"
#: The test inbox's password: planted, and searched for in every output.
IMAP_PASSWORD = "imap-app-pass-" + "7d1f9a3c55e2"
MAILDEV_PASSWORD = "maildev-web-" + "0b8e4f2a91"


def _needed(start: Callable[[], AbstractContextManager[T]]) -> Iterator[T]:
    try:
        server = start()
        value = server.__enter__()
    except ServerMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    except ServerFailed as exc:
        pytest.fail(str(exc))
    try:
        yield value
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def mail_world() -> Iterator[MailDns]:
    """NSD serving mail.test (SPF, DKIM key, DMARC) and esp.test."""
    yield from _needed(mail_dns)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    yield from _needed(lambda: dovecot_server(IMAP_USER, IMAP_PASSWORD))


@pytest.fixture(scope="session")
def maildev() -> Iterator[MailDevServer]:
    yield from _needed(lambda: maildev_server("qa", MAILDEV_PASSWORD))
