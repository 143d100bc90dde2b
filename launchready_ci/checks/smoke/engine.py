"""Running the smoke spec: wait until the release is live, then run every journey
``runs`` times (journeys concurrently, steps in order with the journey's cookies) and keep
what each step did.

Variables a step captures (a token, a session cookie) are handed to ``on_secret`` as
soon as they are known, so the caller can mask them; the engine itself never prints.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import jsonpath

from launchready_ci.checks.smoke.assertions import MISSING, check, describe_status, status_ok
from launchready_ci.checks.smoke.client import ENCODINGS, Exchange, Request, send
from launchready_ci.checks.smoke.spec import Journey, Spec, Step, Template
from launchready_ci.checks.smoke.stats import percentile

__all__ = ["Engine", "Failure", "Readiness", "StepRun", "StepStats"]

#: The longest pause between two readiness polls.
MAX_INTERVAL = 15.0
#: How much of a value a failure message quotes.
_SHOWN = 60


@dataclass(frozen=True)
class Failure:
    kind: str  # a fault kind, or "assertion", "invalid-json", "capture"
    message: str


@dataclass(frozen=True)
class StepRun:
    journey: Journey
    step: Step
    run: int
    exchange: Exchange | None  # None: skipped after an earlier step failed
    failure: Failure | None = None


@dataclass
class StepStats:
    journey: Journey
    step: Step
    latencies: list[float] = field(default_factory=list)
    runs: list[StepRun] = field(default_factory=list)

    @property
    def failures(self) -> list[StepRun]:
        return [r for r in self.runs if r.failure is not None]

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.runs if r.exchange is None)

    def p(self, q: float) -> float | None:
        return percentile(self.latencies, q)


@dataclass(frozen=True)
class Readiness:
    ok: bool
    polls: int
    waited: float
    live_version: str | None
    last: str  # what the last poll saw


def versions_match(live: str, expected: str) -> bool:
    """Equal, or one a prefix of the other (a short SHA against the full one)."""
    live, expected = live.strip(), expected.strip()
    if live == expected:
        return True
    short, full = sorted((live, expected), key=len)
    return len(short) >= 7 and full.startswith(short)


class Engine:
    def __init__(
        self,
        spec: Spec,
        *,
        base_url: str,
        environ: Mapping[str, str],
        cafile: str | None,
        on_secret: Callable[[str], None] = lambda value: None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.spec = spec
        self.base_url = base_url.rstrip("/") + "/"
        self.environ = environ
        self.tls = ssl.create_default_context(cafile=cafile)
        self.on_secret = on_secret
        self.clock = clock
        self.sleep = sleep

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            verify=self.tls,
            follow_redirects=False,
            timeout=httpx.Timeout(self.spec.timeout),
            headers={"User-Agent": "launchready-ci smoke", "Accept-Encoding": ", ".join(ENCODINGS)},
            trust_env=True,
        )

    def url(self, template: Template, variables: Mapping[str, str]) -> str:
        return str(httpx.URL(self.base_url).join(template.render(self.environ, variables)))

    # -- readiness -------------------------------------------------------------------

    async def wait_ready(self, expected: str | None) -> Readiness:
        """Poll until the readiness path answers its status (and the expected version),
        backing off from ``interval`` up to 15 s, until ``deadline``."""
        spec = self.spec.readiness
        assert spec is not None
        url = self.url(spec.path, {})
        start = self.clock()
        pause, polls, last, live = spec.interval, 0, "", None
        async with self._client() as client:
            while True:
                polls += 1
                got = await send(
                    client,
                    Request("GET", url),
                    follow=True,
                    deadline=min(self.spec.timeout, spec.deadline),
                    max_body=self.spec.max_body,
                )
                live = _live_version(got, spec.version_header, spec.version_json)
                ok = got.fault is None and got.status == spec.status
                if expected is not None:
                    ok = ok and live is not None and versions_match(live, expected)
                last = _poll_text(got, live, spec.version_header or spec.version_json)
                waited = self.clock() - start
                if ok:
                    return Readiness(True, polls, waited, live, last)
                if waited + pause > spec.deadline:
                    return Readiness(False, polls, waited, live, last)
                await self.sleep(pause)
                pause = min(pause * 2, MAX_INTERVAL)

    async def live_version(self) -> str | None:
        """The version the release reports now (one poll of the readiness path)."""
        spec = self.spec.readiness
        assert spec is not None
        async with self._client() as client:
            got = await send(
                client,
                Request("GET", self.url(spec.path, {})),
                follow=True,
                deadline=self.spec.timeout,
                max_body=self.spec.max_body,
            )
        return _live_version(got, spec.version_header, spec.version_json)

    # -- journeys --------------------------------------------------------------------

    async def run(self, runs: int) -> list[list[StepRun]]:
        """Every journey ``runs`` times; one list of step runs per run."""
        out = []
        for number in range(1, runs + 1):
            done = await asyncio.gather(*(self._journey(j, number) for j in self.spec.journeys))
            out.append([step for journey in done for step in journey])
        return out

    async def _journey(self, journey: Journey, number: int) -> list[StepRun]:
        variables: dict[str, str] = {}
        out: list[StepRun] = []
        async with self._client() as client:
            for step in journey.steps:
                if out and (out[-1].failure is not None or out[-1].exchange is None):
                    out.append(StepRun(journey, step, number, None))
                    continue
                exchange = await send(
                    client,
                    self._request(step, variables),
                    follow=step.follow_redirects,
                    deadline=self.spec.timeout,
                    max_body=self.spec.max_body,
                )
                failure = with_notes(self._judge(step, exchange, client, variables), exchange)
                out.append(StepRun(journey, step, number, exchange, failure))
        return out

    def _request(self, step: Step, variables: Mapping[str, str]) -> Request:
        env = self.environ
        headers = [(k, t.render(env, variables)) for k, t in step.headers]
        content: bytes | None = None
        if step.json is not None:
            content = json.dumps(_render_json(step.json, env, variables)).encode()
            headers.append(("Content-Type", "application/json"))
        elif step.form is not None:
            content = urlencode([(k, t.render(env, variables)) for k, t in step.form]).encode()
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        elif step.body is not None:
            content = step.body.render(env, variables).encode()
        return Request(
            step.method,
            self.url(step.url, variables),
            tuple(headers),
            content,
            secret_headers=frozenset(k.lower() for k, t in step.headers if _secret(t)),
            secret_body=any(_secret(t) for t in step.templates() if t is not step.url),
        )

    def _judge(
        self,
        step: Step,
        got: Exchange,
        client: httpx.AsyncClient,
        variables: dict[str, str],
    ) -> Failure | None:
        if got.fault is not None:
            return Failure(got.fault.kind, got.fault.detail)
        expect = step.expect
        problems: list[str] = []
        if not status_ok(got.status, expect.status):
            problems.append(f"status {got.status}, expected {describe_status(expect.status)}")
        if expect.redirects is not None and len(got.hops) > expect.redirects:
            problems.append(f"{len(got.hops)} redirects, expected at most {expect.redirects}")
        for name, test in expect.headers:
            reason = check(got.headers.get(name, MISSING), test, _show)
            if reason:
                problems.append(f"header {name}: {reason}")
        if expect.has_url:
            reason = check(got.url, expect.url, _show)
            if reason:
                problems.append(f"final URL: {reason}")
        text = got.body.decode("utf-8", "replace")
        if expect.has_body:
            reason = check(text, expect.body, _show)
            if reason:
                problems.append(f"body: {reason}")
        if problems:  # a wrong status explains more than the JSON an error page lacks
            return Failure("assertion", "; ".join(problems))
        document: Any = MISSING
        if expect.json or any(c.source == "json" for c in step.captures):
            try:
                document = load_json(text)
            except ValueError as exc:
                kind = got.headers.get("content-type", "no content type")
                return Failure("invalid-json", f"the body is not JSON ({kind}): {exc}")
        for path, test in expect.json:
            reason = check(_json_value(path, document), test, _show)
            if reason:
                problems.append(f"{path}: {reason}")
        if problems:
            return Failure("assertion", "; ".join(problems))
        for capture in step.captures:
            value = _capture(
                source=capture.source,
                argument=capture.argument,
                got=got,
                client=client,
                document=document,
                text=text,
            )
            if value is not None and capture.regex is not None:
                match = capture.regex.search(value)
                value = (match.group(1) if match.groups() else match.group(0)) if match else None
            if value is None:
                what = f"{capture.source} {capture.argument}".strip()
                return Failure("capture", f"nothing to capture as {capture.name} ({what})")
            variables[capture.name] = value
            self.on_secret(value)
        return None


def _secret(template: Template) -> bool:
    """Whether a value comes from a secret: the environment, or a capture (a token)."""
    return bool(template.env or template.variables)


def with_notes(failure: Failure | None, got: Exchange) -> Failure | None:
    """A failure, with what the redirects did not forward (the likely reason for it)."""
    if failure is None or not got.notes:
        return failure
    return Failure(failure.kind, f"{failure.message} ({'; '.join(got.notes)})")


def _render_json(value: Any, environ: Mapping[str, str], variables: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return Template(value).render(environ, variables)
    if isinstance(value, list):
        return [_render_json(v, environ, variables) for v in value]
    if isinstance(value, dict):
        return {k: _render_json(v, environ, variables) for k, v in value.items()}
    return value


#: How deep a response's JSON may nest: JSONPath (and json itself, at about 1,000) recurse.
MAX_JSON_DEPTH = 200


def load_json(text: str | bytes) -> Any:
    """A response body as JSON; ValueError when it is not JSON or nests deeper than
    :data:`MAX_JSON_DEPTH` (``[[[[...`` would otherwise raise RecursionError, an
    internal error, in the reader or in JSONPath)."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError(f"it nests deeper than {MAX_JSON_DEPTH} levels") from None
    level: list[tuple[Any, int]] = [(document, 1)]
    while level:
        value, depth = level.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"it nests deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict):
            level.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            level.extend((v, depth + 1) for v in value)
    return document


def _json_value(path: str, document: Any) -> Any:
    found = jsonpath.findall(path, document)
    if not found:
        return MISSING
    return found[0] if len(found) == 1 else found


def _capture(
    *,
    source: str,
    argument: str,
    got: Exchange,
    client: httpx.AsyncClient,
    document: Any,
    text: str,
) -> str | None:
    if source == "json":
        value = _json_value(argument, document)
        if value is MISSING or value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)
    if source == "header":
        return _header(got, argument)
    if source == "cookie":
        return next((c.value for c in client.cookies.jar if c.name == argument), None)
    if source == "url":
        return got.url
    if source == "location":
        return got.location
    if source == "status":
        return str(got.status)
    return text  # body, for a lone regex


def _header(got: Exchange, name: str) -> str | None:
    value = got.headers.get(name)
    return None if value is None else str(value)


def _live_version(got: Exchange, header: str | None, path: str | None) -> str | None:
    if got.fault is not None:
        return None
    if header:
        return _header(got, header)
    if path:
        try:
            value = _json_value(path, load_json(got.body))
        except ValueError:
            return None
        return None if value is MISSING else str(value)
    return None


def _poll_text(got: Exchange, live: str | None, source: str | None) -> str:
    if got.fault is not None:
        return got.fault.detail
    text = f"status {got.status}"
    if source:
        text += f", live version {live!r}" if live is not None else f", no version in {source}"
    return text


def _show(value: Any) -> str:
    """A value quoted in a failure message: short, one line."""
    text = repr(value) if not isinstance(value, list | dict) else json.dumps(value)
    text = text.replace("\n", " ")
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
