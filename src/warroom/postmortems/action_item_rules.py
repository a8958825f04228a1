"""Action items as plain data: the fixed vocabulary, the allowed status moves, due dates and reminder times.

No database, no clock, no network (ARCHITECTURE.md, principle 4): the service passes `now` and the calendar.

- Priority is a fixed four-step scale, p0 (drop everything) to p3 (when there is time). It maps to Jira's
  default priority scheme (Highest, High, Medium, Low) and to a GitHub label. Severity schemes differ per
  playbook; an action item's priority is the product's own vocabulary, the same for every team.
- Status moves: open <-> in_progress, either -> done | wont_do, and a closed item reopens to open.
- A due date without a time ("2026-03-10") means "by the end of that day" in the team's time zone: the item
  is due at the following local midnight. Overdue is half-open like every deadline (SEMANTICS.md): an item
  due at D is on time strictly before D, overdue from D on.
- Reminders go out in business hours (the playbook's business calendar): an item due at local midnight is
  reminded at the next opening, not by an SMS at 00:00. Then weekly while it stays overdue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from warroom.deadlines.business_calendar import BusinessCalendar
from warroom.deadlines.spans import Span, SpanKind, parse_span


class Priority(StrEnum):
    P0 = "p0"
    P1 = "p1"
    P2 = "p2"
    P3 = "p3"


DEFAULT_PRIORITY = Priority.P2
PRIORITY_ALIASES: dict[str, Priority] = {
    "highest": Priority.P0,
    "high": Priority.P1,
    "medium": Priority.P2,
    "low": Priority.P3,
}
JIRA_PRIORITY: dict[Priority, str] = {
    Priority.P0: "Highest",
    Priority.P1: "High",
    Priority.P2: "Medium",
    Priority.P3: "Low",
}


def github_priority_label(priority: Priority) -> str:
    return f"priority: {priority.value}"


def parse_priority(text: str) -> Priority:
    """p0..p3 (any case) or highest/high/medium/low; ValueError names the vocabulary."""
    norm = text.strip().lower()
    if norm in PRIORITY_ALIASES:
        return PRIORITY_ALIASES[norm]
    try:
        return Priority(norm)
    except ValueError:
        words = ", ".join(f"{alias} ({p.value})" for alias, p in PRIORITY_ALIASES.items())
        raise ValueError(f"unknown priority {text!r}; use p0, p1, p2 or p3, or {words}") from None


class ItemStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"

    @property
    def is_closed(self) -> bool:
        return self in (ItemStatus.DONE, ItemStatus.WONT_DO)


OPEN_STATUSES = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS)
CLOSED_STATUSES = (ItemStatus.DONE, ItemStatus.WONT_DO)

_MOVES: dict[ItemStatus, tuple[ItemStatus, ...]] = {
    ItemStatus.OPEN: (ItemStatus.IN_PROGRESS, ItemStatus.DONE, ItemStatus.WONT_DO),
    ItemStatus.IN_PROGRESS: (ItemStatus.OPEN, ItemStatus.DONE, ItemStatus.WONT_DO),
    ItemStatus.DONE: (ItemStatus.OPEN,),  # reopen; a wrong "done" is undone through open, on the record
    ItemStatus.WONT_DO: (ItemStatus.OPEN,),
}
_STATUS_WORDS = {
    "in progress": ItemStatus.IN_PROGRESS,
    "in-progress": ItemStatus.IN_PROGRESS,
    "won't do": ItemStatus.WONT_DO,
    "wont do": ItemStatus.WONT_DO,
    "wont-do": ItemStatus.WONT_DO,
    "wontdo": ItemStatus.WONT_DO,
    "reopen": ItemStatus.OPEN,
}


def parse_status(text: str) -> ItemStatus:
    norm = " ".join(text.strip().lower().split())
    if norm in _STATUS_WORDS:
        return _STATUS_WORDS[norm]
    try:
        return ItemStatus(norm)
    except ValueError:
        names = ", ".join(status.value for status in ItemStatus)
        raise ValueError(f"unknown status {text!r}; use {names}") from None


def allowed_moves(current: ItemStatus) -> tuple[ItemStatus, ...]:
    return _MOVES[current]


class InvalidMove(ValueError):
    def __init__(self, current: ItemStatus, target: ItemStatus) -> None:
        self.current = current
        self.target = target
        self.allowed = allowed_moves(current)
        if current is target:
            reason = f"the action item is already {current.value}"
        else:
            reason = f"an action item cannot move from {current.value} to {target.value}"
        super().__init__(reason)


def move(current: ItemStatus, target: ItemStatus, closed_at: datetime | None, now: datetime) -> datetime | None:
    """The item's closed_at after the move: set when it closes, cleared when it reopens."""
    if target not in allowed_moves(current):
        raise InvalidMove(current, target)
    if target.is_closed:
        return now
    return None if current.is_closed else closed_at


def needs_reason(target: ItemStatus) -> bool:
    """Dropping a follow-up must say why: the postmortem review reads it."""
    return target is ItemStatus.WONT_DO


def is_overdue(status: ItemStatus, due_at: datetime | None, now: datetime) -> bool:
    return status in OPEN_STATUSES and due_at is not None and now >= due_at


# ---- due dates ------------------------------------------------------------------------------------------


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The instant a date-only due date falls due: the next local midnight, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def parse_due(text: str, now: datetime, calendar: BusinessCalendar) -> datetime:
    """A date (end of that day, team time), an ISO 8601 time with an offset, or a span from now ("2w",
    "5 business days", "next business day"). ValueError says which forms are accepted."""
    raw = text.strip()
    if not raw:
        raise ValueError("empty due date")
    try:
        return end_of_day(date.fromisoformat(raw), calendar.zone)
    except ValueError:
        pass
    if raw[:4].isdigit() and "-" in raw:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (2026-03-10) or an ISO 8601 time") from None
        if moment.tzinfo is None:
            raise ValueError(f"{raw!r} has no time zone: add an offset (2026-03-10T17:00+01:00) or give a date")
        return moment.astimezone(UTC)
    try:
        span = parse_span(raw)
    except ValueError:
        raise ValueError(
            f"{raw!r} is not a due date: write a date (2026-03-10), a time with an offset "
            "(2026-03-10T17:00Z) or a span from now (2w, 5 business days)"
        ) from None
    return calendar.add(now, span)


def due_date(due_at: datetime, zone: ZoneInfo) -> date:
    """The calendar day an item is due by, in team time (Jira's `duedate`): end-of-day instants map back."""
    return (due_at - timedelta(microseconds=1)).astimezone(zone).date()


# ---- reminders ------------------------------------------------------------------------------------------

# "Follow up on action items: review progress weekly" (energy-audit); platform presents postmortems at the
# weekly all-hands. A daily nag teaches people to ignore it; a monthly one lets items rot.
REMINDER_PERIOD = timedelta(days=7)
_OPENING = Span(SpanKind.BUSINESS_HOURS, count=0, text="0 business hours")


def business_instant(at: datetime, calendar: BusinessCalendar) -> datetime:
    """`at` if it falls in business hours, else the calendar's next opening."""
    return calendar.add(at, _OPENING)


def first_reminder(due_at: datetime, now: datetime, calendar: BusinessCalendar) -> datetime:
    return business_instant(max(due_at, now), calendar)


def next_reminder(previous: datetime, calendar: BusinessCalendar) -> datetime:
    return business_instant(previous + REMINDER_PERIOD, calendar)
