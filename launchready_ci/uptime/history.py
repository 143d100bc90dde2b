"""The uptime history: every probe run, kept in one compact JSON file of bounded size.

- ``runs``: when each run actually started (GitHub's schedule is best effort; the gaps
  between these are the monitoring's real coverage).
- ``samples``: one per check per run, ``[epoch, ok, latency_ms, status]``, kept raw for
  ``raw_days`` (7 by default).
- ``days``: older samples folded into one row per check per UTC day,
  ``[date, count, failures, p50_ms, p95_ms, max_ms]``, kept for ``keep_days`` (400).
- ``tls``: each HTTPS host's certificate expiry, as last seen.

At a 5-minute interval that is about 2,000 runs of raw samples per check (some 60 KB)
plus 400 small rows: the file stays well under a megabyte however long it runs.
:meth:`History.add` is idempotent (a run already present is not added twice), so a
writer that retries after a push conflict can replay its run on the newer file.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from launchready_ci.checks.smoke.stats import percentile

__all__ = ["Coverage", "DayStat", "History", "Run", "Sample"]

FORMAT = 1
DAY = 86400.0


def _day(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Sample:
    at: float  # epoch seconds, the start of the run
    ok: bool
    latency_ms: float | None  # None: no complete response
    status: int = 0  # 0: no response


@dataclass(frozen=True)
class Run:
    """One probe run: what ``launchready monitor run`` adds to the history."""

    at: float
    samples: Mapping[str, Sample]
    tls: Mapping[str, float] = field(default_factory=dict)  # host -> not_after (epoch)
    failures: Mapping[str, str] = field(default_factory=dict)  # check -> redacted reason


@dataclass(frozen=True)
class DayStat:
    day: str  # YYYY-MM-DD (UTC)
    count: int
    failures: int
    p50: float | None
    p95: float | None
    max: float | None

    @property
    def uptime(self) -> float | None:
        return None if self.count == 0 else (self.count - self.failures) / self.count


@dataclass(frozen=True)
class Coverage:
    """How often the probes really ran in the window, against the configured interval."""

    window_days: float
    runs: int
    interval: float  # configured, seconds
    median_gap: float | None
    largest_gap: float | None
    long_gaps: int  # gaps over an hour

    @property
    def worse(self) -> bool:
        if self.long_gaps > 0:  # including a monitor that stopped after its last run
            return True
        if self.median_gap is None:
            return self.runs == 0
        return self.median_gap > 1.5 * self.interval

    def describe(self) -> str:
        if self.median_gap is None:
            return f"{self.runs} run(s) in the last {self.window_days:g} days: too few to tell"
        text = (
            f"median gap {_minutes(self.median_gap)} (configured every "
            f"{_minutes(self.interval)}) over {self.runs} runs in {self.window_days:g} days"
        )
        if self.long_gaps:
            text += f", {self.long_gaps} gap(s) over 1 h (longest {_minutes(self.largest_gap)})"
        return text


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds >= 5400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


@dataclass
class History:
    runs: list[float] = field(default_factory=list)
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    days: dict[str, list[DayStat]] = field(default_factory=dict)
    tls: dict[str, dict[str, float]] = field(default_factory=dict)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> name, url, budget_ms

    # -- file format -----------------------------------------------------------------

    @classmethod
    def loads(cls, text: str) -> History:
        """A history file; ValueError (which names what is wrong) for anything else."""
        try:
            data = json.loads(text) if text.strip() else {}
        except RecursionError:
            raise ValueError("nested too deeply to be an uptime history") from None
        if not isinstance(data, dict) or data.get("format", FORMAT) != FORMAT:
            raise ValueError("not a launchready uptime history (format 1)")
        try:
            return cls._from(data)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # A hand-edited or truncated file: "samples": [] where a mapping belongs...
            raise ValueError(f"not a launchready uptime history (format 1): {exc}") from None

    @classmethod
    def _from(cls, data: dict[str, Any]) -> History:
        return cls(
            runs=[float(x) for x in data.get("runs", [])],
            samples={
                check: [Sample(float(a), bool(o), lat, int(s)) for a, o, lat, s in rows]
                for check, rows in data.get("samples", {}).items()
            },
            days={
                check: [DayStat(*row) for row in rows]
                for check, rows in data.get("days", {}).items()
            },
            tls={host: dict(v) for host, v in data.get("tls", {}).items()},
            checks={k: dict(v) for k, v in data.get("checks", {}).items()},
        )

    def dumps(self) -> str:
        data = {
            "format": FORMAT,
            "checks": self.checks,
            "runs": [round(x, 3) for x in self.runs],
            "samples": {
                check: [[round(s.at, 3), int(s.ok), _r(s.latency_ms), s.status] for s in rows]
                for check, rows in sorted(self.samples.items())
            },
            "days": {
                check: [[d.day, d.count, d.failures, _r(d.p50), _r(d.p95), _r(d.max)] for d in rows]
                for check, rows in sorted(self.days.items())
            },
            "tls": self.tls,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n"

    # -- writing ---------------------------------------------------------------------

    def add(self, run: Run) -> bool:
        """Add ``run`` unless it is already there; True when added."""
        i = bisect.bisect_left(self.runs, run.at - 0.001)
        if i < len(self.runs) and abs(self.runs[i] - run.at) < 0.001:
            return False
        self.runs.insert(i, run.at)
        for check, sample in run.samples.items():
            bisect.insort(self.samples.setdefault(check, []), sample, key=lambda s: s.at)
        for host, not_after in run.tls.items():
            self.tls[host] = {"not_after": not_after, "checked": run.at}
        return True

    def compact(self, now: float, *, raw_days: float = 7, keep_days: float = 400) -> None:
        """Fold raw samples older than ``raw_days`` into day rows; drop day rows older than
        ``keep_days`` and runs older than the raw window."""
        cutoff = now - raw_days * DAY
        today = _day(now)
        for check, rows in self.samples.items():
            old = [s for s in rows if s.at < cutoff and _day(s.at) != today]
            if not old:
                continue
            by_day: dict[str, list[Sample]] = {}
            for sample in old:
                by_day.setdefault(_day(sample.at), []).append(sample)
            kept = {d.day: d for d in self.days.get(check, [])}
            for day, group in by_day.items():
                stat = _fold(day, group)
                if day in kept:  # a day folded earlier, in part: add the rest
                    stat = _combine(kept[day], stat)
                kept[day] = stat
            self.days[check] = sorted(kept.values(), key=lambda d: d.day)
            self.samples[check] = [s for s in rows if not (s.at < cutoff and _day(s.at) != today)]
        oldest = _day(now - keep_days * DAY)
        for check in list(self.days):
            self.days[check] = [d for d in self.days[check] if d.day >= oldest]
        self.runs = [at for at in self.runs if at >= cutoff]

    # -- reading ---------------------------------------------------------------------

    def recent(self, check: str, n: int) -> list[Sample]:
        return self.samples.get(check, [])[-n:]

    def day_stats(self, check: str, now: float, days: int = 90) -> list[DayStat]:
        """One row per UTC day, oldest first, ending today; a day without samples has
        ``count == 0``."""
        folded = {d.day: d for d in self.days.get(check, [])}
        raw: dict[str, list[Sample]] = {}
        for sample in self.samples.get(check, []):
            raw.setdefault(_day(sample.at), []).append(sample)
        out = []
        for back in range(days - 1, -1, -1):
            day = _day(now - back * DAY)
            stat = folded.get(day)
            if day in raw:
                fresh = _fold(day, raw[day])
                stat = fresh if stat is None else _combine(stat, fresh)
            out.append(stat or DayStat(day, 0, 0, None, None, None))
        return out

    def uptime(self, check: str, now: float, days: float) -> float | None:
        """The share of passing samples over the last ``days`` days (whole days for the
        folded part)."""
        cutoff = now - days * DAY
        count = failures = 0
        for sample in self.samples.get(check, []):
            if sample.at >= cutoff:
                count += 1
                failures += not sample.ok
        first_raw = min((s.at for s in self.samples.get(check, [])), default=now)
        for stat in self.days.get(check, []):
            # The oldest raw day may be split: its folded part is in its day row.
            if _day(cutoff) <= stat.day <= _day(first_raw):
                count += stat.count
                failures += stat.failures
        return None if count == 0 else (count - failures) / count

    def coverage(self, now: float, interval: float, window_days: float = 7) -> Coverage:
        runs = [at for at in self.runs if at >= now - window_days * DAY]
        gaps = [b - a for a, b in itertools.pairwise(runs)]
        if runs:
            gaps.append(now - runs[-1])  # the silence since the last run counts too
        return Coverage(
            window_days=window_days,
            runs=len(runs),
            interval=interval,
            median_gap=statistics.median(gaps) if len(gaps) >= 2 else None,
            largest_gap=max(gaps) if gaps else None,
            long_gaps=sum(1 for g in gaps if g > 3600),
        )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _fold(day: str, samples: list[Sample]) -> DayStat:
    latencies = [s.latency_ms for s in samples if s.latency_ms is not None]
    return DayStat(
        day=day,
        count=len(samples),
        failures=sum(1 for s in samples if not s.ok),
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        max=max(latencies) if latencies else None,
    )


def _combine(a: DayStat, b: DayStat) -> DayStat:
    """Two partial days: counts add up; percentiles are the count-weighted mean (an
    approximation, only for a day folded in two parts), the max the larger one."""

    def mix(x: float | None, y: float | None) -> float | None:
        if x is None or y is None:
            return x if y is None else y
        return (x * a.count + y * b.count) / max(1, a.count + b.count)

    maxes = [m for m in (a.max, b.max) if m is not None]
    return DayStat(
        a.day,
        a.count + b.count,
        a.failures + b.failures,
        mix(a.p50, b.p50),
        mix(a.p95, b.p95),
        max(maxes) if maxes else None,
    )
