"""The smoke check: wait for the release, run the journeys, turn what failed into findings
that point at the step in launchready.yml, and keep the numbers for the report.

Each failing step gives one finding per kind of failure, with how many runs it failed
in, the request line, the status and a short response excerpt with secrets taken out:
the values of the environment variables the spec uses, every captured value, and the
values of secret-looking JSON fields and headers.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchready_ci.checks.base import Check, config_location
from launchready_ci.checks.smoke import assertions, faults
from launchready_ci.checks.smoke.stats import percentile
from launchready_ci.context import RunContext
from launchready_ci.findings import Confidence, Finding, Location, Severity
from launchready_ci.redaction import is_secret_name, shown_url
from launchready_ci.rules import Rule, register

if TYPE_CHECKING:  # the spec's module is imported when a spec is read, not to list rules
    from launchready_ci.checks.smoke.spec import Spec, Step

__all__ = ["Outcome", "SmokeCheck", "excerpt", "format_ms", "redact"]


@register
class NotReady(Rule):
    """The new release did not go live before the readiness deadline.

    Why
    ---
    The journeys would have measured whatever is serving instead, so they did not run.
    A release that never becomes healthy, or never reports the expected version, is
    either still rolling out or failing its start. When nothing answered at all (the
    connection was refused, the name does not resolve), each journey's first step is
    still sent once, so the report shows which member paths are down.

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


#: Failure kind -> rule.
RULES: Mapping[str, type[Rule]] = {**assertions.FAILURE_RULES, **faults.FAULT_RULES}
EXCERPT = 300
#: The measurements table: latency (request to last byte) apart from connection set-up.
COLUMNS: tuple[str, ...] = ("Journey", "Step", "Result", "Status", "p50", "p95", "max")
COLUMNS += ("Budget", "DNS", "Connect", "TLS")

_SECRET_HEADER = re.compile(
    r"(?im)^((?:proxy-)?authorization|cookie|set-cookie|x-api-key)(\s*:\s*).*$"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_JSON_FIELD = re.compile(r'"([A-Za-z0-9_.-]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"')


def format_ms(seconds: float | None, *, precise: bool = False) -> str:
    """``412 ms``, ``12.3 s``; ``precise`` keeps a decimal under 10 ms (a name lookup or
    a connect on a fast network)."""
    if seconds is None:
        return "–"
    if precise and seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


@dataclass
class Outcome:
    """What ``launchready smoke run`` hands to its outputs, its results file and rollback."""

    base_url: str
    runs: int
    ready: bool = True
    live_version: str | None = None
    failed_runs: int = 0
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.ready and self.failed_runs == 0

    @property
    def failed_steps(self) -> list[str]:
        return [s["id"] for s in self.steps if s["failed"]]

    def p95(self) -> dict[str, float | None]:
        return {s["id"]: s["p95_ms"] for s in self.steps}

    def as_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "base_url": self.base_url,
            "ready": self.ready,
            "live_version": self.live_version,
            "runs": self.runs,
            "failed_runs": self.failed_runs,
            "steps": self.steps,
        }


