"""The web layer of every hostname: http:// redirecting to https://, redirect chains hop by
hop (loops, plain-http hops, lost paths and queries), declared redirects and the canonical
host, HSTS, caching of authenticated and static routes, deep-link files and the optional
rate-limit probe. Its rules, and the detection behind them; :mod:`.http` sends the
requests.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from launchready_ci.checks.domain import http
from launchready_ci.checks.domain.dns import finding
from launchready_ci.checks.domain.resolver import Resolver
from launchready_ci.checks.domain.tls import ConnectTo, route
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.redaction import shown_url
from launchready_ci.rules import Rule, register

__all__ = [
    "PROBE",
    "RULES",
    "CacheAuthenticatedShared",
    "CacheStaticShort",
    "DeepLinkFileInvalid",
    "HstsWeak",
    "HttpsRedirectMissing",
    "Link",
    "LinkBroken",
    "LinkWrongHost",
    "NoRateLimit",
    "RedirectChain",
    "RedirectDropsPath",
    "RedirectNotAsDeclared",
    "RequestFailed",
    "Web",
    "cache_route",
    "canonical",
    "deep_links",
    "judge_link",
    "link",
    "probe",
    "rate_limit",
    "redirect_rule",
    "router",
    "site_http",
]


@register
class HttpsRedirectMissing(Rule):
    """A hostname answers plain HTTP without redirecting to HTTPS.

    Why
    ---
    Links typed or pasted without `https://` open an unencrypted page: a login form or an
    invite token sent in clear over café Wi-Fi, and browsers mark the site "Not secure".

    Remediation
    -----------
    Answer every `http://` request with `301` (or `308`) to the same path and query on
    `https://`, in one hop, and add HSTS so browsers stop asking over HTTP.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4.2
    """

    id = "domain/https-redirect-missing"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("http://example.com/ -> 200",),
        "good": ("http://example.com/ -> 301 https://example.com/",),
    }


@register
class RedirectChain(Rule):
    """A redirect chain is long, loops, or passes through plain HTTP.

    Why
    ---
    Each hop costs a round trip on a phone network before the page starts; a loop is an
    error page ("too many redirects"); a hop through `http://` sends the URL, invite
    token included, in clear and defeats HSTS on the first visit.

    Remediation
    -----------
    Redirect straight to the final `https://` URL of the canonical host, in one hop.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4
    """

    id = "domain/redirect-chain"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("http://a/ -> https://a/ -> https://www.a/ -> https://www.a/home",),
        "good": ("http://a/x -> https://www.a/x",),
    }


@register
class RedirectDropsPath(Rule):
    """A redirect loses the path or the query string of the URL it redirects.

    Why
    ---
    Invite links, password-reset links and magic sign-in links carry their token in the
    path or the query. A redirect to the home page (or one that keeps the path but drops
    `?token=`) breaks every one of them, silently: the member lands on the home page and
    the invite is lost.

    Remediation
    -----------
    Redirect to the same path and query on the new host: nginx
    `return 301 https://www.example.com$request_uri;`, not `return 301 https://www.example.com;`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-10.2.2
    """

    id = "domain/redirect-drops-path"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("return 302 https://www.example.com/;",),
        "good": ("return 301 https://www.example.com$request_uri;",),
    }


@register
class RedirectNotAsDeclared(Rule):
    """A redirect in launchready.yml (or the canonical host) is not what the site does.

    Why
    ---
    The redirect map is the contract: old marketing URLs, the apex-to-www move, renamed
    pages. A redirect that goes elsewhere, with another status, or not at all sends
    members and search engines to the wrong page (a 302 where a 301 was meant also keeps
    the old URL in search results).

    Remediation
    -----------
    Make the server answer as declared, or correct `domain.redirects` / `domain.canonical`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4.2
    """

    id = "domain/redirect-not-as-declared"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("# {from: /old-pricing, to: /pricing, status: 301}\n/old-pricing -> 302 /",),
        "good": ("/old-pricing -> 301 /pricing",),
    }


@register
class HstsWeak(Rule):
    """An HTTPS hostname sends no HSTS header, or one with max-age under a year.

    Why
    ---
    Without HSTS the first request of every visit may go over plain HTTP, where it can be
    intercepted or downgraded. A short max-age lapses between visits. `includeSubDomains`
    and `preload` are reported too: preload lists need both and a year.

    Remediation
    -----------
    Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every HTTPS
    response (after checking every subdomain serves HTTPS), and consider preload.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6797#section-6.1
    - https://hstspreload.org/#deployment-recommendations
    """

    id = "domain/hsts-weak"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    examples = {
        "bad": ("Strict-Transport-Security: max-age=300",),
        "good": ("Strict-Transport-Security: max-age=63072000; includeSubDomains; preload",),
    }


@register
class CacheAuthenticatedShared(Rule):
    """An authenticated page may be stored by a shared cache (CDN, proxy) and shown to others.

    Why
    ---
    When a CDN caches `/feed` or `/account` as requested with one member's cookie, the
    next visitor is served that member's page: their name, messages and billing. The
    response must say `Cache-Control: private` or `no-store`, and never `public` or
    `s-maxage`; a `cf-cache-status: HIT` proves a cache already holds it.

    Remediation
    -----------
    Send `Cache-Control: private, no-store` on every response that depends on the
    session, and bypass the CDN cache for requests with the session cookie.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.7
    - https://developers.cloudflare.com/cache/concepts/default-cache-behavior/
    """

    id = "domain/cache-authenticated-shared"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("GET /feed (Cookie: session=...) -> Cache-Control: public, max-age=300",),
        "good": ("GET /feed (Cookie: session=...) -> Cache-Control: private, no-store",),
    }


@register
class CacheStaticShort(Rule):
    """A static asset is not cacheable for long (or, with a hashed name, not `immutable`).

    Why
    ---
    Every page view refetches or revalidates the JavaScript and CSS: slower first paint
    on phones and more load on the origin on launch day. Hashed file names never change
    content, so they can be cached for a year and marked `immutable`.

    Remediation
    -----------
    Serve hashed assets with `Cache-Control: public, max-age=31536000, immutable`.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8246
    """

    id = "domain/cache-static-short"
    severity = Severity.NOTICE
    confidence = Confidence.HIGH
    examples = {
        "bad": ("/_next/static/chunks/main-3f9a2c.js -> Cache-Control: max-age=60",),
        "good": ("... -> Cache-Control: public, max-age=31536000, immutable",),
    }


@register
class DeepLinkFileInvalid(Rule):
    """An app deep-link file is missing, redirected or not served as JSON.

    Why
    ---
    iOS fetches `/.well-known/apple-app-site-association` and Android
    `/.well-known/assetlinks.json` from each deep-link host, without following
    redirects, and expect JSON. If either fails, invite and sign-in links open the
    browser instead of the app, and magic links stop working in the app.

    Remediation
    -----------
    Serve both files with status 200, no redirect (exempt `/.well-known/` from the
    www/https redirects), and `Content-Type: application/json`.

    References
    ----------
    - https://developer.apple.com/documentation/xcode/supporting-associated-domains
    - https://developer.android.com/training/app-links/verify-android-applinks
    """

    id = "domain/deep-link-file-invalid"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("/.well-known/assetlinks.json -> 301 /assetlinks.json",),
        "good": ("/.well-known/assetlinks.json -> 200 application/json",),
    }


@register
class NoRateLimit(Rule):
    """The rate-limit probe sent its burst to a configured route and never got a 429.

    Why
    ---
    A login, sign-up, password-reset or invite endpoint without a rate limit lets anyone
    try passwords by the thousand, spam your members with reset mail (your sender
    reputation pays), or burn your email and SMS budget in an afternoon.

    Remediation
    -----------
    Limit the route at the edge or in the app (Cloudflare rate limiting rules, nginx
    `limit_req` with `limit_req_status 429`, a middleware), per IP and per account, and
    answer `429 Too Many Requests` with `Retry-After`. The probe is bounded: it sends
    `requests` requests spread over `seconds` and stops at the first 429.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc6585#section-4
    - https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html
    """

    id = "domain/no-rate-limit"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("30 POST /login in 10 s -> 30 × 401",),
        "good": ("30 POST /login in 10 s -> 401 × 5, then 429",),
    }


@register
class RequestFailed(Rule):
    """A URL in launchready.yml (a route, the rate-limit probe) could not be fetched at all.

    Why
    ---
    The check it was listed for could not run: the host refused or dropped the
    connection, TLS failed, or no answer came in time. If members can reach it, the
    runner cannot, and the result says nothing about caching or rate limits.

    Remediation
    -----------
    Fix the URL in launchready.yml, or the reason it does not answer (the message says
    which); under `--connect-to`, check the rule points at the right address.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15
    """

    id = "domain/request-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("GET https://app.example.com/feed -> connection refused",),
        "good": ("GET https://app.example.com/feed -> 200",),
    }


@register
class LinkBroken(Rule):
    """A link members get (an invite, a password reset, a campaign URL) ends in an error.

    Why
    ---
    The link in the email works on the team's machines, through the staging domain, or
    before the deploy; for members it ends on a 404 or a 500, or does not answer at all.
    An invite that ends on an error page is a member who never joins, and nothing in
    the server's metrics says so.

    Remediation
    -----------
    Follow the link by hand (`curl -sIL URL`) and fix the step that fails: a route
    removed or renamed, a redirect to a path that no longer exists, a host without the
    app. List the links your emails carry under `domain.probes` so that every deploy
    follows them again.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.5
    """

    id = "domain/link-broken"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("https://go.example.com/invite/launch-week -> 302 /invites/expired -> 404",),
        "good": (
            "https://go.example.com/invite/launch-week -> 302 /signup?invite=launch-week -> 200",
        ),
    }


@register
class LinkWrongHost(Rule):
    """A link members get ends on a host that is not one of the domain's.

    Why
    ---
    A redirect that ends on `localhost`, a staging or preview host, a tunnel, or an old
    domain works for whoever configured it and for nobody else; a sign-in cookie set on
    the wrong host also signs nobody in on the right one.

    Remediation
    -----------
    Point the redirect at the canonical host (`domain.canonical`) or at one of the hosts
    in `domain.hosts`; set `ends_at:` on the probe when a link should end on another of
    your hosts.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-10.2.2
    """

    id = "domain/link-wrong-host"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("https://www.example.com/reset?token=… -> 302 http://localhost:3000/reset",),
        "good": ("https://www.example.com/reset?token=… -> 200",),
    }


#: This area's rules, in the order the check reports them.
RULES: tuple[type[Rule], ...] = (
    HttpsRedirectMissing,
    RedirectChain,
    RedirectDropsPath,
    RedirectNotAsDeclared,
    HstsWeak,
    CacheAuthenticatedShared,
    CacheStaticShort,
    DeepLinkFileInvalid,
    NoRateLimit,
    RequestFailed,
    LinkBroken,
    LinkWrongHost,
)


PROBE = "/launchready-probe/invite?token=lr-probe"

_HASHED = re.compile(r"[.-][0-9a-fA-F]{6,}\.[a-z0-9]+$")

_CDNS = (
    ("cf-ray", "Cloudflare"),
    ("cf-cache-status", "Cloudflare"),
    ("x-vercel-id", "Vercel"),
    ("x-amz-cf-id", "CloudFront"),
    ("x-nf-request-id", "Netlify"),
    ("fly-request-id", "Fly.io"),
    ("x-fastly-request-id", "Fastly"),
)


@dataclass(frozen=True)
class Web:
    """How to reach the sites: ``--connect-to``, the trusted CAs, the expiry thresholds,
    and the fetcher that sends every request (one total deadline, one redirect policy)."""

    connect_to: tuple[ConnectTo, ...]
    ca_bundle: str | None
    tls: Mapping[str, Any]
    router: http.Router
    fetcher: http.Fetcher

    @classmethod
    def create(
        cls,
        resolver: Resolver,
        routes: tuple[ConnectTo, ...] = (),
        ca_bundle: str | None = None,
        *,
        nameserver: bool = False,
        tls: Mapping[str, Any] | None = None,
        deadline: float = http.DEADLINE,
    ) -> Web:
        """The way every live check reaches a site: ``routes`` (``--connect-to``) first,
        then, with ``nameserver``, the address ``resolver`` gives, else the system's."""
        route_to = router(resolver, routes, nameserver)
        fetcher = http.Fetcher(route_to, cafile=ca_bundle, deadline=deadline)
        return cls(routes, ca_bundle, tls or {}, route_to, fetcher)

    def fetch(self, url: str, **kwargs: Any) -> http.Response:
        return self.fetcher.fetch(url, **kwargs)

    def follow(self, url: str) -> list[http.Hop]:
        return self.fetcher.follow(url)


