"""Every link in an email's HTML and text parts: on the canonical host (not localhost, a
tunnel, a staging host or plain http), and followed hop by hop with the domain check's
redirect follower (so ``--connect-to``, ``--nameserver`` and the CA bundle apply): no
4xx or 5xx, no loop, and the token in its query or path kept to the page it ends on.
Its rules, and the detection behind them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from launchready_ci.checks.domain import http
from launchready_ci.checks.email.message import Link
from launchready_ci.findings import Confidence, Severity
from launchready_ci.patterns import Pattern
from launchready_ci.rules import Rule, register

__all__ = [
    "RULES",
    "LinkBroken",
    "LinkDropsToken",
    "LinkNotCanonical",
    "LinkVerdict",
    "check_links",
    "host_problem",
    "shown",
]


@register
class LinkNotCanonical(Rule):
    """A link in an email points at localhost, a tunnel, a staging host or plain http.

    Why
    ---
    The template was rendered with the wrong base URL: `APP_URL` unset in the new
    release (so `http://localhost:3000`), copied from staging, or a tunnel left from a
    demo. Every member who clicks gets an error page, and the invite or reset is lost.
    Plain `http://` sends the token in clear on café Wi-Fi.

    Remediation
    -----------
    Build links from one setting of the canonical URL (`https://app.example.com`) that
    the deploy sets per environment, and list the hosts links may use in
    `smoke.email.links.canonical`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6761#section-6.3
    - https://owasp.org/www-community/attacks/Host_Header_Injection
    """

    id = "email/link-not-canonical"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("http://localhost:3000/password/new?token=…",),
        "good": ("https://app.clubhouse.test/password/new?token=…",),
    }


@register
class LinkBroken(Rule):
    """A link in an email ends in a 4xx or 5xx, loops, or does not answer.

    Why
    ---
    "I clicked the link and got an error": a route renamed in the release, a redirect
    to a page that no longer exists, a tracking domain whose certificate lapsed. Mail
    cannot be fixed once sent, so the links must work before the next member gets it.

    Remediation
    -----------
    The message shows the hops. Restore the route (or redirect the old one), fix the
    loop, or renew the tracking domain's certificate.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.5
    """

    id = "email/link-broken"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("https://app.clubhouse.test/invite/x -> 302 /signup -> 404",),
        "good": ("https://app.clubhouse.test/invite/x -> 302 /signup?invite=x -> 200",),
    }


@register
class LinkDropsToken(Rule):
    """A link in an email redirects to a page that no longer carries its token.

    Why
    ---
    Reset, invite and magic sign-in links carry their token in the query or the path.
    A redirect that drops it (to the login page, to the home page, through a www or
    https redirect that loses the query) lands the member on a page that cannot know
    who they are: the reset "works" and nothing happens.

    Remediation
    -----------
    Redirect with the path and query kept (nginx `$request_uri`), and make the page
    behind the link read the token before any redirect to sign-in.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-10.2.2
    """

    id = "email/link-drops-token"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("/password/new?token=… -> 302 /login",),
        "good": ("/password/new?token=… -> 200 /password/new?token=…",),
    }


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (LinkNotCanonical, LinkBroken, LinkDropsToken)

_TUNNELS = (
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "ngrok.dev",
    "ngrok-free.dev",
    "trycloudflare.com",
    "loca.lt",
    "localtunnel.me",
    "serveo.net",
    "localhost.run",
    "lhr.life",
    "pagekite.me",
    "tunnelmole.net",
    "devtunnels.ms",
    "telebit.io",
    "localto.net",
    "pinggy.link",
    "bore.pub",
)
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain")
_STAGING = re.compile(
    r"^(staging|stage|stg|dev|develop|preview|qa|uat|sandbox|review|test|beta)"
    r"([-.0-9]|$)|^pr-?\d+\b|-(staging|stage|preview|dev)$"
)
#: Links followed at once.
CONCURRENCY = 8
_TOKENISH = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_~.-]{16,}$")


def shown(url: str) -> str:
    """A link as a report shows it: without the values of its query (tokens)."""
    parts = urlsplit(url)
    query = "?…" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}{query}"


def host_problem(url: str, canonical: Sequence[str]) -> str | None:
    """Why a link's host is not one members can use (``None``: it is)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return "has no host"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return f"points at {host}, a name only the sender's machine or network knows"
    if address is not None and (
        address.is_loopback or address.is_private or address.is_unspecified or address.is_link_local
    ):
        return f"points at {host}, a private address"
    if host in canonical:
        return None if parts.scheme == "https" else "uses plain http"
    if any(host == t or host.endswith("." + t) for t in _TUNNELS):
        return f"points at the tunnel {host}"
    if any(_STAGING.search(label) for label in host.split(".")[:-2] or host.split(".")[:1]):
        return f"points at {host}, a staging or preview host"
    if parts.scheme != "https":
        return "uses plain http"
    return None


