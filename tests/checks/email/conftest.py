from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mailservers import (
    Dovecot,
    MailDevServer,
    MailDns,
    dovecot_server,
    mail_dns,
    maildev_server,
)
from tests.servers import needed

IMAP_USER = "qa@mail.test"
#: The test inbox's password: planted, and searched for in every output.
IMAP_PASSWORD = "imap-app-pass-" + "7d1f9a3c55e2"
MAILDEV_PASSWORD = "maildev-web-" + "0b8e4f2a91"


@pytest.fixture(scope="session")
def mail_world() -> Iterator[MailDns]:
    """NSD serving mail.test (SPF, DKIM key, DMARC) and esp.test."""
    yield from needed(mail_dns)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    yield from needed(lambda: dovecot_server(IMAP_USER, IMAP_PASSWORD))


@pytest.fixture(scope="session")
def maildev() -> Iterator[MailDevServer]:
    yield from needed(lambda: maildev_server("qa", MAILDEV_PASSWORD))
