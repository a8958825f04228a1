"""iCalendar export: parses, and agrees with on_call_at at every instant of the exported window."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from warroom.oncall.ical import PRODID, person_calendar, schedule_calendar
from warroom.oncall.schedules import Override, Shift, final_shifts, on_call_at, playbook_overrides
from warroom.playbook.schema.oncall import OverrideKind, Schedule

GENERATED_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 15, tzinfo=UTC))
PEOPLE = {
    "alice": "Alice Adams",
    "bob": "Bob Brown",
    "carol": "Carol Chen",
    "dana": "Dana Diaz",
    "eric": "Eric Eng",
    "trainee": "Tess Trainee",
}


def platform_schedule() -> Schedule:
    """Two layers (weekly 24/7 under business-hours dailies), a night restriction and playbook overrides."""
    return Schedule.model_validate(
        {
            "key": "platform",
            "name": "Platform On-Call",
            "timezone": "Europe/Berlin",
            "layers": [
                {
                    "key": "weekly",
                    "rotation": {"participants": ["alice", "bob"], "shift": "1w", "start": "2026-02-23T09:00:00"},
                    "restrictions": [
                        {"days": ["mon", "tue", "wed", "thu", "fri", "sat"], "start": "06:00", "end": "02:00"}
                    ],
                },
                {
                    "key": "office",
                    "rotation": {"participants": ["dana", "eric"], "shift": "1d", "start": "2026-03-02T00:00:00"},
                    "restrictions": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}],
                },
            ],
            "overrides": [
                {
                    "kind": "replace",
                    "start": "2026-03-27T12:00:00",
                    "end": "2026-03-31T12:00:00",
                    "person": "carol",
                    "replaces": "bob",
                },
                {"kind": "add", "start": "2026-03-28T00:00:00", "end": "2026-03-30T00:00:00", "person": "trainee"},
            ],
        }
    )


def stored_overrides() -> list[Override]:
    return [
        Override(
            OverrideKind.REMOVE,
            datetime(2026, 4, 2, 10, tzinfo=UTC),
            datetime(2026, 4, 2, 20, tzinfo=UTC),
            "alice",
            id=7,
        ),
        Override(
            OverrideKind.REPLACE, datetime(2026, 4, 8, tzinfo=UTC), datetime(2026, 4, 9, tzinfo=UTC), "carol", id=8
        ),
    ]


def events(ical: bytes) -> list[tuple[datetime, datetime, str]]:
    """(start, end, display name) of each VEVENT."""
    calendar = Calendar.from_ical(ical)
    found = []
    for event in calendar.walk("VEVENT"):
        summary = str(event["SUMMARY"])
        name = summary.removeprefix("On call: ").rsplit(" (", 1)[0]
        found.append((event.decoded("DTSTART"), event.decoded("DTEND"), name))
    return found


def test_the_schedule_calendar_parses_and_agrees_with_on_call_at_at_1000_random_instants() -> None:
    platform = platform_schedule()
    overrides = [*playbook_overrides(platform), *stored_overrides()]
    shifts = final_shifts(platform, *WINDOW, overrides)
    ical = schedule_calendar(platform, shifts, generated_at=GENERATED_AT, people=PEOPLE)

    calendar = Calendar.from_ical(ical)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["X-WR-CALNAME"]) == "Platform On-Call"
    exported = events(ical)
    assert len(exported) == len(shifts)
    for start, end, _ in exported:
        assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
    for event in calendar.walk("VEVENT"):
        assert event.decoded("DTSTAMP") == GENERATED_AT
        assert str(event["SUMMARY"]).endswith(" (Platform On-Call)")
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)

    rng = random.Random(20260329)
    span = int((WINDOW[1] - WINDOW[0]).total_seconds())
    for _ in range(1000):
        at = WINDOW[0] + timedelta(seconds=rng.randrange(span))
        in_calendar = sorted(name for start, end, name in exported if start <= at < end)
        expected = sorted(PEOPLE[person] for person in on_call_at(platform, at, overrides))
        assert in_calendar == expected, at


def test_the_export_covers_gaps_overrides_and_is_reproducible() -> None:
    platform = platform_schedule()
    overrides = [*playbook_overrides(platform), *stored_overrides()]
    shifts = final_shifts(platform, *WINDOW, overrides)
    first = schedule_calendar(platform, shifts, generated_at=GENERATED_AT, people=PEOPLE)
    again = schedule_calendar(platform, shifts, generated_at=GENERATED_AT, people=PEOPLE)
    assert first == again
    names = {name for _, _, name in events(first)}
    assert {"Carol Chen", "Tess Trainee", "Dana Diaz", "Alice Adams", "Bob Brown", "Eric Eng"} <= names
    # Without a people mapping the key is the name.
    assert {name for _, _, name in events(schedule_calendar(platform, shifts, generated_at=GENERATED_AT))} >= {"alice"}


def test_a_person_calendar_holds_only_that_persons_shifts_across_schedules() -> None:
    platform = platform_schedule()
    overrides = [*playbook_overrides(platform), *stored_overrides()]
    database = Schedule.model_validate(
        {
            "key": "database",
            "name": "Database On-Call",
            "timezone": "America/New_York",
            "layers": [
                {
                    "key": "weekly",
                    "rotation": {"participants": ["carol", "alice"], "shift": "1w", "start": "2026-03-02T10:00:00"},
                }
            ],
        }
    )
    platform_shifts = final_shifts(platform, *WINDOW, overrides)
    database_shifts = final_shifts(database, *WINDOW)
    ical = person_calendar(
        "carol", [(platform, platform_shifts), (database, database_shifts)], generated_at=GENERATED_AT, people=PEOPLE
    )

    calendar = Calendar.from_ical(ical)
    assert str(calendar["X-WR-CALNAME"]) == "On call: Carol Chen"
    carols: list[Shift] = [shift for shift in [*platform_shifts, *database_shifts] if shift.person == "carol"]
    exported = events(ical)
    assert {name for _, _, name in exported} == {"Carol Chen"}
    assert sorted((start, end) for start, end, _ in exported) == sorted((shift.start, shift.end) for shift in carols)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert summaries == {"On call: Carol Chen (Platform On-Call)", "On call: Carol Chen (Database On-Call)"}