@dataclass(frozen=True)
class LinkVerdict:
    link: Link
    problem: str | None = None  # not canonical
    broken: str | None = None  # 4xx/5xx, loop, no answer
    dropped: str | None = None  # the token lost on the way
    followed: bool = False
    final: str = ""  # where it ended
    status: int = 0


def check_links(
    links: Sequence[Link],
    *,
    canonical: Sequence[str],
    follow: bool,
    fetch: Callable[[str], list[http.Hop]] | None,
    limit: int,
    skip: Sequence[Pattern] = (),
) -> list[LinkVerdict]:
    """One verdict per link (at most ``limit`` followed), in the message's order."""
    out: list[LinkVerdict] = []
    to_follow: list[int] = []
    for link in links:
        problem = host_problem(link.url, canonical)
        out.append(LinkVerdict(link, problem))
        skipped = any(p.search(link.url) for p in skip)
        if problem is None and follow and fetch and not skipped and len(to_follow) < limit:
            to_follow.append(len(out) - 1)
    if to_follow and fetch is not None:
        with ThreadPoolExecutor(max_workers=min(CONCURRENCY, len(to_follow))) as pool:
            followed = list(pool.map(lambda i: _follow(out[i].link, fetch), to_follow))
        for i, verdict in zip(to_follow, followed, strict=True):
            out[i] = verdict
    return out


def _follow(link: Link, fetch: Callable[[str], list[http.Hop]]) -> LinkVerdict:
    hops = fetch(link.url)
    last = hops[-1].response
    trail = " -> ".join(
        [shown(link.url)]
        + [
            f"{h.response.status} {shown(h.response.location or '')}"
            for h in hops
            if h.response.location
        ]
    )
    broken = None
    if any(h.loop for h in hops):
        broken = f"redirects in a loop: {trail}"
    elif last.error:
        broken = f"{trail}: {last.error}"
    elif any(h.response.chain_broken for h in hops):
        why = next(h.response.chain_broken for h in hops if h.response.chain_broken)
        broken = f"{trail}: the certificate chain does not verify ({why})"
    elif last.location:  # stopped at MAX_HOPS
        broken = f"more than {http.MAX_HOPS} redirects: {trail}"
    elif last.status >= 400:
        broken = f"{trail} -> {last.status}"
    dropped = None if broken else _dropped(link.url, last.url, trail, last.status)
    return LinkVerdict(link, None, broken, dropped, True, last.url, last.status)


def _dropped(start: str, final: str, trail: str, status: int) -> str | None:
    """What of the link's token the page it ends on lacks (``None``: it is all there)."""
    if start == final:
        return None
    begin, end = urlsplit(start), urlsplit(final)
    kept = dict(parse_qsl(end.query, keep_blank_values=True))
    lost = [
        name
        for name, value in parse_qsl(begin.query, keep_blank_values=True)
        if kept.get(name) != value and value not in unquote(final)
    ]
    segments = [s for s in begin.path.split("/") if _TOKENISH.match(s)]
    lost += [f"path segment {i + 1}" for i, s in enumerate(segments) if s not in unquote(final)]
    if not lost:
        return None
    return f"{trail} -> {status}: the page it ends on lost {', '.join(lost)}"