def router(resolver: Resolver, routes: tuple[ConnectTo, ...], nameserver: bool) -> http.Router:
    def route_to(host: str, port: int) -> tuple[str, int]:
        mapped = route(routes, host, port)
        if mapped is not None:
            return mapped
        if nameserver:  # staging: the address from the same server as the DNS checks
            v4 = resolver.lookup(host, "A")
            if v4.ok:
                return v4.records[0], port
        return host, port

    return route_to


def site_http(name: str, web: Web, at: Location, notes: list[str]) -> list[Finding]:
    """http:// redirects to https://, redirect chains keep the path, HSTS, the CDN. A hop
    whose TLS chain does not verify is fetched all the same (see :mod:`.http`), and every
    finding then says so."""
    out: list[Finding] = []
    secure = web.follow(f"https://{name}{PROBE}")
    out += _chain(secure, at)
    head = secure[0].response
    if not head.error:
        out += _hsts(head, at)
        notes.append(f"HTTPS {name}: {cdn(head.headers) or NO_CDN}")
    plain = web.follow(f"http://{name}{PROBE}")
    first = plain[0].response
    if first.error:
        out.append(
            finding(
                HttpsRedirectMissing,
                f"http://{name}/ does not answer ({first.error}): links typed without https fail",
                at,
            )
        )
    elif not (first.location or "").startswith("https://"):
        out.append(
            finding(
                HttpsRedirectMissing,
                f"http://{name}/ answers {first.status} instead of redirecting to https://",
                at,
            )
        )
    else:
        out += _chain(plain, at)
    return broken_chain_noted(_one_per_rule(out), [h.response for h in secure + plain])


