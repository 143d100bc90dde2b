"""What a member's mail client makes of a message: one-click unsubscribe on bulk streams
(RFC 8058, enforced by Gmail and Yahoo for bulk senders since 2024), a text/plain part,
Gmail's clipping size, and bodies that are only images. Its rules, and the detection.
"""

from __future__ import annotations

import re

from launchready_ci.checks.email.auth import Auth
from launchready_ci.checks.email.message import Message
from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "Clipped",
    "ImageOnly",
    "NoTextPart",
    "UnsubscribeMissing",
    "clipped",
    "image_only",
    "no_text_part",
    "unsubscribe",
]

#: Fewer visible characters than this beside an image: the body is the image.
IMAGE_ONLY_TEXT = 80


@register
class UnsubscribeMissing(Rule):
    """A marketing or bulk email lacks one-click unsubscribe (RFC 8058) or does not sign it.

    Why
    ---
    Since February 2024 Gmail and Yahoo require bulk senders to offer one-click
    unsubscribe (RFC 8058): a `List-Unsubscribe` header with an `https:` URL, the header
    `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, both covered by the DKIM
    signature. Without it the newsletter goes to spam, and members who cannot
    unsubscribe press "Report spam", which sinks the reputation your password resets
    share. Transactional mail may omit it: say so with `stream: transactional`.

    Remediation
    -----------
    Turn on the sending service's list-unsubscribe headers for the stream (most add
    both headers and sign them), or add them yourself and sign after adding them.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8058
    - https://support.google.com/a/answer/81126
    - https://senders.yahooinc.com/best-practices/
    """

    id = "email/unsubscribe-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("List-Unsubscribe: <mailto:unsubscribe@clubhouse.test>",),
        "good": (
            "List-Unsubscribe: <https://clubhouse.test/u/9f2c>\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        ),
    }


@register
class NoTextPart(Rule):
    """An email has no text/plain part: it is HTML only.

    Why
    ---
    Spam filters score HTML-only mail higher (SpamAssassin's MIME_HTML_ONLY), text-only
    clients, watches and screen readers in plain mode show nothing or raw markup, and
    a code or a link that lives only in HTML is lost to them.

    Remediation
    -----------
    Send multipart/alternative with a text/plain part that carries the same words,
    link and code (most mail libraries render one from the HTML template).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc2046#section-5.1.4
    """

    id = "email/no-text-part"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("Content-Type: text/html",),
        "good": ("Content-Type: multipart/alternative (text/plain, text/html)",),
    }


@register
class Clipped(Rule):
    """An email's HTML is over Gmail's 102 KB clipping size.

    Why
    ---
    Gmail cuts the message at about 102 KB of HTML and shows "[Message clipped] View
    entire message": the button at the bottom, the unsubscribe link and the tracking
    pixel are hidden behind a click, and members think the mail is broken.

    Remediation
    -----------
    Trim the template: inline CSS once rather than per element, drop comments and
    unused styles, minify, and link to long content instead of including it.

    References
    ----------
    - https://www.emailonacid.com/blog/article/email-development/gmail-clipping/
    """

    id = "email/clipped"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {"bad": ("HTML part of 180 KB",), "good": ("HTML part of 24 KB",)}


@register
class ImageOnly(Rule):
    """An email's HTML is images with next to no text.

    Why
    ---
    Most clients block remote images until the member allows them, so the message reads
    as empty; spam filters score image-only mail high (HTML_IMAGE_ONLY_*), and a link
    that is only an image has no text for a screen reader.

    Remediation
    -----------
    Put the words (and the call to action) in HTML text, with images beside them, and
    give every image an `alt`.

    References
    ----------
    - https://www.w3.org/WAI/tutorials/images/
    """

    id = "email/image-only"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ('<a href="https://clubhouse.test/join"><img src="banner.png"></a>',),
        "good": ('<p>Join the clubhouse</p><a href="https://clubhouse.test/join">Join</a>',),
    }


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (UnsubscribeMissing, NoTextPart, Clipped, ImageOnly)

_ANGLED = re.compile(r"<([^>]*)>")


def unsubscribe(message: Message, auth: Auth) -> str | None:
    """What one-click unsubscribe lacks (``None``: nothing), for a bulk stream."""
    header = message.header("list-unsubscribe")
    if not header:
        return "no List-Unsubscribe header"
    uris = [u.strip() for u in _ANGLED.findall(header)]
    if not any(u.lower().startswith("https://") for u in uris):
        shown = ", ".join(u.split(":", 1)[0] + ":" for u in uris) or "nothing in <>"
        return f"List-Unsubscribe has no https URL ({shown})"
    post = (message.header("list-unsubscribe-post") or "").strip()
    if post.replace(" ", "").lower() != "list-unsubscribe=one-click":
        return (
            "no List-Unsubscribe-Post: List-Unsubscribe=One-Click"
            if not post
            else f"List-Unsubscribe-Post is {post!r}"
        )
    signed = auth.aligned_signature() or next(
        (s for s in auth.signatures if s.result == "pass"), None
    )
    if signed is not None and not {"list-unsubscribe", "list-unsubscribe-post"} <= set(
        signed.headers
    ):
        return (
            f"the DKIM signature (d={signed.domain}) does not cover both List-Unsubscribe headers"
        )
    return None


def no_text_part(message: Message) -> bool:
    return message.text is None and message.html is not None


def clipped(message: Message, limit: int) -> int | None:
    """The HTML part's size when it is over ``limit`` bytes."""
    size = len((message.html or "").encode("utf-8"))
    return size if size > limit else None


def image_only(message: Message) -> bool:
    return message.images > 0 and len(message.html_text) < IMAGE_ONLY_TEXT
