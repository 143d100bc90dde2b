"""The rules of the smoke test: a journey step that failed, and how; a step over budget;
a release that never went live."""

from __future__ import annotations

from launchready_ci.findings import Confidence, Severity
from launchready_ci.rules import Rule, register

__all__ = [
    "AssertionFailed",
    "BodyTooLarge",
    "CaptureFailed",
    "ConnectionFailed",
    "ConnectionRefused",
    "DnsFailed",
    "InvalidJson",
    "NotReady",
    "OverBudget",
    "RedirectLoop",
    "StepTimeout",
    "TlsFailed",
]


@register
class AssertionFailed(Rule):
    """A journey step answered, but not as the spec expects (status, header, JSON, body or URL).

    Why
    ---
    This is the deploy that "worked" while sign-in returns 500, the feed sends members
    back to the login page, or the API answers with an error object. Members find it
    before anyone on the team does, and the first paid cohort remembers it.

    Remediation
    -----------
    Read the request line and the response excerpt in the report. If the release is
    broken, roll it back (`launchready rollback`) and fix forward; if the app changed
    on purpose, update the step's `expect:` in launchready.yml in the same pull request.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15
    - https://hurl.dev/docs/asserting-response.html
    """

    id = "smoke/assertion-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("sign-in › log in: status 500, expected 200",),
        "good": ("sign-in › log in: 200, $.user.plan = 'founding'",),
    }


@register
class CaptureFailed(Rule):
    """A step answered but the value later steps need (a token, a cookie) was not in it.

    Why
    ---
    The journey cannot go on: a login that no longer returns its token, or sets its
    session cookie under another name, signs nobody in, whatever its status code says.

    Remediation
    -----------
    Check what the endpoint returns now. If the field or cookie was renamed on purpose,
    update the step's `capture:`; if not, the release broke sign-in.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9535
    - https://www.rfc-editor.org/rfc/rfc6265#section-4.1
    """

    id = "smoke/capture-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("capture token: {json: $.token} -> nothing at $.token",),
        "good": ("capture token: {json: $.token} -> a value",),
    }


@register
class InvalidJson(Rule):
    """A step whose JSON is asserted or captured answered with something that is not JSON.

    Why
    ---
    An HTML error page from a proxy, a truncated body or a debug dump in place of the
    API's JSON breaks every mobile client at once, usually with a crash rather than a
    message.

    Remediation
    -----------
    Look at the excerpt: an HTML page usually means a proxy or platform error in front
    of the app, a cut-off body a crash mid-response.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8259
    """

    id = "smoke/invalid-json"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ('{"version": "v1",',), "good": ('{"version": "v1"}',)}


@register
class ConnectionRefused(Rule):
    """Nothing accepted the connection to a journey step's host and port.

    Why
    ---
    The process is not running or not listening where the platform sends traffic: the
    new release crashed on start, or listens on another port than the load balancer
    expects. Every member gets an error page.

    Remediation
    -----------
    Read the release's start-up logs; check the port the app binds and the one the
    platform routes to. Roll back if the previous release was healthy.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.1
    """

    id = "smoke/connection-refused"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("GET https://app.example.com/ -> connection refused",),
        "good": ("GET https://app.example.com/ -> 200",),
    }


@register
class DnsFailed(Rule):
    """A journey step's hostname does not resolve.

    Why
    ---
    A name that does not resolve from the runner usually does not resolve for members
    either: a record deleted with an old provider, a typo in base_url, or a domain that
    lapsed.

    Remediation
    -----------
    Check the name in base_url and its records (`launchready domain check` compares
    them with launchready.yml).

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc1034#section-4.3.1
    """

    id = "smoke/dns-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("GET https://app.exmaple.com/ -> the name does not resolve",),
        "good": ("GET https://app.example.com/ -> 200",),
    }


@register
class TlsFailed(Rule):
    """The TLS handshake with a journey step's host failed, or its certificate was rejected.

    Why
    ---
    Browsers and apps refuse the connection outright: an expired or wrong-name
    certificate after a deploy (a new load balancer, a custom domain not yet verified)
    locks every member out with a warning page that looks like an attack.

    Remediation
    -----------
    Check the certificate the host presents for this name (chain, expiry, names);
    `launchready domain check` reports each of those on its own.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc8446
    - https://www.rfc-editor.org/rfc/rfc6125
    """

    id = "smoke/tls-failed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("certificate not accepted: unable to get local issuer certificate",),
        "good": ("TLS 1.3 with a certificate a browser trusts",),
    }


