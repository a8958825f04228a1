"""Spans and business time, as SEMANTICS.md reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.deadlines import BusinessCalendar, SpanKind, parse_span

NY = BusinessCalendar(timezone="America/New_York")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5m", 300),
        ("15 min", 900),
        ("1h30m", 5400),
        ("4h", 14400),
        ("2d", 172800),
        ("1w", 604800),
        ("90s", 90),
        ("immediate", 0),
        ("1 week", 604800),
    ],
)
def test_elapsed_spans(text: str, seconds: int) -> None:
    span = parse_span(text)
    assert span.kind is SpanKind.ELAPSED and span.seconds == seconds and str(span) == text


@pytest.mark.parametrize("text", ["", "5", "5 parsecs", "m5", "1.5s", "0 business days", "soon"])
def test_bad_spans_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_span(text)


def test_four_business_hours_from_friday_afternoon_is_monday_noon() -> None:
    # SEMANTICS.md: "4 business hours" from Friday 16:00 is Monday 12:00.
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=NY.zone)
    assert NY.add(friday, parse_span("4 business hours")) == datetime(2026, 3, 9, 12, 0, tzinfo=NY.zone)


def test_business_hours_start_counting_at_opening() -> None:
    saturday_night = datetime(2026, 3, 7, 23, 0, tzinfo=NY.zone)
    assert NY.add(saturday_night, parse_span("4 business hours")) == datetime(2026, 3, 9, 13, 0, tzinfo=NY.zone)
    early = datetime(2026, 3, 10, 6, 0, tzinfo=NY.zone)
    assert NY.add(early, parse_span("8 business hours")) == datetime(2026, 3, 10, 17, 0, tzinfo=NY.zone)


def test_next_business_day_ends_at_close() -> None:
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=NY.zone)
    assert NY.add(friday, parse_span("next business day")) == datetime(2026, 3, 9, 17, 0, tzinfo=NY.zone)


def test_business_days_keep_clock_time_and_skip_holidays() -> None:
    calendar = BusinessCalendar(timezone="Europe/Berlin", holidays=frozenset({date(2026, 12, 25)}))
    thursday = datetime(2026, 12, 24, 14, 32, tzinfo=calendar.zone)
    # 5 business days: Mon 28, Tue 29, Wed 30, Thu 31, Fri Jan 1 -> but Jan 1 is no holiday here.
    assert calendar.add(thursday, parse_span("5 business days")) == datetime(2027, 1, 1, 14, 32, tzinfo=calendar.zone)
    assert calendar.add(thursday, parse_span("1 business day")) == datetime(2026, 12, 28, 14, 32, tzinfo=calendar.zone)


def test_business_days_across_dst_keep_wall_time() -> None:
    friday = datetime(2026, 3, 6, 9, 30, tzinfo=NY.zone)  # DST starts Sunday 8 March
    result = NY.add(friday, parse_span("1 business day")).astimezone(NY.zone)
    assert (result.date(), result.time()) == (date(2026, 3, 9), time(9, 30))
    assert result.astimezone(UTC) - friday.astimezone(UTC) == timedelta(hours=71)  # a 23-hour Sunday


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    hours=st.integers(min_value=1, max_value=60),
)
def test_business_hours_land_inside_business_hours_and_grow(start: datetime, hours: int) -> None:
    end = NY.add(start, parse_span(f"{hours} business hours")).astimezone(NY.zone)
    assert end > start
    assert NY.is_business_day(end.date())
    assert time(9, 0) < end.time() <= time(17, 0)
    longer = NY.add(start, parse_span(f"{hours + 1} business hours"))
    assert longer > end