#: The note for a host whose answers name no CDN.
NO_CDN = "no CDN seen"


def cdn(headers: Mapping[str, str]) -> str | None:
    """The CDN a response's headers name (``cf-ray``, ``cf-cache-status`` ...), if any."""
    found = next((label for key, label in _CDNS if key in headers), None)
    if found is None and "cloudflare" in headers.get("server", "").lower():
        found = "Cloudflare"
    return found


def broken_chain_noted(found: list[Finding], responses: list[http.Response]) -> list[Finding]:
    """``found`` with a note on each finding when some of ``responses`` came over a TLS
    chain that does not verify (fetched without verifying it)."""
    hosts = sorted({urlsplit(r.url).hostname or "" for r in responses if r.chain_broken})
    if not hosts or not found:
        return found
    note = (
        f" (the TLS chain of {', '.join(hosts)} does not verify: checked as a browser "
        "that completes the chain would see it)"
    )
    return [dataclasses.replace(f, message=f.message + note) for f in found]


def _chain(hops: list[http.Hop], at: Location) -> list[Finding]:
    """Findings for one followed chain: loops, hops through http, lost paths, length."""
    start = hops[0].response.url
    redirects = [h for h in hops if h.response.location]
    trail = " -> ".join([start] + [h.response.location or "" for h in redirects])
    out: list[Finding] = []
    for i, hop in enumerate(redirects):
        source, target = hop.response.url, hop.response.location or ""
        if hop.loop:
            out.append(
                RedirectChain.finding(
                    f"redirect loop: {trail}", at, content=f"loop:{start}", severity=Severity.ERROR
                )
            )
        if target.startswith("http://") and (start.startswith("https://") or i > 0):
            out.append(
                RedirectChain.finding(
                    f"redirect through plain http: {trail}",
                    at,
                    content=f"http:{start}",
                    severity=Severity.ERROR,
                )
            )
        kept = _path(source)
        if kept != "/" and kept not in unquote(target):
            out.append(
                finding(
                    RedirectDropsPath,
                    f"{source} redirects to {target}: the path and query ({kept}) are lost, "
                    "as an invite or reset link's token would be",
                    at,
                )
            )
    if len(redirects) > 1 and not any(h.loop for h in hops):
        out.append(finding(RedirectChain, f"{len(redirects)} redirects: {trail}", at))
    return out


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _one_per_rule(found: list[Finding]) -> list[Finding]:
    """The first finding of each rule (and severity): the same hop seen from http:// and
    from https:// is one problem."""
    seen: set[tuple[str, str]] = set()
    out = []
    for f in found:
        key = (f.rule_id, str(f.severity.value))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _hsts(response: http.Response, at: Location) -> list[Finding]:
    """HSTS on the response to the URL that was requested (named in the message)."""
    url = response.url
    header = response.headers.get("strict-transport-security", "")
    if not header:
        return [finding(HstsWeak, f"{url} sends no Strict-Transport-Security", at)]
    directives = {d.strip().split("=")[0].lower(): d.strip() for d in header.split(";") if d}
    raw = directives.get("max-age", "max-age=0").partition("=")[2].strip('" ')
    age = int(raw) if raw.isdigit() else 0
    if age < 31536000:
        extras = ", ".join(k for k in ("includesubdomains", "preload") if k in directives)
        return [
            finding(
                HstsWeak,
                f"{url} sends HSTS max-age={age} (under a year)"
                + (f" with {extras}" if extras else ""),
                at,
            )
        ]
    return []


