"""The uptime history: bounded by folding old samples into days, and honest about how
often the probes really ran."""

from __future__ import annotations

from launchready_ci.uptime.history import DAY, History, Run, Sample

NOW = 1_764_331_200.0  # 2025-11-28 12:00 UTC


def _history(days: int, every: float, *, fail: tuple[float, float] | None = None) -> History:
    history = History()
    at = NOW - days * DAY
    while at <= NOW:
        down = fail is not None and fail[0] <= at < fail[1]
        latency = 100.0 + (at % 7) * 10
        history.add(Run(at, {"home": Sample(at, not down, None if down else latency, 200)}))
        at += every
    return history


def test_old_samples_fold_into_days_and_the_file_stays_small() -> None:
    history = _history(90, 300)
    before = len(history.dumps())
    history.compact(NOW, raw_days=7, keep_days=400)
    text = history.dumps()
    assert len(text) < before / 5
    assert len(text) < 200_000
    assert min(s.at for s in history.samples["home"]) >= NOW - 7 * DAY - DAY
    days = history.days["home"]
    assert 80 <= len(days) <= 84
    assert all(d.count == 288 for d in days[1:-1])  # the first and last are partial
    again = History.loads(text)
    assert again.day_stats("home", NOW, 90) == history.day_stats("home", NOW, 90)


def test_uptime_and_daily_stats_count_an_outage() -> None:
    history = _history(10, 300, fail=(NOW - 2 * DAY, NOW - 2 * DAY + 3600))
    history.compact(NOW, raw_days=1)
    stats = history.day_stats("home", NOW, 10)
    assert len(stats) == 10 and stats[-1].day == "2025-11-28"
    outage_day = next(d for d in stats if d.failures)
    assert outage_day.failures == 12 and outage_day.uptime is not None
    assert round(outage_day.uptime, 4) == round(1 - 12 / outage_day.count, 4)
    assert history.uptime("home", NOW, 1) == 1.0
    week = history.uptime("home", NOW, 7)
    assert week is not None and 0.99 < week < 1.0


def test_coverage_reports_the_real_interval_and_the_gaps() -> None:
    history = _history(7, 14 * 60)
    history.runs = [at for at in history.runs if not (NOW - 3 * DAY < at < NOW - 3 * DAY + 7200)]
    coverage = history.coverage(NOW, interval=300)
    assert coverage.worse
    assert coverage.long_gaps == 1
    assert coverage.describe().startswith("median gap 14 min (configured every 5 min)")
    assert "1 gap(s) over 1 h (longest 2.1 h)" in coverage.describe()
    on_time = _history(7, 300).coverage(NOW, interval=300)
    assert not on_time.worse and on_time.long_gaps == 0


def test_a_monitor_that_stopped_is_worse_than_configured() -> None:
    history = History()
    history.add(Run(NOW - 6 * DAY, {"home": Sample(NOW - 6 * DAY, True, 10.0, 200)}))
    coverage = history.coverage(NOW, interval=300)
    assert coverage.worse and coverage.long_gaps == 1


def test_uptime_over_the_split_day_counts_both_parts() -> None:
    # The raw window starts at noon 7 days back: that day's morning is folded into its
    # day row and its afternoon stays raw. An outage that morning must still count.
    split = NOW - 7 * DAY
    history = _history(30, 300, fail=(split - 3 * 3600, split - 2 * 3600))
    total = sum(len(v) for v in history.samples.values())
    history.compact(NOW, raw_days=7)
    assert sum(d.count for d in history.day_stats("home", NOW, 40)) == total
    assert sum(d.count for d in history.days["home"]) + len(history.samples["home"]) == total
    assert history.uptime("home", NOW, 60) == (total - 12) / total
