"""Waiting for a message: which one matches a step (recipient, subject, headers, arrival
after the trigger), how long it took, and what later steps take from it (a link by its
text, host or a regex; a code; a header). Its rules, and the detection behind them;
:mod:`.adapters` speaks to the inboxes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from launchready_ci.checks.email.message import Link, Message
from launchready_ci.checks.smoke.assertions import MISSING, check
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "CaptureFailed",
    "InboxFailed",
    "NotArrived",
    "SlowArrival",
    "capture",
    "find_link",
    "matches",
    "wait_for",
]

if TYPE_CHECKING:
    from launchready_ci.checks.email.adapters import Inbox
    from launchready_ci.checks.email.spec import EmailCapture, EmailStep, LinkFilter

#: How far an inbox's clock may run behind ours when it stamps arrival.
CLOCK_SKEW = 2.0


@register
class NotArrived(Rule):
    """The email a journey step waits for did not arrive before the step's deadline.

    Why
    ---
    This is "I never got the link": the invite, the password reset or the receipt is
    not sent, sent to the wrong address, stuck in a queue, or rejected on the way. The
    member waits, asks again, and then writes to support or leaves.

    Remediation
    -----------
    Look at the app's logs for the send (an exception, a missing SMTP or API key in the
    new release), then at the sending service's activity log for a bounce or a block.
    Check that the step's `to`, `subject` and `headers` still describe the mail.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc5321#section-4.5.4.1
    - https://support.google.com/a/answer/81126
    """

    id = "email/not-arrived"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("password reset › reset email: no message to member@clubhouse.test in 120 s",),
        "good": ("password reset › reset email: arrived after 1.4 s",),
    }


@register
class SlowArrival(Rule):
    """An email arrived, but later than its arrival budget (60 s by default).

    Why
    ---
    A member who asked for a reset or an invite waits with the page open; after a
    minute they ask again (two links, the first now invalid) or give up. A slow queue
    at launch usually gets slower under the first real load.

    Remediation
    -----------
    Send transactional mail outside the request but without a long queue (a dedicated
    worker, the provider's API rather than batched SMTP), and keep bulk sends on a
    separate stream so they never delay a reset.

    References
    ----------
    - https://postmarkapp.com/blog/the-importance-of-time-to-inbox
    """

    id = "email/slow-arrival"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("invite email arrived after 94 s (budget 60 s)",),
        "good": ("invite email arrived after 2.1 s",),
    }


@register
class InboxFailed(Rule):
    """The test inbox could not be reached or refused the login, so no email was checked.

    Why
    ---
    Nothing about the email journeys is known: not whether the mail arrives nor how it
    is judged. A password that was rotated, an app password revoked by the provider or
    a capture server that is not running all look like this.

    Remediation
    -----------
    The message names the inbox and what it answered (never the password). Check the
    environment variables the inbox's `user` and `password` name, and that the server
    listens where `smoke.email.inboxes` says.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9051#section-6.2.3
    - https://support.google.com/accounts/answer/185833
    """

    id = "email/inbox-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("IMAP imap.example.com:993: the login as qa@example.com was refused",),
        "good": ("IMAP imap.example.com:993 (INBOX) as qa@example.com",),
    }


@register
class CaptureFailed(Rule):
    """An email arrived, but the link, code or header later steps need was not in it.

    Why
    ---
    The member cannot go on either: a reset mail whose button lost its link, an invite
    whose link text changed to an image, a code no longer in the text part.

    Remediation
    -----------
    Compare the message with the step's `capture:`. If the template changed on purpose,
    update the capture; if not, the release broke the template.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc2045
    """

    id = "email/capture-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("capture link: {link: {text: Choose a new password}} -> no such link",),
        "good": ("capture link -> https://app.example.com/reset?token=…",),
    }


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (InboxFailed, NotArrived, SlowArrival, CaptureFailed)


def matches(
    message: Message, step: EmailStep, to: str | None, show: Callable[[Any], str] = repr
) -> bool:
    if to and to.lower() not in message.recipients():
        return False
    if step.subject is not None and check(message.subject, step.subject, show) is not None:
        return False
    for name, test in step.headers:
        value = message.header(name)
        if check(MISSING if value is None else value, test, show) is not None:
            return False
    return True


async def wait_for(
    inbox: Inbox,
    step: EmailStep,
    *,
    to: str | None,
    since: float,
    claimed: set[tuple[str, str]],
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Any] | None = None,
) -> Message | None:
    """The first message that matches ``step`` and arrived after ``since`` (less the
    inbox's clock skew), polled every ``interval`` until ``deadline``; ``None`` if none
    came. Raises :class:`~.adapters.InboxError`. A message taken once (``claimed``) is never
    taken again, so concurrent journeys and later runs each get their own."""
    import asyncio

    pause = sleep or asyncio.sleep
    started = clock()
    while True:
        found = await asyncio.to_thread(inbox.fetch, since - CLOCK_SKEW, to)
        for message in sorted(found, key=lambda m: m.received):
            key = (message.inbox, message.id)
            if key in claimed or not matches(message, step, to):
                continue
            claimed.add(key)
            return message
        if clock() - started >= step.deadline:
            return None
        await pause(min(step.interval, max(0.05, step.deadline - (clock() - started))))


def capture(message: Message, spec: EmailCapture) -> str | None:
    if spec.source == "header":
        return message.header(spec.header)
    if spec.source == "link" and spec.link is not None:
        link = find_link(message.links, spec.link)
        return None if link is None else link.url
    if spec.regex is None:
        return None
    found = spec.regex.search(message.readable())
    if found is None:
        return None
    return found.group(1) if found.groups() else found.group(0)


def find_link(links: Iterable[Link], wanted: LinkFilter) -> Link | None:
    from urllib.parse import urlsplit

    for link in links:
        parts = urlsplit(link.url)
        if wanted.text and wanted.text.lower() not in link.text.lower():
            continue
        if wanted.host and (parts.hostname or "") != wanted.host:
            continue
        if wanted.path and not parts.path.startswith(wanted.path):
            continue
        if wanted.regex is not None and not wanted.regex.search(link.url):
            continue
        return link
    return None