def redirect_rule(rule: Mapping[str, Any], web: Web, at: Location) -> list[Finding]:
    source, target = str(rule["from"]), str(rule["to"])
    status = int(rule.get("status", 301))
    hops = web.follow(source)
    first = hops[0].response
    out = [f for f in _chain(hops, at) if f.rule_id != RedirectDropsPath.id]
    if first.error:
        return [finding(RedirectNotAsDeclared, f"{source}: {first.error}", at)]
    if first.status != status or (first.location or "") != target:
        got = f"{first.status} {first.location}" if first.location else str(first.status)
        out.append(
            finding(
                RedirectNotAsDeclared,
                f"{source} answers {got}; launchready.yml declares {status} {target}",
                at,
            )
        )
    return broken_chain_noted(out, [h.response for h in hops])


def canonical(apex: str, canonical: str, web: Web, at: Location) -> list[Finding]:
    out = []
    for host in (apex, f"www.{apex}"):
        if host == canonical:
            continue
        hops = web.follow(f"https://{host}{PROBE}")
        last = hops[-1].response
        final = urlsplit(last.url).hostname
        if last.error or final != canonical:
            found = finding(
                RedirectNotAsDeclared,
                f"https://{host}/ ends at {final} ({last.error or last.status}), not at the "
                f"canonical host {canonical}",
                at,
            )
            out += broken_chain_noted([found], [h.response for h in hops])
    return out


