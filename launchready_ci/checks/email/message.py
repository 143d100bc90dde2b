"""One received message: its raw bytes, what the inbox saw (arrival, envelope, the
connecting address), and the parts a member reads (text, HTML, links, images).

Parsing never raises: a message the standard library cannot take apart has no parts,
and the checks report what is missing.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the email package is imported when a message is read
    from email.message import EmailMessage

__all__ = ["Link", "Message", "domain_of"]

_URL = re.compile(r"""https?://[^\s<>"'()\[\]{}]+""", re.IGNORECASE)
_TRAILING = ".,;:!?"


@dataclass(frozen=True)
class Link:
    url: str
    text: str  # the anchor's text (HTML), or the line around it (text part)
    part: str  # "html" or "text"


@dataclass(frozen=True)
class Message:
    """A message as an inbox delivered it."""

    id: str  # the inbox's own id (a UID, an API id)
    raw: bytes
    received: float  # when the inbox got it (epoch seconds)
    mail_from: str | None = None  # the envelope sender, when the inbox saw the SMTP session
    rcpt_to: tuple[str, ...] = ()
    peer: str | None = None  # the connecting address
    helo: str | None = None
    inbox: str = ""

    @cached_property
    def parsed(self) -> EmailMessage:
        import email
        import email.policy
        from email.message import EmailMessage

        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def header(self, name: str) -> str | None:
        try:
            value = self.parsed.get(name)
        except Exception:  # a header the policy cannot parse
            return None
        return None if value is None else str(value)

    def headers(self, name: str) -> list[str]:
        try:
            return [str(v) for v in self.parsed.get_all(name) or ()]
        except Exception:
            return []

    @property
    def subject(self) -> str:
        return self.header("subject") or ""

    @property
    def from_address(self) -> str:
        from email.utils import parseaddr

        return parseaddr(self.header("from") or "")[1]

    @property
    def from_domain(self) -> str:
        return domain_of(self.from_address)

    def recipients(self) -> list[str]:
        from email.utils import getaddresses

        found = [a for _, a in getaddresses(self.headers("to") + self.headers("cc")) if a]
        return [a.lower() for a in (*found, *self.rcpt_to)]

    @cached_property
    def _parts(self) -> tuple[str | None, str | None]:
        text = html = None
        try:
            for part in self.parsed.walk():
                if part.is_multipart() or part.get_content_disposition() == "attachment":
                    continue
                kind = part.get_content_type()
                if kind == "text/plain" and text is None:
                    text = _content(part)
                elif kind == "text/html" and html is None:
                    html = _content(part)
        except Exception:  # a broken MIME structure: whatever was read so far
            return text, html
        return text, html

    @property
    def text(self) -> str | None:
        return self._parts[0]

    @property
    def html(self) -> str | None:
        return self._parts[1]

    @cached_property
    def _html(self) -> _Html:
        reader = _Html()
        if self.html:
            with contextlib.suppress(Exception):  # markup it cannot read: what it read
                reader.feed(self.html)
                reader.close()
        return reader

    @property
    def html_text(self) -> str:
        """The words a member sees in the HTML part (no tags, scripts, styles or alt)."""
        return " ".join("".join(self._html.words).split())

    @property
    def images(self) -> int:
        return self._html.images

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Every http(s) link in the HTML and the text part, each URL once."""
        out: dict[str, Link] = {}
        for href, text in self._html.links:
            if href.lower().startswith(("http://", "https://")):
                out.setdefault(href, Link(href, " ".join(text.split()), "html"))
        for line in (self.text or "").splitlines():
            for match in _URL.finditer(line):
                url = match.group(0).rstrip(_TRAILING)
                out.setdefault(url, Link(url, " ".join(line.split()), "text"))
        return tuple(out.values())

    def readable(self) -> str:
        """The text a code or a regex capture is looked for in: the text part, else the HTML."""
        return self.text if self.text is not None else (self.html or "")


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def _content(part: EmailMessage) -> str:
    try:
        value = part.get_content()
    except Exception:  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True)
        value = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


class _Html(HTMLParser):
    """Links (href and text), images and visible words of an HTML part."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.words: list[str] = []
        self.images = 0
        self._anchor: list[str] | None = None
        self._href = ""
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._hidden += 1
        elif tag == "img":
            self.images += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._href, self._anchor = href.strip(), []
        if tag in ("br", "p", "div", "td", "tr", "li"):
            self.words.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._hidden = max(0, self._hidden - 1)
        elif tag == "a" and self._anchor is not None:
            self.links.append((self._href, "".join(self._anchor)))
            self._anchor = None
        if tag in ("p", "div", "td", "tr", "li"):
            self.words.append(" ")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.words.append(data)
        if self._anchor is not None:
            self._anchor.append(data)
