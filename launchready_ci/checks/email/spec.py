"""The email half of the smoke spec: ``smoke.email`` (the inboxes and how messages are
judged) and the ``email:`` steps of journeys, read into frozen dataclasses.

The JSON Schema has checked the shape; this module checks what it cannot, with the
key of each problem (the smoke spec turns keys into file:line): an inbox a step names
that does not exist, regular expressions that do not compile, an email step without an
inbox to wait in. Credentials are templates (``{{ env.IMAP_PASSWORD }}``): their values
are secrets, masked and scrubbed like every environment variable the spec uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from launchready_ci.patterns import Pattern

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_DEADLINE",
    "EmailCapture",
    "EmailSettings",
    "EmailStep",
    "InboxSpec",
    "LinkFilter",
    "read_settings",
    "read_step",
]

#: Invites and resets: a member waits with the page open.
DEFAULT_BUDGET = 60.0
#: Twice the budget, so that a late message (a warning) is told from a lost one (an error).
DEFAULT_DEADLINE = 120.0
DEFAULT_INTERVAL = 1.0
#: Gmail clips a message whose HTML passes about 102 KB ("[Message clipped]").
CLIP_BYTES = 102 * 1024
DEFAULT_SPAM_THRESHOLD = 5.0
DEFAULT_MAX_LINKS = 25
STREAMS = ("transactional", "marketing", "bulk")


class Problems(Protocol):
    """What the smoke spec's problem list offers (see launchready_ci.checks.smoke.spec)."""

    def add(self, key: str, message: str, hint: str | None = None) -> None: ...
    def regex(self, key: str, pattern: str) -> Pattern | None: ...
    def predicate(self, key: str, value: Any) -> Any: ...


@dataclass(frozen=True)
class InboxSpec:
    name: str
    key: str  # smoke.email.inboxes.NAME, for positions
    type: str  # sink | imap | maildev | mailpit
    host: str = "127.0.0.1"
    port: int = 0
    url: Any = None  # a Template: maildev and mailpit
    user: Any = None  # a Template
    password: Any = None  # a Template
    folder: str = "INBOX"
    security: str = "tls"  # imap: tls | starttls | none
    delete: bool = True
    authserv_id: str | None = None

    def templates(self) -> Iterator[Any]:
        yield from (t for t in (self.url, self.user, self.password) if t is not None)


@dataclass(frozen=True)
class LinkFilter:
    text: str | None = None  # the link's text contains this (case-insensitive)
    host: str | None = None
    path: str | None = None  # the path starts with this
    regex: Pattern | None = None  # searched in the URL

    def describe(self) -> str:
        parts = [
            f"{k} {v!r}"
            for k, v in (("text", self.text), ("host", self.host), ("path", self.path))
            if v
        ]
        if self.regex is not None:
            parts.append(f"regex /{self.regex.pattern}/")
        return ", ".join(parts) or "any link"


@dataclass(frozen=True)
class EmailCapture:
    name: str
    source: str  # link | regex | header
    link: LinkFilter | None = None
    regex: Pattern | None = None
    header: str = ""

    def describe(self) -> str:
        if self.source == "link" and self.link is not None:
            return f"a link ({self.link.describe()})"
        if self.source == "header":
            return f"header {self.header}"
        return f"regex /{self.regex.pattern if self.regex else ''}/ in the text"


@dataclass(frozen=True)
class EmailStep:
    type: str  # the email type the report names: "password reset", "invite"
    inbox: str
    to: Any = None  # a Template
    subject: Any = None  # a test, as in expect:
    headers: tuple[tuple[str, Any], ...] = ()
    stream: str = "transactional"
    deadline: float = DEFAULT_DEADLINE
    interval: float = DEFAULT_INTERVAL
    budget: float = DEFAULT_BUDGET
    captures: tuple[EmailCapture, ...] = ()

    def templates(self) -> Iterator[Any]:
        if self.to is not None:
            yield self.to

    @property
    def bulk(self) -> bool:
        return self.stream in ("marketing", "bulk")