def cache_route(
    spec: Mapping[str, Any], web: Web, at: Location, notes: list[str] | None = None
) -> list[Finding]:
    url, kind = str(spec["url"]), str(spec.get("class", "public"))
    headers = {str(k): os.path.expandvars(str(v)) for k, v in (spec.get("headers") or {}).items()}
    response = web.fetch(url, headers=headers)
    if response.error:
        return [finding(RequestFailed, f"{url}: {response.error}", at)]
    seen = cdn(response.headers)
    if seen and notes is not None:  # the host's note names it, whatever its / answered
        notes.append(f"HTTPS {urlsplit(url).hostname}: {seen}")
    return broken_chain_noted(_caching(url, kind, response, at), [response])


def _caching(url: str, kind: str, response: http.Response, at: Location) -> list[Finding]:
    control = response.headers.get("cache-control", "").lower()
    directives = {d.strip().split("=")[0] for d in control.split(",") if d.strip()}
    if kind == "authenticated":
        problems = []
        if not directives & {"private", "no-store"}:
            problems.append("no private or no-store")
        problems += [d for d in ("public", "s-maxage") if d in directives]
        if response.headers.get("cf-cache-status", "").upper() == "HIT":
            problems.append("cf-cache-status: HIT")
        if problems:
            return [
                finding(
                    CacheAuthenticatedShared,
                    f"{url} with credentials answers Cache-Control: {control or '(none)'} "
                    f"({', '.join(problems)}): a shared cache may serve it to another member",
                    at,
                )
            ]
    elif kind == "static":
        age = next(
            (int(d.split("=")[1]) for d in control.split(",") if d.strip().startswith("max-age=")
             and d.split("=")[1].strip().isdigit()),
            0,
        )  # fmt: skip
        hashed = bool(_HASHED.search(urlsplit(url).path))
        if age < 30 * 86400 or (hashed and "immutable" not in directives):
            return [
                finding(
                    CacheStaticShort,
                    f"{url} answers Cache-Control: {control or '(none)'}; a "
                    + ("hashed " if hashed else "")
                    + "static file can be max-age=31536000"
                    + (", immutable" if hashed else ""),
                    at,
                )
            ]
    return []