class SmokeCheck(Check):
    """``launchready smoke run``. Not in CHECKS: it sends requests to a live release."""

    id = "smoke"
    title = "Smoke test: member journeys"
    config_key = "smoke"
    needs_config = True
    enable_snippet = (
        "smoke:\n"
        "  base_url: https://app.example.com\n"
        "  journeys:\n"
        "    - name: home\n"
        "      steps:\n"
        "        - url: /\n"
        "          expect: {status: 200}\n"
    )
    rules = (*RULES.values(), OverBudget, NotReady)

    def __init__(
        self,
        spec: Spec,
        *,
        base_url: str,
        runs: int | None,
        expected_version: str | None,
        cafile: str | None,
        secrets: list[str],
        mask: Any = None,
        fail_on: Severity | None = Severity.ERROR,
        email: Any = None,
    ) -> None:
        self.spec = spec
        self.base_url = base_url
        self.asked_runs = runs
        self.run_count = max((spec.runs_of(j, runs) for j in spec.journeys), default=1)
        self.expected_version = expected_version
        self.cafile = cafile
        #: Filled while running: every value to scrub from the outputs.
        self.secrets = secrets
        self.mask = mask
        #: An over-budget step fails the run (and counts for rollback) when warnings do.
        self.budget_fails = fail_on is not None and fail_on <= OverBudget.severity
        #: The email steps' hook (launchready_ci.checks.email.check.EmailSteps), if any.
        self.email = email
        self.email_check: Check | None = None  # the check that reports the email steps
        self.outcome = Outcome(base_url, self.run_count)
        self.measurements: tuple[tuple[str, ...], ...] = ()

    def _secret(self, value: str) -> None:
        if value not in self.secrets:
            self.secrets.append(value)
            if self.mask is not None:
                self.mask(value)

    def files_read(self, ctx: RunContext) -> set[str] | None:
        return {ctx.config.path} if ctx.config.path else set()

    def run(self, ctx: RunContext, section: Mapping[str, Any]) -> Iterator[Finding]:
        import asyncio  # here, not at import: listing the rules needs no event loop

        from launchready_ci.checks.smoke.engine import Engine

        engine = Engine(
            self.spec,
            base_url=self.base_url,
            environ=ctx.environ,
            cafile=self.cafile,
            on_secret=self._secret,
            email=self.email,
        )
        where = _Where(ctx)
        readiness = self.spec.readiness
        if readiness is not None:
            ready = asyncio.run(engine.wait_ready(self.expected_version))
            self.outcome.live_version = ready.live_version
            if not ready.ok:
                self.outcome.ready = False
                self.outcome.failed_runs = self.run_count
                expected = f" (expected {self.expected_version!r})" if self.expected_version else ""
                url = engine.url(readiness.path, {})
                waited = f"{max(ready.waited, readiness.deadline):.0f} s"
                if ready.answered:
                    what = "the journeys did not run"
                else:  # down, not old: which member paths answer at all?
                    what = "nothing answered; each journey's first step was sent once"
                yield NotReady.finding(
                    f"the release was not live after {waited} and {ready.polls} polls of "
                    f"{shown_url(url)}: {ready.last}{expected}; {what}",
                    where.at("smoke.readiness", shown_url(url)),
                    content=url,
                )
                if ready.answered:
                    self.scope = f"{self.base_url}: not live, journeys not run"
                    return
                first = asyncio.run(engine.first_steps())
                yield from self._findings([first], where, count_runs=False)
                self.scope = (
                    f"{self.base_url}: nothing answered; the first step of "
                    f"{len(self.spec.journeys)} journey(s) sent once"
                )
                return
            waited = f"live after {ready.polls} poll(s), {ready.waited:.1f} s"
            version = f"{ready.live_version} " if ready.live_version else ""
        else:
            waited, version = "no readiness wait", ""
        with self.email if self.email is not None else contextlib.nullcontext():
            runs = asyncio.run(engine.run(self.asked_runs or self.spec.runs))
        yield from self._findings(runs, where)
        requests = sum(1 for run in runs for s in run if s.exchange is not None)
        emails = sum(1 for run in runs for s in run if s.email is not None)
        self.scope = (
            f"{len(self.spec.journeys)} journey(s) × {self._runs_text()}, {requests} "
            f"requests to {self.base_url}"
            + (f", {emails} email step(s)" if emails else "")
            + f"; release {version}{waited}"
        )

    def _runs_text(self) -> str:
        counts = sorted({self.spec.runs_of(j, self.asked_runs) for j in self.spec.journeys})
        if len(counts) > 1:
            return f"{counts[0]}–{counts[-1]} run(s)"
        return f"{counts[0] if counts else 0} run(s)"

    def _findings(
        self, runs: list[list[Any]], where: _Where, *, count_runs: bool = True
    ) -> Iterator[Finding]:
        from launchready_ci.checks.smoke.engine import StepStats

        stats: dict[tuple[str, str], StepStats] = {}
        failed: set[int] = set()
        for run in runs:
            for step_run in run:
                key = (step_run.journey.key, step_run.step.key)
                entry = stats.setdefault(key, StepStats(step_run.journey, step_run.step))
                entry.runs.append(step_run)
                got = step_run.exchange
                if got is not None and got.fault is None:
                    entry.latencies.append(got.latency)
                    budget = step_run.step.budget
                    if self.budget_fails and budget is not None and got.latency > budget:
                        failed.add(step_run.run)
                if step_run.failure is not None:
                    failed.add(step_run.run)
        if count_runs:
            self.outcome.failed_runs = len(failed)
        rows: list[tuple[str, ...]] = [COLUMNS]
        for entry in stats.values():
            if entry.step.email is not None:
                continue  # the email check reports it
            yield from self._step_findings(entry, where)
            rows.append(self._row(entry))
        self.measurements = tuple(rows)

    def _row(self, entry: Any) -> tuple[str, ...]:
        step: Step = entry.step
        failures = entry.failures
        total = len(entry.runs)
        p50, p95, top = entry.p(50), entry.p(95), max(entry.latencies, default=None)
        over = p95 is not None and step.budget is not None and p95 > step.budget
        if failures:
            result = f"failed {len(failures)}/{total}"
        elif entry.skipped:
            result = f"not reached {entry.skipped}/{total}"
        elif over:  # a failure too when warnings fail the run: never "passed" then
            result = "over budget" if self.budget_fails else "passed (over budget)"
        else:
            result = "passed"
        statuses = sorted(
            {str(s.exchange.status) for s in entry.runs if s.exchange and s.exchange.status}
        )
        phases = _phases(entry)
        self.outcome.steps.append(
            {
                "id": f"{entry.journey.name} › {step.name}",
                "journey": entry.journey.name,
                "step": step.name,
                "failed": bool(failures) or (over and self.budget_fails),
                "failures": len(failures),
                "over_budget": over,
                "not_reached": entry.skipped,
                "runs": total,
                "p50_ms": _ms(p50),
                "p95_ms": _ms(p95),
                "max_ms": _ms(top),
                "budget_ms": _ms(step.budget),
                **{f"{name}_ms": _ms(value) for name, value in phases.items()},
            }
        )
        return (
            entry.journey.name,
            step.name,
            result,
            ", ".join(statuses) or "–",
            format_ms(p50, precise=True),
            format_ms(p95, precise=True),
            format_ms(top, precise=True),
            format_ms(step.budget) if step.budget is not None else "none",
            *(format_ms(value, precise=True) for value in phases.values()),
        )

    def _step_findings(self, entry: Any, where: _Where) -> Iterator[Finding]:
        step: Step = entry.step
        name = f"{entry.journey.name} › {step.name}"
        by_kind: dict[str, list[Any]] = {}
        for step_run in entry.failures:
            by_kind.setdefault(step_run.failure.kind, []).append(step_run)
        for kind, failed in by_kind.items():
            first = failed[0]
            got = first.exchange
            request = got.request
            message = (
                f"{name}: {self._redact(first.failure.message)} "
                f"(failed in {len(failed)} of {len(entry.runs)} runs)\n"
                f"{request.line} → {got.status or 'no response'}"
            )
            if got.hops:
                message += " after " + " → ".join(f"{s} {shown_url(u)}" for s, u in got.hops[:4])
            excerpt = self._excerpt(got.body)
            if excerpt:
                message += f"\nresponse: {excerpt}"
            yield RULES[kind].finding(
                message,
                where.at(step.key, request.line.split(" ", 1)[1]),
                content=f"{name}:{kind}",
                properties={"journey": entry.journey.name, "step": step.name},
            )
        p95 = entry.p(95)
        budget = step.budget
        if p95 is not None and budget is not None and p95 > budget and not entry.failures:
            yield OverBudget.finding(
                f"{name}: p95 {format_ms(p95)} over the {format_ms(budget)} budget of a "
                f"{step.kind} (p50 {format_ms(entry.p(50))}, max "
                f"{format_ms(max(entry.latencies))}, {len(entry.latencies)} requests)",
                where.at(step.key, entry.runs[0].exchange.request.line.split(" ", 1)[1]),
                content=f"{name}:budget",
            )

    def _excerpt(self, body: bytes) -> str:
        return excerpt(body, self.secrets)

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)


