"""Running the smoke spec: wait until the release is live, then run every journey
``runs`` times (journeys concurrently, steps in order with the journey's cookies) and keep
what each step did.

Every step's exchange carries its latency (request start to the last byte of the answer)
apart from the set-up of the connections it opened (name lookup, TCP connect, TLS
handshake), so the first step of a journey, which opens the connection, is measured like
the steps that reuse it.

Variables a step captures (a token, a session cookie) are handed to ``on_secret`` as
soon as they are known, so the caller can mask them; the engine itself never prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import jsonpath

from launchready_ci import net
from launchready_ci.checks.smoke.assertions import MISSING, check, describe_status, status_ok
from launchready_ci.checks.smoke.client import ENCODINGS, Exchange, Fault, Request, send
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
    exchange: Exchange | None  # None: skipped after an earlier step failed (or an email step)
    failure: Failure | None = None
    repeat: int = 1  # which of the step's ``runs`` sends in this run
    email: Any = None  # an email step's EmailRun (launchready_ci.checks.email.check)

    @property
    def reached(self) -> bool:
        return self.exchange is not None or self.email is not None


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
        return sum(1 for r in self.runs if not r.reached)

    def p(self, q: float) -> float | None:
        return percentile(self.latencies, q)


@dataclass(frozen=True)
class Readiness:
    ok: bool
    polls: int
    waited: float
    live_version: str | None
    last: str  # what the last poll saw
    #: Whether any poll got an HTTP answer; False: nothing answered at all (refused,
    #: no such name, TLS failed, timed out), the fault of the last poll in ``fault``.
    answered: bool = True
    fault: Fault | None = None


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
        email: Any = None,
    ) -> None:
        self.spec = spec
        self.base_url = base_url.rstrip("/") + "/"
        self.environ = environ
        self.tls = ssl.create_default_context(cafile=cafile)
        self.on_secret = on_secret
        self.clock = clock
        self.sleep = sleep
        #: Runs the ``email:`` steps (launchready_ci.checks.email.check.EmailSteps).
        self.email = email

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            verify=self.tls,
            transport=net.Transport(verify=self.tls),
            follow_redirects=False,
            timeout=httpx.Timeout(self.spec.timeout),
            headers={"User-Agent": "launchready-ci smoke", "Accept-Encoding": ", ".join(ENCODINGS)},
            trust_env=True,
        )

    def url(self, template: Template, variables: Mapping[str, str]) -> str:
        return str(httpx.URL(self.base_url).join(template.render(self.environ, variables)))

    # -- readiness -------------------------------------------------------------------

    async def wait_ready(self, expected: str | None) -> Readiness:
        """Poll until the readiness path answers its status, its tests and the expected
        version, backing off from ``interval`` up to 15 s; the last poll is at the
        deadline, never before it."""
        spec = self.spec.readiness
        assert spec is not None
        url = self.url(spec.path, {})
        start = self.clock()
        pause, polls, answered = spec.interval, 0, False
        async with self._client() as client:
            while True:
                polls += 1
                got = await send(
                    client,
                    Request("GET", url),
                    follow=True,
                    deadline=min(self.spec.timeout, spec.deadline),
                    max_body=self.spec.max_body,
                    connect_timeout=self.spec.connect_timeout,
                )
                answered = answered or got.fault is None or bool(got.status)
                live, problems = _readiness_problems(got, spec, expected)
                waited = self.clock() - start
                if not problems:
                    return Readiness(True, polls, waited, live, f"status {got.status}")
                left = spec.deadline - waited
                if left <= 0:
                    last = "; ".join(problems)
                    return Readiness(False, polls, waited, live, last, answered, got.fault)
                await self.sleep(min(pause, left))
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
                connect_timeout=self.spec.connect_timeout,
            )
        live = _live_versions(got, spec.version_header, spec.version_json)
        return live[0] if live else None

    # -- journeys --------------------------------------------------------------------

    async def run(self, runs: int) -> list[list[StepRun]]:
        """Every journey as many times as it runs (its own ``runs``, else ``runs``); one
        list of step runs per run, journeys at once within a run."""
        out = []
        most = max((self.spec.runs_of(j, runs) for j in self.spec.journeys), default=0)
        for number in range(1, most + 1):
            due = [j for j in self.spec.journeys if self.spec.runs_of(j, runs) >= number]
            with _collected_between():
                done = await asyncio.gather(*(self._journey(j, number) for j in due))
            out.append([step for journey in done for step in journey])
        return out

    async def first_steps(self) -> list[StepRun]:
        """Each journey's first step, once: which member paths answer at all."""
        with _collected_between():
            done = await asyncio.gather(
                *(self._journey(j, 1, only_first=True) for j in self.spec.journeys)
            )
        return [step for journey in done for step in journey]

    async def _journey(
        self, journey: Journey, number: int, *, only_first: bool = False
    ) -> list[StepRun]:
        variables: dict[str, str] = {}
        out: list[StepRun] = []
        sent = time.time()  # when the step that makes the app send mail started
        async with self._client() as client:
            for step in journey.steps[:1] if only_first else journey.steps:
                if step.email is not None:  # wait for a message (the email hook)
                    if self.email is None or only_first or (out and not _went_on(out[-1])):
                        out.append(StepRun(journey, step, number, None))
                    else:
                        out.append(await self.email.step(journey, step, number, variables, sent))
                    continue
                for repeat in range(1, step.runs + 1):
                    if out and not _went_on(out[-1]):
                        out.append(StepRun(journey, step, number, None, repeat=repeat))
                        continue
                    sent = time.time()
                    exchange = await send(
                        client,
                        self._request(step, variables),
                        follow=step.follow_redirects,
                        deadline=step.timeout,
                        max_body=step.max_body,
                        max_hops=step.redirects,
                        connect_timeout=step.connect_timeout,
                    )
                    failure = with_notes(self._judge(step, exchange, client, variables), exchange)
                    out.append(StepRun(journey, step, number, exchange, failure, repeat))
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