@dataclass(frozen=True)
class EmailSettings:
    key: str
    inboxes: tuple[InboxSpec, ...] = ()
    canonical: tuple[str, ...] = ()  # the hosts links may point at (default: base_url's)
    follow_links: bool = True
    max_links: int = DEFAULT_MAX_LINKS
    skip_links: tuple[Pattern, ...] = ()
    spam: bool = True
    spam_threshold: float = DEFAULT_SPAM_THRESHOLD
    spam_command: tuple[str, ...] = ("spamassassin", "-t", "-L")
    spam_engine: str = "auto"  # spamd (one for the run, spamc per message), spamassassin, auto
    clip_bytes: int = CLIP_BYTES
    nameserver: str | None = None
    connect_to: tuple[str, ...] = ()

    def inbox(self, name: str) -> InboxSpec | None:
        return next((i for i in self.inboxes if i.name == name), None)

    def templates(self) -> Iterator[Any]:
        for inbox in self.inboxes:
            yield from inbox.templates()


_DEFAULT_PORTS = {("imap", "tls"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143}


def read_settings(
    problems: Problems, raw: Mapping[str, Any] | None, key: str, template: Callable[[str], Any]
) -> EmailSettings:
    """``smoke.email``; an absent section is the defaults without inboxes."""
    if raw is None:
        return EmailSettings(key)
    inboxes = []
    for name, spec in (raw.get("inboxes") or {}).items():
        inboxes.append(_inbox(problems, f"{key}.inboxes.{name}", str(name), spec, template))
    links = raw.get("links") or {}
    spam = raw.get("spam", {})
    spam_raw = spam if isinstance(spam, Mapping) else {}
    command = spam_raw.get("command")
    skips = tuple(
        p
        for i, s in enumerate(links.get("skip") or ())
        if (p := problems.regex(f"{key}.links.skip[{i}]", str(s))) is not None
    )
    canonical = links.get("canonical", raw.get("canonical", ()))
    return EmailSettings(
        key=key,
        inboxes=tuple(inboxes),
        canonical=tuple(
            str(h).lower().rstrip(".")
            for h in ([canonical] if isinstance(canonical, str) else canonical)
        ),
        follow_links=bool(links.get("follow", True)),
        max_links=int(links.get("max", DEFAULT_MAX_LINKS)),
        skip_links=skips,
        spam=spam is not False,
        spam_threshold=float(spam_raw.get("threshold", DEFAULT_SPAM_THRESHOLD)),
        spam_command=tuple(str(c) for c in command) if command else EmailSettings.spam_command,
        spam_engine=str(spam_raw.get("engine", "spamassassin" if command else "auto")),
        clip_bytes=int(raw.get("clip_bytes", CLIP_BYTES)),
        nameserver=raw.get("nameserver"),
        connect_to=tuple(str(c) for c in raw.get("connect_to") or ()),
    )


def _inbox(
    problems: Problems, key: str, name: str, raw: Mapping[str, Any], template: Callable[[str], Any]
) -> InboxSpec:
    kind = str(raw["type"])
    security = str(raw.get("security", "tls" if kind == "imap" else "none"))
    host = str(raw.get("host", "127.0.0.1"))
    port = int(raw.get("port", _DEFAULT_PORTS.get((kind, security), 0)))
    if kind == "sink" and "listen" in raw:
        listen = str(raw["listen"])
        host, sep, number = listen.rpartition(":")
        if not sep or not number.isdigit() or not 0 < int(number) < 65536:
            problems.add(f"{key}.listen", f"{listen!r} is not HOST:PORT", "write 127.0.0.1:2525")
            host, number = "127.0.0.1", "0"
        host, port = host.strip("[]") or "127.0.0.1", int(number)
    if kind in ("maildev", "mailpit") and "url" not in raw:
        problems.add(
            key, f"a {kind} inbox needs the url of its web API", "url: http://localhost:1080"
        )
    if kind == "imap":
        for needed in ("host", "user", "password"):
            if needed not in raw:
                problems.add(
                    key,
                    f"an imap inbox needs {needed}",
                    "user and password from env: '{{ env.TEST_INBOX_PASSWORD }}'",
                )
    for secret in ("password",):
        value = raw.get(secret)
        if isinstance(value, str) and value and not template(value).env:
            problems.add(
                f"{key}.{secret}",
                "a password written into launchready.yml is a committed secret",
                "take it from the environment: '{{ env.TEST_INBOX_PASSWORD }}'",
            )
    return InboxSpec(
        name=name,
        key=key,
        type=kind,
        host=host,
        port=port,
        url=template(str(raw["url"])) if "url" in raw else None,
        user=template(str(raw["user"])) if "user" in raw else None,
        password=template(str(raw["password"])) if "password" in raw else None,
        folder=str(raw.get("folder", "INBOX")),
        security=security,
        delete=bool(raw.get("delete", kind != "imap")),
        authserv_id=raw.get("authserv_id"),
    )


def read_step(  # noqa: PLR0917  (the smoke spec's own reader passes these)
    problems: Problems,
    key: str,
    raw: Mapping[str, Any],
    settings: EmailSettings,
    template: Callable[[str], Any],
    duration: Any,
) -> EmailStep:
    """The ``email:`` mapping of the step at ``key``."""
    ekey = f"{key}.email"
    inbox = raw.get("inbox")
    if inbox is None:
        if len(settings.inboxes) == 1:
            inbox = settings.inboxes[0].name
        elif not settings.inboxes:
            problems.add(
                ekey,
                "an email step, but no inbox to wait in",
                "add smoke.email.inboxes (a sink, imap, maildev or mailpit)",
            )
            inbox = ""
        else:
            names = ", ".join(i.name for i in settings.inboxes)
            problems.add(ekey, f"which inbox? smoke.email.inboxes has {names}", "add inbox: NAME")
            inbox = ""
    elif settings.inbox(str(inbox)) is None:
        known = ", ".join(i.name for i in settings.inboxes) or "none"
        problems.add(f"{ekey}.inbox", f"no inbox named {inbox!r} in smoke.email.inboxes ({known})")
    captures = [
        _capture(problems, f"{ekey}.capture.{name}", str(name), spec)
        for name, spec in (raw.get("capture") or {}).items()
    ]
    deadline = duration(raw["deadline"]) if "deadline" in raw else None
    budget = duration(raw["budget"]) if "budget" in raw else None
    if deadline is not None and budget is not None and deadline < budget:
        problems.add(
            f"{ekey}.deadline",
            "the deadline is shorter than the arrival budget",
            "wait at least as long as the budget",
        )
    if budget is None:
        budget = DEFAULT_BUDGET if deadline is None else min(DEFAULT_BUDGET, deadline)
    if deadline is None:
        deadline = max(DEFAULT_DEADLINE, budget)
    return EmailStep(
        type=str(raw.get("type") or ""),
        inbox=str(inbox),
        to=template(str(raw["to"])) if "to" in raw else None,
        subject=problems.predicate(f"{ekey}.subject", raw.get("subject")),
        headers=tuple(
            (str(name).lower(), problems.predicate(f"{ekey}.headers", test))
            for name, test in (raw.get("headers") or {}).items()
        ),
        stream=str(raw.get("stream", "transactional")),
        deadline=deadline,
        interval=duration(raw["interval"]) if "interval" in raw else DEFAULT_INTERVAL,
        budget=budget,
        captures=tuple(captures),
    )


def _capture(problems: Problems, key: str, name: str, raw: Mapping[str, Any]) -> EmailCapture:
    if "link" in raw:
        spec = raw["link"]
        spec = {"text": spec} if isinstance(spec, str) else (spec or {})
        regex = problems.regex(f"{key}.link.regex", spec["regex"]) if "regex" in spec else None
        link = LinkFilter(
            text=spec.get("text"),
            host=str(spec["host"]).lower() if "host" in spec else None,
            path=spec.get("path"),
            regex=regex,
        )
        return EmailCapture(name, "link", link=link)
    if "header" in raw:
        return EmailCapture(name, "header", header=str(raw["header"]))
    return EmailCapture(name, "regex", regex=problems.regex(f"{key}.regex", str(raw["regex"])))