def excerpt(body: bytes, secrets: list[str]) -> str:
    """The start of a response body on one line, redacted, at most EXCERPT characters."""
    text = body[: EXCERPT * 4].decode("utf-8", "replace")
    text = " ".join(redact(text, secrets).split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def redact(text: str, secrets: list[str]) -> str:
    """``text`` without credential headers, bearer tokens, secret-looking JSON fields and
    any of ``secrets``."""
    text = _SECRET_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    text = _JSON_FIELD.sub(
        lambda m: f'"{m.group(1)}"{m.group(2)}"***"' if _secret_field(m.group(1)) else m[0],
        text,
    )
    for value in sorted(secrets, key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def _secret_field(name: str) -> bool:
    return is_secret_name(name) or name.lower() in {"session", "sid", "jwt", "otp", "pin"}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _phases(entry: Any) -> dict[str, float | None]:
    """The median name lookup, TCP connect and TLS handshake of the step's sends that
    opened a connection (None: every send reused one; TLS None over plain http)."""
    opened = [
        s.exchange.phases
        for s in entry.runs
        if s.exchange is not None and s.exchange.phases.connections
    ]
    https = any(str(s.exchange.request.url).startswith("https:") for s in entry.runs if s.exchange)
    return {
        "dns": percentile((p.dns for p in opened), 50),
        "connect": percentile((p.connect for p in opened), 50),
        "tls": percentile((p.tls for p in opened), 50) if https else None,
    }


class _Where:
    """Locations in launchready.yml: the step's line, with the URL as target."""

    def __init__(self, ctx: RunContext) -> None:
        self.config = ctx.config

    def at(self, key: str, target: str) -> Location:
        return config_location(self.config, key, target, "url", fallback="smoke")


def dumps(outcome: Outcome) -> str:
    return json.dumps(outcome.as_json(), indent=2, ensure_ascii=False) + "\n"
