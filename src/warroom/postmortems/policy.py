"""When a postmortem is owed, as plain data: from the severity's policy and the resolution, its requirement, due
times and reminders. No database, no clock (ARCHITECTURE.md, principle 4).

- Due and review times count from the resolution, in the playbook's business calendar when the span is business
  time ("5 business days" skips weekends and the playbook's holidays; SEMANTICS "Deadlines").
- The review cannot be due before the document: review_due_at is never earlier than due_at.
- Overdue is half-open like every deadline: on time strictly before due_at, overdue from due_at on.
- Reminders, for required postmortems only (an optional one is a draft for whoever wants it, not a chore):
  halfway to the deadline and one day before it (one business day for business-day spans) when the span leaves
  room for them, both moved into the team's business hours (writing a postmortem is daytime work; a reminder
  never wakes anyone), and one "overdue" notice at the deadline itself. Reminders closer than an hour to a
  later one are dropped, so a 48 h deadline gets one reminder at 24 h, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from warroom.deadlines import BusinessCalendar, Span, SpanKind
from warroom.playbook.schema import PostmortemPolicy, PostmortemRequirement
from warroom.postmortems.states import OPEN_STATES, PostmortemState

MIN_REMINDER_GAP = timedelta(hours=1)
DAY = timedelta(days=1)


class ReminderStage(StrEnum):
    HALFWAY = "halfway"
    DAY_BEFORE = "day_before"
    DUE = "due"


@dataclass(frozen=True)
class Reminder:
    at: datetime
    stage: ReminderStage


@dataclass(frozen=True)
class PostmortemPlan:
    requirement: PostmortemRequirement
    due_at: datetime | None
    review_due_at: datetime | None
    reminders: tuple[Reminder, ...]
    note: str | None


def plan_postmortem(policy: PostmortemPolicy, calendar: BusinessCalendar, resolved_at: datetime) -> PostmortemPlan:
    """What the severity's policy asks of an incident resolved at `resolved_at` (aware)."""
    if resolved_at.tzinfo is None:
        raise ValueError("resolved_at must be timezone-aware")
    resolved_at = resolved_at.astimezone(UTC)
    if policy.requirement is PostmortemRequirement.SKIPPED:
        return PostmortemPlan(policy.requirement, None, None, (), policy.note)
    due_at = calendar.add(resolved_at, policy.due) if policy.due is not None else None
    review_due_at = calendar.add(resolved_at, policy.review_within) if policy.review_within is not None else None
    if review_due_at is not None and due_at is not None:
        review_due_at = max(review_due_at, due_at)
    reminders: tuple[Reminder, ...] = ()
    if policy.requirement is PostmortemRequirement.REQUIRED and policy.due is not None and due_at is not None:
        reminders = reminder_times(resolved_at, due_at, policy.due, calendar)
    return PostmortemPlan(policy.requirement, due_at, review_due_at, reminders, policy.note)


def reminder_times(
    resolved_at: datetime, due_at: datetime, span: Span, calendar: BusinessCalendar
) -> tuple[Reminder, ...]:
    """The reminders before the deadline (in business hours, strictly between resolution and deadline, at least an
    hour apart), then the one at the deadline."""
    halfway: datetime | None
    before: datetime | None
    if span.kind is SpanKind.BUSINESS_DAYS:
        halfway = before = None
        if span.count > 1:
            halfway = calendar.add(resolved_at, Span(SpanKind.BUSINESS_DAYS, count=span.count // 2))
            before = calendar.add(resolved_at, Span(SpanKind.BUSINESS_DAYS, count=span.count - 1))
    else:
        halfway = resolved_at + (due_at - resolved_at) / 2
        before = due_at - DAY
    candidates = [
        Reminder(in_business_hours(calendar, at), stage)
        for at, stage in ((before, ReminderStage.DAY_BEFORE), (halfway, ReminderStage.HALFWAY))
        if at is not None
    ]
    kept: list[Reminder] = []
    for reminder in sorted(candidates, key=lambda r: r.at, reverse=True):  # latest first; on a tie "a day before" wins
        if reminder.at <= resolved_at or due_at - reminder.at < MIN_REMINDER_GAP:
            continue
        if kept and kept[-1].at - reminder.at < MIN_REMINDER_GAP:
            continue
        kept.append(reminder)
    return (*reversed(kept), Reminder(due_at, ReminderStage.DUE))


def in_business_hours(calendar: BusinessCalendar, instant: datetime) -> datetime:
    """`instant` if it falls in business hours, else the next opening (UTC)."""
    zone = calendar.zone
    local = instant.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    day = local.date()
    if calendar.is_business_day(day) and calendar.opens <= wall < calendar.closes:
        return instant.astimezone(UTC)
    if not calendar.is_business_day(day) or wall >= calendar.closes:
        day = calendar.next_business_day(day)
    return datetime.combine(day, calendar.opens, tzinfo=zone).astimezone(UTC)


def is_overdue(requirement: str, state: PostmortemState, due_at: datetime | None, now: datetime) -> bool:
    """A required postmortem not yet published whose deadline has come (half-open: at due_at it is late)."""
    return (
        requirement == PostmortemRequirement.REQUIRED.value
        and state in OPEN_STATES
        and due_at is not None
        and now >= due_at
    )
