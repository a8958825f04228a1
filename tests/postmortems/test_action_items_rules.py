"""The pure rules of action items: vocabulary, status moves, due dates, overdue and reminder times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.deadlines.business_calendar import BusinessCalendar
from warroom.postmortems.action_item_rules import (
    CLOSED_STATUSES,
    JIRA_PRIORITY,
    REMINDER_PERIOD,
    InvalidMove,
    ItemStatus,
    Priority,
    allowed_moves,
    business_instant,
    due_date,
    end_of_day,
    first_reminder,
    is_overdue,
    move,
    next_reminder,
    parse_due,
    parse_priority,
    parse_status,
)

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "America/St_Johns"]
NOW = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))
statuses = st.sampled_from(list(ItemStatus))


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("p0", Priority.P0),
        ("P1", Priority.P1),
        (" highest ", Priority.P0),
        ("Medium", Priority.P2),
        ("low", Priority.P3),
    ],
)
def test_priority_words(text: str, priority: Priority) -> None:
    assert parse_priority(text) is priority


@pytest.mark.parametrize("text", ["", "p4", "urgent", "critical", "1"])
def test_unknown_priorities_name_the_vocabulary(text: str) -> None:
    with pytest.raises(ValueError, match="use p0, p1, p2 or p3"):
        parse_priority(text)


def test_every_priority_has_a_jira_name() -> None:
    assert [JIRA_PRIORITY[p] for p in Priority] == ["Highest", "High", "Medium", "Low"]


@pytest.mark.parametrize(
    ("text", "status"),
    [("in progress", ItemStatus.IN_PROGRESS), ("won't do", ItemStatus.WONT_DO), ("DONE", ItemStatus.DONE)],
)
def test_status_words(text: str, status: ItemStatus) -> None:
    assert parse_status(text) is status


@given(statuses, statuses, instants, instants)
def test_moves_follow_the_table_and_stamp_closing(
    current: ItemStatus, target: ItemStatus, closed: datetime, now: datetime
) -> None:
    closed_at = closed if current.is_closed else None
    if target in allowed_moves(current):
        result = move(current, target, closed_at, now)
        assert result == (now if target.is_closed else None)
    else:
        with pytest.raises(InvalidMove) as refused:
            move(current, target, closed_at, now)
        assert target not in refused.value.allowed


@given(statuses)
def test_every_status_can_reach_every_other_and_closed_items_only_reopen(current: ItemStatus) -> None:
    reachable = {current}
    frontier = [current]
    while frontier:
        for nxt in allowed_moves(frontier.pop()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(ItemStatus)
    assert current not in allowed_moves(current)
    if current in CLOSED_STATUSES:
        assert allowed_moves(current) == (ItemStatus.OPEN,)


@given(statuses, instants, st.timedeltas(min_value=timedelta(days=-30), max_value=timedelta(days=30)))
def test_overdue_is_half_open_and_only_for_open_items(status: ItemStatus, due: datetime, offset: timedelta) -> None:
    now = due + offset
    assert is_overdue(status, due, now) == (not status.is_closed and offset >= timedelta(0))
    assert is_overdue(status, None, now) is False


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)), st.sampled_from(ZONES))
def test_a_date_is_due_at_the_end_of_that_local_day(day: date, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    due = parse_due(day.isoformat(), NOW, BusinessCalendar(timezone=zone_name))
    assert due == end_of_day(day, zone)
    last_moment = datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
    assert last_moment < due <= last_moment + timedelta(hours=1, seconds=1)  # a DST gap at midnight moves it
    assert due_date(due, zone) == day


@given(instants, st.sampled_from(ZONES))
def test_due_date_of_an_exact_time_is_its_local_day(due: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    local = (due - timedelta(microseconds=1)).astimezone(zone)
    assert due_date(due, zone) == local.date()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10T17:00:00Z", datetime(2026, 3, 10, 17, tzinfo=UTC)),
        ("2026-03-10T17:00+01:00", datetime(2026, 3, 10, 16, tzinfo=UTC)),
        ("2w", NOW + timedelta(weeks=2)),
        ("36h", NOW + timedelta(hours=36)),
        ("next business day", datetime(2026, 3, 6, 17, tzinfo=UTC)),
    ],
)
def test_due_forms(text: str, expected: datetime) -> None:
    assert parse_due(text, NOW, BusinessCalendar()) == expected


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01", "2026-03-10T17:00", "10/03/2026"])
def test_bad_due_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_due(text, NOW, BusinessCalendar())


in_2026 = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC))
CALENDARS = st.builds(
    BusinessCalendar,
    timezone=st.sampled_from(ZONES),
    holidays=st.frozensets(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), max_size=5),
)


def _in_business_hours(at: datetime, calendar: BusinessCalendar) -> bool:
    local = at.astimezone(calendar.zone)
    return calendar.is_business_day(local.date()) and calendar.opens <= local.time() < calendar.closes


@given(in_2026, in_2026, CALENDARS)
def test_first_reminder_is_in_business_hours_and_never_early(
    due: datetime, now: datetime, calendar: BusinessCalendar
) -> None:
    at = first_reminder(due, now, calendar)
    assert at >= max(due, now)
    assert _in_business_hours(at, calendar)
    if _in_business_hours(max(due, now), calendar):
        assert at == max(due, now)
    assert at - max(due, now) < timedelta(days=11)  # a long weekend plus a few holidays at most


@given(in_2026, CALENDARS)
def test_weekly_reminders_are_a_week_apart_in_business_hours(start: datetime, calendar: BusinessCalendar) -> None:
    first = business_instant(start, calendar)
    second = next_reminder(first, calendar)
    assert second >= first + REMINDER_PERIOD
    assert _in_business_hours(second, calendar)
    assert second - first < REMINDER_PERIOD + timedelta(days=11)
