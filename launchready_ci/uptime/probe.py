"""One probe run: every check once (concurrently, with the smoke test's engine: the same
requests, expectations, total deadline and fault names), plus each HTTPS host's
certificate expiry."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from launchready_ci.checks.smoke.check import excerpt, redact
from launchready_ci.checks.smoke.engine import Engine
from launchready_ci.checks.smoke.spec import Spec
from launchready_ci.uptime.history import Run, Sample

__all__ = ["Probed", "probe", "slug"]


def slug(name: str) -> str:
    """A check's id in the history and in badge file names."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "check"


@dataclass(frozen=True)
class Probed:
    run: Run
    urls: Mapping[str, str]  # check id -> URL probed (without query values)
    budgets: Mapping[str, float]  # check id -> budget in ms


def probe(
    spec: Spec,
    *,
    base_url: str,
    environ: Mapping[str, str],
    cafile: str | None,
    at: float,
    secrets: list[str],
) -> Probed:
    engine = Engine(spec, base_url=base_url, environ=environ, cafile=cafile)
    step_runs = asyncio.run(engine.run(1))[0]
    samples: dict[str, Sample] = {}
    failures: dict[str, str] = {}
    urls: dict[str, str] = {}
    budgets: dict[str, float] = {}
    hosts: set[tuple[str, int]] = set()
    for step_run in step_runs:
        check = slug(step_run.journey.name)
        got = step_run.exchange
        assert got is not None  # one step per journey: never skipped
        line = got.request.line
        urls[check] = line.split(" ", 1)[1]
        if step_run.step.budget is not None:
            budgets[check] = round(step_run.step.budget * 1000, 1)
        complete = got.fault is None
        samples[check] = Sample(
            at=at,
            ok=step_run.failure is None,
            latency_ms=round(got.elapsed * 1000, 1) if complete else None,
            status=got.status,
        )
        if step_run.failure is not None:
            answer = got.status or "no response"
            text = f"{redact(step_run.failure.message, secrets)}\n{line} → {answer}"
            body = excerpt(got.body, secrets)
            failures[check] = text + (f"\nresponse: {body}" if body else "")
        parts = urlsplit(got.request.url)
        if parts.scheme == "https" and parts.hostname:
            hosts.add((parts.hostname, parts.port or 443))
    return Probed(
        Run(at=at, samples=samples, tls=_certificates(hosts, cafile), failures=failures),
        urls,
        budgets,
    )


def _certificates(hosts: set[tuple[str, int]], cafile: str | None) -> dict[str, float]:
    from launchready_ci.checks.domain.tls import probe_tls

    out: dict[str, float] = {}
    for host, port in sorted(hosts):
        result = probe_tls(host, (host, port), cafile=cafile)
        if result.not_after is not None:
            out[host if port == 443 else f"{host}:{port}"] = result.not_after
    return out
