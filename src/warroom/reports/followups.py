"""What follows incidents: postmortems written, action items closed, and the paging load on people. Pure.

Instants are epoch seconds; `now` is the report's clock reading. Decisions where the issue is silent:
- completion = published / required; a required postmortem that was skipped counts as not completed (it is
  listed as skipped beside it);
- on time = published strictly before due_at (SEMANTICS: "within N" is half-open), over the required ones
  that are published or whose due date has passed; a published one without a due date could not be late;
- an action item closes as done or won't do; it is overdue when still open or in progress at or after due_at;
- a night page falls, in the person's time zone (else the playbook's), in the playbook's
  compensation.overnight_start..overnight_end window, else in 22:00-07:00: oncall_pay's is_overnight rule,
  computed in SQL from UTC offsets that are constant between DST changes (offset_spans), so the on-call load
  of 100,000 pages is one GROUP BY, not 100,000 rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

DEFAULT_NIGHT = (time(22, 0), time(7, 0))
DAY = 86400
_STEP = 6 * 3600
CLOSED_ACTION_STATES = frozenset({"done", "wont_do"})


class PostmortemRecord(NamedTuple):
    requirement: str  # required | optional
    state: str  # draft | in_review | published | skipped
    due: int | None
    published: int | None


@dataclass(frozen=True)
class PostmortemStats:
    total: int
    required: int
    published: int  # of the required
    skipped: int  # of the required
    overdue: int  # required, neither published nor skipped, due date passed
    completion_rate: float | None
    on_time_eligible: int
    on_time: int
    on_time_rate: float | None


class ActionItemRecord(NamedTuple):
    status: str  # open | in_progress | done | wont_do
    due: int | None


@dataclass(frozen=True)
class ActionItemStats:
    created: int
    by_status: dict[str, int]
    closed: int
    closure_rate: float | None
    overdue: int


@dataclass(frozen=True)
class PersonLoad:
    person: str
    pages: int
    incidents: int
    night_pages: int


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def postmortem_stats(records: Iterable[PostmortemRecord], now: int) -> PostmortemStats:
    total = required = published = skipped = overdue = eligible = on_time = 0
    for record in records:
        total += 1
        if record.requirement != "required":
            continue
        required += 1
        published_at = record.published if record.state == "published" else None
        due_passed = record.due is not None and record.due <= now
        published += published_at is not None
        skipped += record.state == "skipped"
        overdue += published_at is None and record.state != "skipped" and due_passed
        if published_at is not None or due_passed:
            eligible += 1
            on_time += published_at is not None and (record.due is None or published_at < record.due)
    return PostmortemStats(
        total, required, published, skipped, overdue, _ratio(published, required), eligible, on_time,
        _ratio(on_time, eligible),
    )  # fmt: skip


def action_item_stats(records: Iterable[ActionItemRecord], now: int) -> ActionItemStats:
    by_status: dict[str, int] = {}
    overdue = 0
    for record in records:
        by_status[record.status] = by_status.get(record.status, 0) + 1
        overdue += record.status not in CLOSED_ACTION_STATES and record.due is not None and record.due <= now
    created = sum(by_status.values())
    closed = sum(count for status, count in by_status.items() if status in CLOSED_ACTION_STATES)
    return ActionItemStats(created, by_status, closed, _ratio(closed, created), overdue)


def offset_spans(zone: ZoneInfo, since: datetime, until: datetime) -> list[tuple[int, int]]:
    """[(start, UTC offset)] in epoch seconds: the zone's offset is constant from each start to the next, and
    the first start is `since`. DST changes are months apart, so stepping 6 hours and then bisecting to the
    second finds every one."""

    def offset(at: int) -> int:
        delta = datetime.fromtimestamp(at, UTC).astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    first, end = int(since.timestamp()), int(until.timestamp())
    spans = [(first, offset(first))]
    at = first
    while at < end:
        following = min(at + _STEP, end)
        if offset(following) != spans[-1][1]:
            low, high = at, following  # offset(low) is the current one, offset(high) is not
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == spans[-1][1] else (low, middle)
            spans.append((high, offset(high)))
        at = following
    return spans


def night_shift(night: tuple[time, time]) -> tuple[int, int]:
    """(start, length) in seconds of a [start, end) wall-clock window that may run past midnight."""
    start = night[0].hour * 3600 + night[0].minute * 60 + night[0].second
    end = night[1].hour * 3600 + night[1].minute * 60 + night[1].second
    return start, (end - start) % DAY


def is_night(epoch: int, utc_offset: int, start: int, length: int) -> bool:
    """oncall_pay.is_overnight in arithmetic, as the SQL computes it: the local time of day, counted from the
    window's start, falls inside it."""
    return (epoch + utc_offset - start) % DAY < length