@register
class StepTimeout(Rule):
    """A journey step did not complete within the total deadline (smoke.timeout).

    Why
    ---
    The deadline covers the whole exchange, redirects and body included, so a server
    that answers headers and then trickles the body is caught too. A member waiting
    that long has already reloaded or left.

    Remediation
    -----------
    Look for what the step waits on: a cold start, a lock held by a migration, an
    upstream API with no timeout of its own. Raise smoke.timeout only if the wait is
    acceptable for members.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-9.2
    """

    id = "smoke/timeout"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("not complete in 10 s (status 200, body unfinished)",),
        "good": ("complete in 180 ms",),
    }


@register
class ConnectionFailed(Rule):
    """The connection to a journey step's host broke before a complete answer came.

    Why
    ---
    A reset or a malformed response means something between the runner and the app
    (the app itself, a proxy, a load balancer) dropped the request; members see a
    browser error page.

    Remediation
    -----------
    The message names the error. Check the platform's and the proxy's logs for the
    request at that time.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9112
    """

    id = "smoke/connection-failed"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("RemoteProtocolError: Server disconnected without sending a response",),
        "good": ("HTTP/1.1 200 OK",),
    }


@register
class RedirectLoop(Rule):
    """A journey step's redirects come back to a URL already visited, or never end.

    Why
    ---
    The browser gives up with "too many redirects": typically HTTPS forced both at the
    CDN and the app, or a login page that redirects signed-out members to itself.

    Remediation
    -----------
    Follow the hops in the message and remove one of the two redirects that point at
    each other.

    References
    ----------
    - https://www.rfc-editor.org/rfc/rfc9110#section-15.4
    """

    id = "smoke/redirect-loop"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ("/a -> /b -> /a",), "good": ("/invite/x -> /signup?invite=x",)}


@register
class BodyTooLarge(Rule):
    """A journey step's response body passed the size cap (smoke.max_body).

    Why
    ---
    A feed or API call that returns megabytes is slow on a phone and costs members
    their data plan; it is often a missing page size or a debug dump left on.

    Remediation
    -----------
    Paginate or trim the response; raise smoke.max_body only for a step that really
    downloads a file.

    References
    ----------
    - https://web.dev/articles/total-byte-weight
    """

    id = "smoke/body-too-large"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {"bad": ("the body passed 1,048,576 bytes",), "good": ("a 4 KB JSON page",)}


@register
class OverBudget(Rule):
    """A journey step's p95 latency is over its budget.

    Why
    ---
    At launch the bar is a p95 under 300 ms for cached reads and under 700 ms for common
    authenticated actions; past that, members feel the app is slow before they feel it
    is broken, and a regression right after a deploy points at the release.

    Remediation
    -----------
    Compare with the previous release's report. Look for a new query without an index,
    a cache that no longer hits, or a call to another service on the request path. Set
    `budget:` on the step only when a slower answer is acceptable.

    References
    ----------
    - https://web.dev/articles/rail
    - https://sre.google/sre-book/service-level-objectives/
    """

    id = "smoke/over-budget"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    examples = {
        "bad": ("feed: p95 910 ms over the 300 ms budget (p50 420 ms, max 1.2 s)",),
        "good": ("feed: p95 120 ms within 300 ms",),
    }


@register
class NotReady(Rule):
    """The new release did not go live before the readiness deadline.

    Why
    ---
    The journeys would have measured whatever is serving instead, so they did not run.
    A release that never becomes healthy, or never reports the expected version, is
    either still rolling out or failing its start.

    Remediation
    -----------
    The message says what the last poll saw. Check the deploy's logs and the platform's
    health checks; make sure the app reports its version (a header or JSON field) the
    way `smoke.readiness` says.

    References
    ----------
    - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    """

    id = "smoke/not-ready"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    examples = {
        "bad": ("after 5m: status 200, live version 'v1' (expected 'v2')",),
        "good": ("v2 live after 3 polls (4.0 s)",),
    }
