"""Report windows and week/month buckets in a time zone, DST included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.errors import InvalidInput
from warroom.reports.periods import month_buckets, parse_period, report_window, week_buckets

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago"]
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
spans = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=800))


@given(instants, spans, st.sampled_from(ZONES))
def test_week_buckets_are_contiguous_iso_weeks_covering_the_window(since: datetime, span: timedelta, name: str) -> None:
    zone = ZoneInfo(name)
    until = since + span
    buckets = week_buckets(since, until, zone)
    assert buckets[0].start <= since < buckets[0].end
    assert buckets[-1].start < until <= buckets[-1].end
    for bucket, following in pairwise(buckets):
        assert bucket.end == following.start
    for bucket in buckets:
        local = bucket.start.astimezone(zone)
        assert local.weekday() == 0 and (local.hour, local.minute) in {(0, 0), (1, 0)}  # 01:00 if midnight is skipped
        year, week, _ = local.date().isocalendar()
        assert bucket.label == f"{year}-W{week:02d}"
        # A week is 168 hours, give or take the DST change inside it.
        assert timedelta(hours=166) <= bucket.end - bucket.start <= timedelta(hours=170)


@given(instants, spans, st.sampled_from(ZONES))
def test_month_buckets_start_on_the_first_at_local_midnight(since: datetime, span: timedelta, name: str) -> None:
    zone = ZoneInfo(name)
    until = since + span
    buckets = month_buckets(since, until, zone)
    assert buckets[0].start <= since < buckets[0].end and buckets[-1].start < until <= buckets[-1].end
    for bucket, following in pairwise(buckets):
        assert bucket.end == following.start
    for bucket in buckets:
        local = bucket.start.astimezone(zone)
        assert local.day == 1 and bucket.label == f"{local.year}-{local.month:02d}"


def test_a_week_with_the_spring_change_is_167_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    weeks = week_buckets(datetime(2026, 3, 25, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC), berlin)
    assert [(w.label, (w.end - w.start) / timedelta(hours=1)) for w in weeks] == [("2026-W13", 167), ("2026-W14", 168)]
    autumn = week_buckets(datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 21, tzinfo=UTC), berlin)
    assert [(w.label, (w.end - w.start) / timedelta(hours=1)) for w in autumn] == [("2026-W43", 169)]


def test_periods_count_back_from_now() -> None:
    now = datetime(2026, 3, 30, 12, tzinfo=UTC)
    assert parse_period("365d") == timedelta(days=365)
    assert parse_period("12w") == timedelta(weeks=12)
    assert parse_period(" 24h ") == timedelta(hours=24)
    window = report_window(now, "12w")
    assert (window.since, window.until, window.period) == (now - timedelta(weeks=12), now, "12w")
    window = report_window(now, since=datetime(2026, 3, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")))
    assert (window.since, window.until, window.period) == (datetime(2026, 3, 1, tzinfo=UTC), now, None)
    window = report_window(now, "1d", until=datetime(2026, 3, 2, tzinfo=UTC))
    assert (window.since, window.until) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))


@pytest.mark.parametrize("text", ["", "30", "d", "1m", "1y", "-3d", "0w", "1.5d", "30 days"])
def test_unreadable_periods_are_refused_with_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_period(text)
    assert raised.value.problems[0].field == "period" and "24h, 30d, 12w" in raised.value.problems[0].reason
