"""The on-call page's calendar: a schedule's final shifts cut into local weeks, and override form times read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from warroom.errors import InvalidInput
from warroom.oncall.schedules import Shift, localize

WEEKS_SHOWN = 4


@dataclass(frozen=True)
class CalendarRow:
    """One shift inside one week (cut at the week's edges), in the schedule's zone."""

    start: datetime  # local, aware
    end: datetime
    person: str
    override: bool  # an override put this person here


@dataclass(frozen=True)
class CalendarWeek:
    first_day: date
    start: datetime  # local midnight of first_day, aware
    end: datetime
    rows: list[CalendarRow]


def week_starts(today: date, zone: ZoneInfo, weeks: int = WEEKS_SHOWN) -> list[datetime]:
    """Local midnights (as UTC instants) that start each shown week, plus the end of the last one.

    Weeks start on the Monday of the current local week; midnights stay midnights across DST.
    """
    monday = today - timedelta(days=today.weekday())
    return [localize(datetime.combine(monday + timedelta(weeks=k), time()), zone) for k in range(weeks + 1)]


def calendar_weeks(shifts: Sequence[Shift], bounds: Sequence[datetime], zone: ZoneInfo) -> list[CalendarWeek]:
    """Each week between consecutive `bounds` with the shifts overlapping it, cut to the week, in start order."""
    weeks = []
    for start, end in pairwise(bounds):
        rows = [
            CalendarRow(
                max(shift.start, start).astimezone(zone),
                min(shift.end, end).astimezone(zone),
                shift.person,
                shift.layer is None,
            )
            for shift in sorted(shifts, key=lambda s: (s.start, s.person))
            if shift.start < end and shift.end > start
        ]
        weeks.append(CalendarWeek(start.astimezone(zone).date(), start.astimezone(zone), end.astimezone(zone), rows))
    return weeks


def form_time(value: str, name: str, zone: ZoneInfo) -> datetime:
    """A time typed in the form: local wall time in the schedule's zone (what <input type=datetime-local> sends),
    or ISO 8601 with an offset. Returned as UTC."""
    text = value.strip()
    if not text:
        raise InvalidInput.of(name, "required: a date and time such as 2026-01-05T09:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput.of(name, f"{text[:40]!r} is not a date and time such as 2026-01-05T09:00") from None
    if parsed.tzinfo is None:
        return localize(parsed, zone)
    return parsed.astimezone(UTC)
