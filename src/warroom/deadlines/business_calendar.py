"""Business time: "4 business hours", "5 business days", "next business day".

Pure arithmetic over a working week, working hours and holidays in one IANA time zone
(SEMANTICS.md: Monday-Friday 09:00-17:00 unless the playbook says otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from warroom.deadlines.spans import Span, SpanKind


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError("business hours must close after they open")
        if not self.workdays:
            raise ValueError("a business calendar needs at least one working day")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        candidate = day + timedelta(days=1)
        for _ in range(3660):
            if self.is_business_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("no business day within ten years: check the calendar's holidays")

    def _at(self, day: date, wall: time) -> datetime:
        return datetime.combine(day, wall, tzinfo=self.zone)

    def add(self, anchor: datetime, span: Span) -> datetime:
        """The instant `span` after `anchor` (aware), returned in UTC."""
        if anchor.tzinfo is None:
            raise ValueError("anchor must be timezone-aware")
        if span.kind is SpanKind.ELAPSED:
            return (anchor + span.elapsed).astimezone(UTC)
        local = anchor.astimezone(self.zone)
        if span.kind is SpanKind.NEXT_BUSINESS_DAY:
            return self._at(self.next_business_day(local.date()), self.closes).astimezone(UTC)
        if span.kind is SpanKind.BUSINESS_DAYS:
            day = local.date()
            for _ in range(span.count):
                day = self.next_business_day(day)
            # Same wall-clock time, N business days later (fold/gap resolved by zoneinfo).
            return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=self.zone).astimezone(UTC)
        return self._add_business_seconds(local, span.count * 3600)

    def _add_business_seconds(self, local: datetime, seconds: int) -> datetime:
        remaining = timedelta(seconds=seconds)
        day = local.date()
        cursor = local
        if not self.is_business_day(day) or local.timetz().replace(tzinfo=None) >= self.closes:
            day = self.next_business_day(day)
            cursor = self._at(day, self.opens)
        elif local.timetz().replace(tzinfo=None) < self.opens:
            cursor = self._at(day, self.opens)
        while True:
            close = self._at(day, self.closes)
            available = close - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(UTC)
            remaining -= available
            day = self.next_business_day(day)
            cursor = self._at(day, self.opens)