def _went_on(last: StepRun) -> bool:
    """Whether the journey goes on after ``last``: it passed and was not skipped."""
    return last.failure is None and last.reached


def _secret(template: Template) -> bool:
    """Whether a value comes from a secret: the environment, or a capture (a token)."""
    return bool(template.env or template.variables)


def with_notes(failure: Failure | None, got: Exchange) -> Failure | None:
    """A failure, with what the redirects did not forward (the likely reason for it)."""
    if failure is None or not got.notes:
        return failure
    return Failure(failure.kind, f"{failure.message} ({'; '.join(got.notes)})")


@contextlib.contextmanager
def _collected_between() -> Iterator[None]:
    """No garbage collection while a run's steps are timed, a full one after it, as
    :mod:`timeit` does: a collection of the whole heap takes 10 to 100 ms on a loaded
    machine and would land in some step's latency as if the server had been slow. The
    objects alive before the first run (the imported modules) are frozen out of every
    collection, so the one after each run looks at that run's objects alone."""
    if gc.isenabled():
        gc.freeze()
        gc.disable()
        try:
            yield
        finally:
            gc.enable()
            gc.collect()
    else:  # the caller manages collection
        yield


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


def _versions(got: Exchange, header: str | None, path: str | None) -> dict[str, str | None]:
    """The live version from each source the spec names (header, JSONPath) -> its value,
    None when that source has none."""
    found: dict[str, str | None] = {}
    if header:
        found[header] = None if got.fault else _header(got, header)
    if path:
        try:
            value = MISSING if got.fault else _json_value(path, load_json(got.body))
        except ValueError:
            value = MISSING
        found[path] = None if value is MISSING or value is None else str(value)
    return found


def _live_versions(got: Exchange, header: str | None, path: str | None) -> list[str]:
    return [v for v in _versions(got, header, path).values() if v is not None]


def _readiness_problems(
    got: Exchange, spec: Any, expected: str | None
) -> tuple[str | None, list[str]]:
    """The live version, and why this poll does not show the release ready (empty: it
    does): the status, every JSON and header test, and the version in every source."""
    if got.fault is not None:
        return None, [got.fault.detail]
    problems = []
    for name, test in spec.headers:
        reason = check(got.headers.get(name, MISSING), test, _show)
        if reason:
            problems.append(f"header {name}: {reason}")
    if spec.json:
        try:
            document: Any = json.loads(got.body)
        except (ValueError, RecursionError):
            document = MISSING
        for path, test in spec.json:
            reason = check(_json_value(path, document), test, _show)
            if reason:
                problems.append(f"{path}: {reason}")
    versions = _versions(got, spec.version_header, spec.version_json)
    live = [v for v in versions.values() if v is not None]
    missing = [source for source, value in versions.items() if value is None]
    if missing:
        problems.append(f"no version in {' or '.join(missing)}")
    if live:
        shown = " / ".join(repr(v) for v in dict.fromkeys(live))
        wrong = expected is not None and not all(versions_match(v, expected) for v in live)
        if wrong or problems or got.status != spec.status:
            problems.append(f"live version {shown}")
    if problems or got.status != spec.status:
        problems.insert(0, f"status {got.status}")
    return (live[0] if live else None), problems


def _show(value: Any) -> str:
    """A value quoted in a failure message: short, one line."""
    text = repr(value) if not isinstance(value, list | dict) else json.dumps(value)
    text = text.replace("\n", " ")
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