def deep_links(host: str, web: Web, at: Location) -> list[Finding]:
    out = []
    for path in ("/.well-known/apple-app-site-association", "/.well-known/assetlinks.json"):
        url = f"https://{host}{path}"
        response = web.fetch(url)
        kind = response.headers.get("content-type", "")
        if response.error or response.status != 200 or "json" not in kind.lower():
            got = response.error or (
                f"{response.status} to {response.location}"
                if response.location
                else f"{response.status} {kind or 'without a content type'}"
            )
            out.append(
                finding(
                    DeepLinkFileInvalid,
                    f"{url} answers {got}; apps need 200, no redirect, application/json",
                    at,
                )
            )
    return out


def rate_limit(probe: Mapping[str, Any], web: Web, at: Location) -> list[Finding]:
    """Up to ``requests`` requests spread evenly over ``seconds``; stop at the first 429."""
    url, method = str(probe["url"]), str(probe.get("method", "POST")).upper()
    count, seconds = int(probe.get("requests", 30)), float(probe.get("seconds", 10))
    gap = seconds / max(count, 1)
    statuses: list[int] = []
    started = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, started + i * gap - time.monotonic()))
        response = web.fetch(url, method=method)
        if response.error:
            return [finding(RequestFailed, f"rate-limit probe {url}: {response.error}", at)]
        statuses.append(response.status)
        if response.status == 429:
            return []
    seen = ", ".join(f"{s} × {statuses.count(s)}" for s in sorted(set(statuses)))
    return [
        finding(
            NoRateLimit,
            f"{count} {method} {url} in {seconds:g} s never got 429 (answers: {seen}): "
            "nothing stops password guessing or reset-mail floods",
            at,
        )
    ]


