"""The postmortem policy as plain data: due times per preset, business days over weekends and the playbook's
holidays, reminders before and at the deadline, overdue as a half-open deadline, and the state rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.deadlines import BusinessCalendar, parse_span
from warroom.playbook.loader import load_preset, parse_playbook, preset_path
from warroom.playbook.schema import PostmortemPolicy, PostmortemRequirement
from warroom.postmortems.policy import ReminderStage, in_business_hours, is_overdue, plan_postmortem
from warroom.postmortems.states import (
    PostmortemAction,
    PostmortemState,
    RefusedAction,
    allowed_actions,
    check_action,
)

THURSDAY_15 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
WEEKDAYS = BusinessCalendar()


def required(due: str, review: str | None = None) -> PostmortemPolicy:
    return PostmortemPolicy(requirement=PostmortemRequirement.REQUIRED, due=parse_span(due), review_within=review)


@pytest.mark.parametrize(
    ("preset", "due_at"),
    [
        ("energy-audit", datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),  # 48 h
        ("launch", datetime(2026, 3, 6, 15, 0, tzinfo=UTC)),  # 24 h
        ("greenlang", datetime(2026, 3, 12, 15, 0, tzinfo=UTC)),  # 5 business days: Fri, Mon, Tue, Wed, Thu
        ("platform", datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),  # 48 h
        ("sre-team", datetime(2026, 3, 6, 15, 0, tzinfo=UTC)),  # 24 h
    ],
)
def test_each_preset_most_severe_level_is_due_as_its_playbook_says(preset: str, due_at: datetime) -> None:
    playbook = load_preset(preset)
    plan = plan_postmortem(playbook.severities[0].postmortem, playbook.business_calendar.calendar(), THURSDAY_15)
    assert plan.requirement is PostmortemRequirement.REQUIRED
    assert plan.due_at == due_at
    assert plan.reminders[-1].at == due_at and plan.reminders[-1].stage is ReminderStage.DUE


def test_the_playbook_holidays_are_skipped() -> None:
    """GreenLang's "5 business days" from Christmas Eve, with the team's holidays written in its playbook."""
    text = preset_path("greenlang").read_text()
    calendar = "business_calendar:\n"
    assert text.count(calendar) == 1
    playbook = parse_playbook(text.replace(calendar, calendar + "  holidays: [2026-12-25, 2026-12-31, 2027-01-01]\n"))
    resolved = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # Thursday
    plan = plan_postmortem(playbook.severities[0].postmortem, playbook.business_calendar.calendar(), resolved)
    # Dec 28, 29, 30, then Jan 4, 5: Christmas, New Year's Eve, New Year's Day and two weekends skipped.
    assert plan.due_at == datetime(2027, 1, 5, 15, 0, tzinfo=UTC)
    assert [(r.at, r.stage) for r in plan.reminders] == [
        (datetime(2026, 12, 29, 15, 0, tzinfo=UTC), ReminderStage.HALFWAY),  # 2 business days
        (datetime(2027, 1, 4, 15, 0, tzinfo=UTC), ReminderStage.DAY_BEFORE),  # 4 business days
        (datetime(2027, 1, 5, 15, 0, tzinfo=UTC), ReminderStage.DUE),
    ]


def test_reminders_of_the_presets_spans() -> None:
    stages = ReminderStage
    plan = plan_postmortem(required("48h"), WEEKDAYS, THURSDAY_15)
    assert [(r.at, r.stage) for r in plan.reminders] == [
        (datetime(2026, 3, 6, 15, 0, tzinfo=UTC), stages.DAY_BEFORE),  # halfway and a day before coincide: once
        (datetime(2026, 3, 7, 15, 0, tzinfo=UTC), stages.DUE),  # a Saturday: an elapsed deadline still holds
    ]
    plan = plan_postmortem(required("24h"), WEEKDAYS, THURSDAY_15)
    assert [(r.at, r.stage) for r in plan.reminders] == [
        (datetime(2026, 3, 6, 9, 0, tzinfo=UTC), stages.HALFWAY),  # 03:00 moved to the opening: nobody is woken
        (datetime(2026, 3, 6, 15, 0, tzinfo=UTC), stages.DUE),
    ]
    plan = plan_postmortem(required("1h"), WEEKDAYS, THURSDAY_15)
    assert [r.stage for r in plan.reminders] == [stages.DUE]  # no room for a reminder before


def test_review_is_never_due_before_the_document() -> None:
    plan = plan_postmortem(required("5 business days", "5d"), WEEKDAYS, THURSDAY_15)
    assert plan.review_due_at == plan.due_at == datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    plan = plan_postmortem(required("24h", "1w"), WEEKDAYS, THURSDAY_15)
    assert plan.review_due_at == datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def test_optional_and_skipped_postmortems_remind_nobody() -> None:
    optional = PostmortemPolicy(requirement=PostmortemRequirement.OPTIONAL, due=parse_span("5 business days"))
    plan = plan_postmortem(optional, WEEKDAYS, THURSDAY_15)
    assert plan.due_at == datetime(2026, 3, 12, 15, 0, tzinfo=UTC) and plan.reminders == ()
    skipped = PostmortemPolicy(requirement=PostmortemRequirement.SKIPPED, note="Skip for: SEV-4")
    plan = plan_postmortem(skipped, WEEKDAYS, THURSDAY_15)
    assert (plan.due_at, plan.review_due_at, plan.reminders, plan.note) == (None, None, (), "Skip for: SEV-4")


def test_overdue_is_half_open() -> None:
    due = THURSDAY_15
    assert not is_overdue("required", PostmortemState.DRAFT, due, due - timedelta(microseconds=1))
    assert is_overdue("required", PostmortemState.DRAFT, due, due)
    assert is_overdue("required", PostmortemState.IN_REVIEW, due, due + timedelta(days=9))
    assert not is_overdue("required", PostmortemState.PUBLISHED, due, due + timedelta(days=9))
    assert not is_overdue("optional", PostmortemState.DRAFT, due, due + timedelta(days=9))
    assert not is_overdue("required", PostmortemState.DRAFT, None, due)


# ---- properties ---------------------------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)).map(
    lambda value: value.replace(microsecond=0)
)
holiday_sets = st.frozensets(st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 3, 31)), max_size=40)


def business_days_between(calendar: BusinessCalendar, start: date, end: date) -> int:
    """Business days in (start, end]."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += calendar.is_business_day(day)
    return days


