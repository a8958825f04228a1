"""Properties of the pure statistics: nearest-rank percentiles, duration summaries, groupings, follow-ups."""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from warroom.reports import followups, metrics
from warroom.reports.metrics import IncidentRecord, Measure, percentile
from warroom.reports.oncall_pay import is_overnight
from warroom.reports.periods import week_buckets

values = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=60)
percents = st.integers(min_value=1, max_value=100)
BASE = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())


@st.composite
def records(draw: st.DrawFn) -> IncidentRecord:
    started = BASE + draw(st.integers(0, 90 * 86400))
    detected = started + draw(st.integers(0, 7200))
    triggered = detected + draw(st.integers(0, 600))
    acknowledged = draw(st.none() | st.integers(0, 7200).map(lambda d: triggered + d))
    resolved = draw(st.none() | st.integers(0, 86400).map(lambda d: triggered + d))
    mitigated = resolved if resolved is not None else draw(st.none() | st.just(triggered + 60))
    return IncidentRecord(
        number=draw(st.integers(1, 10**6)),
        severity=draw(st.sampled_from(["sev1", "sev2", "sev3"])),
        services=tuple(draw(st.lists(st.sampled_from(["api", "db", "web"]), max_size=3))),
        detection_source=draw(st.sampled_from(["alert", "manual", "user_report"])),
        started=started,
        detected=detected,
        triggered=triggered,
        acknowledged=acknowledged,
        mitigated=mitigated,
        resolved=resolved,
    )


@given(values, percents)
def test_nearest_rank_is_an_observed_value_with_percent_of_values_at_or_below(data: list[int], p: int) -> None:
    ordered = sorted(data)
    value = percentile(ordered, p)
    assert value in data
    n = len(data)
    at_or_below = sum(1 for v in data if v <= value)
    below = sum(1 for v in data if v < value)
    assert at_or_below * 100 >= p * n  # at least p% are <= the answer ...
    assert below * 100 < p * n  # ... and it is the smallest such value


@given(values, percents, percents)
def test_percentiles_rise_with_the_percent_and_end_at_the_maximum(data: list[int], p: int, q: int) -> None:
    ordered = sorted(data)
    low, high = min(p, q), max(p, q)
    assert percentile(ordered, low) <= percentile(ordered, high) <= percentile(ordered, 100) == max(data)


def test_percentile_worked_examples() -> None:
    # n=10: p50 is rank 5, p90 rank 9 (exact integer ceilings, no float drift at 0.9 * 10).
    assert (percentile(list(range(1, 11)), 50), percentile(list(range(1, 11)), 90)) == (5, 9)
    # n=1: every percentile is the value.
    assert (percentile([7], 50), percentile([7], 90)) == (7, 7)


@given(values, st.integers(min_value=0, max_value=20))
def test_duration_stats_are_inside_the_data(data: list[int], extra: int) -> None:
    stats = metrics.duration_stats(data, len(data) + extra)
    assert (stats.n, stats.of, stats.missing) == (len(data), len(data) + extra, extra)
    assert stats.mean is not None and stats.p50 is not None and stats.p90 is not None
    assert min(data) <= stats.p50 <= stats.p90 <= max(data)
    assert min(data) - 1e-6 <= stats.mean <= max(data) + 1e-6


@given(st.lists(records(), max_size=40))
def test_groups_partition_the_incidents(found: list[IncidentRecord]) -> None:
    measured = metrics.measure(found)
    overall = metrics.group_stats("all", measured)
    by_severity = metrics.by_severity(measured, ["sev1", "sev2"])
    assert sum(g.incidents for g in by_severity) == overall.incidents == len(found)
    assert sum(g.open for g in by_severity) == overall.open == sum(1 for r in found if r.resolved is None)
    # Each incident counts once per distinct service, or once under "(none)".
    expected = sum(max(len(set(r.services)), 1) for r in found)
    assert sum(g.incidents for g in metrics.by_service(measured)) == expected
    for group in [overall, *by_severity]:
        resolve = group.durations[Measure.RESOLVE]
        assert resolve.of == group.incidents and resolve.missing == group.open
        if resolve.mean is not None and group.durations[Measure.MITIGATE].n == resolve.n:
            # Every resolved incident is mitigated no later than resolved: MTTM <= MTTR.
            assert group.durations[Measure.MITIGATE].mean is not None
            assert group.durations[Measure.MITIGATE].mean <= resolve.mean + 1e-6


@given(st.lists(records(), max_size=40))
def test_week_buckets_count_every_incident_of_the_window_once(found: list[IncidentRecord]) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    until = since + timedelta(days=92)
    buckets = week_buckets(since, until, ZoneInfo("Europe/Berlin"))
    counts = metrics.bucket_counts(found, buckets)
    inside = [r for r in found if since.timestamp() <= r.triggered < until.timestamp()]
    assert sum(c.incidents for c in counts) == len(inside)
    assert all(sum(c.by_severity.values()) == c.incidents for c in counts)


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "UTC"]
walls = st.times().map(lambda t: t.replace(microsecond=0))


@given(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    st.timedeltas(min_value=timedelta(hours=1), max_value=timedelta(days=400)),
    st.data(),
)
def test_offset_spans_give_the_zone_offset_everywhere_in_the_window(
    name: str, since: datetime, span: timedelta, data: st.DataObject
) -> None:
    zone = ZoneInfo(name)
    spans = followups.offset_spans(zone, since, since + span)
    assert spans[0][0] == int(since.timestamp())
    starts = [start for start, _ in spans]
    assert starts == sorted(set(starts))
    instant = data.draw(st.integers(int(since.timestamp()), int((since + span).timestamp()) - 1))
    offset = spans[bisect_right(starts, instant) - 1][1]
    expected = datetime.fromtimestamp(instant, UTC).astimezone(zone).utcoffset()
    assert expected is not None and offset == expected.total_seconds()


@given(st.sampled_from(ZONES), st.integers(BASE, BASE + 3 * 365 * 86400), walls, walls)
def test_night_arithmetic_is_oncall_pays_overnight_rule(name: str, epoch: int, start: time, end: time) -> None:
    zone = ZoneInfo(name)
    at = datetime.fromtimestamp(epoch, UTC)
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    night_start, length = followups.night_shift((start, end))
    expected = is_overnight(at, zone, start, end)
    assert followups.is_night(epoch, int(offset.total_seconds()), night_start, length) is expected


def test_the_default_night_across_the_berlin_spring_change() -> None:
    start, length = followups.night_shift(followups.DEFAULT_NIGHT)  # 22:00 + 9 h
    before = int(datetime(2026, 3, 29, 0, 30, tzinfo=UTC).timestamp())  # 01:30 CET
    after = int(datetime(2026, 3, 29, 5, 30, tzinfo=UTC).timestamp())  # 07:30 CEST (06:30 in winter time)
    assert (start, length) == (22 * 3600, 9 * 3600)
    assert followups.is_night(before, 3600, start, length) and not followups.is_night(after, 7200, start, length)


def test_frequency_per_week_and_month() -> None:
    record = IncidentRecord(1, "sev1", (), "alert", BASE, BASE, BASE)
    found = metrics.frequency([record, record], "sev1", 14 * 86400)
    # 2 in 14 days: 1 per week; 2 / (14 / 30.436875) per month.
    assert (found.incidents, found.per_week, found.last) == (2, 1.0, BASE)
    assert math.isclose(found.per_month, 2 / (14 / 30.436875))