# --- links members get: followed hop by hop -------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link to follow hop by hop (``domain.probes``, ``--probe``): the invite, reset and
    campaign links that go out in emails."""

    url: str
    key: str  # its entry in launchready.yml (domain.probes[2]), or "domain" for --probe
    max_redirects: int = 1
    ends_at: str | None = None  # the one host it must end on (default: one of the domain's)


def link(raw: Any, key: str, apex: str, home: str) -> Link:
    """A probe as written: a URL, a path (on ``home``: the canonical host, else the
    apex), or ``{url, host, redirects, ends_at}`` (``host`` and ``ends_at`` relative to
    the apex, like ``domain.hosts``)."""
    from launchready_ci.checks.domain.check import fqdn

    entry = raw if isinstance(raw, Mapping) else {"url": str(raw)}
    url = str(entry["url"])
    if url.startswith("/"):
        host = fqdn(str(entry["host"]), apex) if entry.get("host") else home
        url = f"https://{host}{url}"
    ends_at = fqdn(str(entry["ends_at"]), apex) if entry.get("ends_at") else None
    return Link(url, key, int(entry.get("redirects", 1)), ends_at)


def probe(item: Link, web: Web, at: Location, home: frozenset[str]) -> list[Finding]:
    """Follow ``item`` and judge where it ends (see :func:`judge_link`)."""
    hops = web.follow(item.url)
    found = judge_link(
        item.url, hops, at, home=home, max_redirects=item.max_redirects, ends_at=item.ends_at
    )
    return broken_chain_noted(found, [h.response for h in hops])


def judge_link(
    url: str,
    hops: list[http.Hop],
    at: Location,
    *,
    home: frozenset[str],
    max_redirects: int = 1,
    ends_at: str | None = None,
) -> list[Finding]:
    """What a member meets following ``url``: a loop, a hop through plain http, more than
    ``max_redirects`` redirects, an error at the end (4xx, 5xx, no answer), the token or
    the path lost on the way, or an end on a host that is not in ``home`` (or not
    ``ends_at``). Query values are never shown: an invite token stays out of the report."""
    shown, last = shown_url(url), hops[-1].response
    urls = [h.response.url for h in hops]
    if hops[-1].loop:
        urls.append(hops[-1].response.location or "")
    trail = " -> ".join(shown_url(u) for u in urls)
    if hops[-1].loop:
        message = f"the link {shown} loops: {trail}"
        return [RedirectChain.finding(message, at, content=message, severity=Severity.ERROR)]
    out: list[Finding] = []
    plain = next((u for u in urls if u.startswith("http://")), None)
    if plain is not None:
        message = (
            f"the link {shown} passes through plain http ({shown_url(plain)}): its path and "
            f"token travel in clear: {trail}"
        )
        out.append(RedirectChain.finding(message, at, content=message, severity=Severity.ERROR))
    redirects = len(hops) - 1
    if redirects > max_redirects:
        out.append(
            finding(
                RedirectChain,
                f"the link {shown} takes {redirects} redirects (at most {max_redirects}): {trail}",
                at,
            )
        )
    end = shown_url(last.url)
    if last.error:
        out.append(
            finding(LinkBroken, f"the link {shown} gets no answer at {end}: {last.error}", at)
        )
        return out
    if last.status >= 400:
        via = f" after {redirects} redirect{'s' if redirects > 1 else ''}" if redirects else ""
        out.append(finding(LinkBroken, f"the link {shown} ends in {last.status} at {end}{via}", at))
    lost = _lost(url, last.url)
    if lost:
        out.append(
            finding(
                RedirectDropsPath,
                f"the link {shown} ends at {end} without its {' and '.join(lost)}: an invite "
                "or reset token there is lost",
                at,
            )
        )
    host = (urlsplit(last.url).hostname or "").lower()
    if host not in (frozenset({ends_at}) if ends_at else home):
        wanted = ends_at or "the canonical host or one of domain.hosts"
        out.append(finding(LinkWrongHost, f"the link {shown} ends on {host}, not on {wanted}", at))
    return out


def _lost(url: str, final: str) -> list[str]:
    """What of ``url`` a member no longer has at ``final``: a query value (named by its
    key), or the path's last segment, found nowhere in the final URL."""
    start, end = urlsplit(url), unquote(final)
    lost = []
    names = [name for name, value in parse_qsl(start.query, keep_blank_values=True)
             if value and value not in end]  # fmt: skip
    if names:
        lost.append(f"query ({', '.join(f'{n}=…' for n in names)})")
    segment = unquote(start.path.rstrip("/").rpartition("/")[2])
    if segment and segment not in end:
        lost.append(f"path ({start.path})")
    return lost