@settings(max_examples=300, deadline=None)
@given(resolved=instants, count=st.integers(1, 15), holidays=holiday_sets)
def test_n_business_days_skip_weekends_and_holidays(resolved: datetime, count: int, holidays: frozenset[date]) -> None:
    calendar = BusinessCalendar(holidays=holidays)
    plan = plan_postmortem(required(f"{count} business days"), calendar, resolved)
    assert plan.due_at is not None
    due_day = plan.due_at.date()
    assert due_day.weekday() < 5 and due_day not in holidays
    assert plan.due_at.time() == resolved.time()  # the same clock time, N business days later
    assert business_days_between(calendar, resolved.date(), due_day) == count


@settings(max_examples=300, deadline=None)
@given(
    resolved=instants,
    span=st.sampled_from(["1h", "4h", "24h", "48h", "72h", "1w", "1 business days", "2 business days",
                          "5 business days", "8 business hours", "next business day"]),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
    holidays=holiday_sets,
)  # fmt: skip
def test_reminders_come_before_the_deadline_in_business_hours_then_once_at_it(
    resolved: datetime, span: str, zone: str, holidays: frozenset[date]
) -> None:
    calendar = BusinessCalendar(timezone=zone, holidays=holidays)
    plan = plan_postmortem(required(span), calendar, resolved)
    assert plan.due_at is not None and plan.due_at > resolved
    *before, last = plan.reminders
    assert (last.at, last.stage) == (plan.due_at, ReminderStage.DUE)
    assert len(before) <= 2
    times = [reminder.at for reminder in plan.reminders]
    assert all(later - earlier >= timedelta(hours=1) for earlier, later in pairwise(times))
    for reminder in before:
        assert resolved < reminder.at < plan.due_at
        assert in_business_hours(calendar, reminder.at) == reminder.at, reminder
        local = reminder.at.astimezone(calendar.zone)
        assert calendar.is_business_day(local.date()) and time(9) <= local.time() < time(17)


@given(instant=instants, zone=st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York"]), holidays=holiday_sets)
def test_in_business_hours_is_the_next_opening_or_itself(
    instant: datetime, zone: str, holidays: frozenset[date]
) -> None:
    calendar = BusinessCalendar(timezone=zone, holidays=holidays)
    moved = in_business_hours(calendar, instant)
    assert moved >= instant and moved - instant < timedelta(days=60)
    local = moved.astimezone(calendar.zone)
    assert calendar.is_business_day(local.date()) and time(9) <= local.time() < time(17)
    if moved != instant:
        assert local.time() == time(9)


# ---- states -------------------------------------------------------------------------------------------------


def test_what_each_state_allows() -> None:
    draft = allowed_actions(PostmortemState.DRAFT, "optional")
    assert PostmortemAction.SUBMIT in draft and PostmortemAction.PUBLISH not in draft
    assert PostmortemAction.SKIP not in allowed_actions(PostmortemState.DRAFT, "required")
    assert allowed_actions(PostmortemState.PUBLISHED, "required") == []
    assert allowed_actions(PostmortemState.SKIPPED, "optional") == []


@pytest.mark.parametrize(
    ("state", "requirement", "action", "words"),
    [
        (PostmortemState.DRAFT, "required", PostmortemAction.PUBLISH, "submit it for review first"),
        (PostmortemState.DRAFT, "required", PostmortemAction.SKIP, "requires this postmortem"),
        (PostmortemState.IN_REVIEW, "required", PostmortemAction.REGENERATE, "send it back to draft first"),
        (PostmortemState.PUBLISHED, "required", PostmortemAction.EDIT, "published and no longer changes"),
        (PostmortemState.SKIPPED, "optional", PostmortemAction.SUBMIT, "it was skipped"),
    ],
)
def test_refusals_say_why_and_what_is_allowed(
    state: PostmortemState, requirement: str, action: PostmortemAction, words: str
) -> None:
    with pytest.raises(RefusedAction) as refused:
        check_action(state, requirement, action)
    assert words in str(refused.value)
    assert refused.value.allowed == allowed_actions(state, requirement)
