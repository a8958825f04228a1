"""Report windows and calendar buckets. Pure.

A window is half-open, [since, until), and selects incidents by their trigger time. `--period 30d` counts
back from now (the injected clock); `h`, `d` and `w` are the units (no months: "1m" would read as a minute).
Weeks are ISO weeks (Monday 00:00) and months calendar months, both in the playbook's time zone, so a
week that contains a DST change is 167 or 169 hours long. The first and last buckets may be partial.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.errors import InvalidInput

DEFAULT_PERIOD = "30d"
LONGEST = timedelta(days=3660)  # ten years: a longer window is a typo, and would list 500+ weeks
_PERIOD = re.compile(r"^\s*(\d{1,5})\s*([hdw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class ReportWindow:
    since: datetime
    until: datetime
    period: str | None  # "365d" when given as a period


@dataclass(frozen=True)
class Bucket:
    label: str  # "2026-W02", "2026-03"
    start: datetime  # UTC; the local midnight that opens the bucket
    end: datetime


def parse_period(text: str) -> timedelta:
    found = _PERIOD.match(text)
    if found is None or int(found.group(1)) == 0:
        raise InvalidInput.of("period", f"{text!r} is not a period; write a number and h, d or w: 24h, 30d, 12w")
    return int(found.group(1)) * _UNITS[found.group(2)]


def report_window(
    now: datetime, period: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> ReportWindow:
    """The window a report covers; bad input raises InvalidInput naming the field."""
    if period is not None and since is not None:
        raise InvalidInput.of("period", "give a period or a start (since), not both")
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput.of(name, "needs a time zone offset, e.g. 2026-01-01T00:00:00Z")
    end = until.astimezone(UTC) if until is not None else now
    if since is not None:
        start = since.astimezone(UTC)
    else:
        period = period or DEFAULT_PERIOD
        span = parse_period(period)
        if span > LONGEST:
            raise InvalidInput.of("period", "at most ten years")
        start = end - span
    if start >= end:
        raise InvalidInput.of("since", "must be before until")
    if end - start > LONGEST:
        raise InvalidInput.of("since", "a report covers at most ten years")
    return ReportWindow(start, end, period if since is None else None)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def week_buckets(since: datetime, until: datetime, zone: ZoneInfo) -> list[Bucket]:
    """ISO weeks in `zone` covering [since, until): the first starts on the Monday on or before `since`."""
    day = since.astimezone(zone).date()
    day -= timedelta(days=day.weekday())
    buckets: list[Bucket] = []
    start = _local_midnight(day, zone)
    while start < until:
        following = day + timedelta(days=7)
        end = _local_midnight(following, zone)
        year, week, _ = day.isocalendar()
        buckets.append(Bucket(f"{year}-W{week:02d}", start, end))
        day, start = following, end
    return buckets


def month_buckets(since: datetime, until: datetime, zone: ZoneInfo) -> list[Bucket]:
    """Calendar months in `zone` covering [since, until)."""
    day = since.astimezone(zone).date().replace(day=1)
    buckets: list[Bucket] = []
    start = _local_midnight(day, zone)
    while start < until:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = _local_midnight(following, zone)
        buckets.append(Bucket(f"{day.year}-{day.month:02d}", start, end))
        day, start = following, end
    return buckets


def bucket_index(starts: Sequence[float], instant: float) -> int:
    """The bucket an instant (epoch seconds) falls in, given the buckets' starts; -1 before the first."""
    return bisect_right(starts, instant) - 1
