"""On-call shifts as iCalendar feeds: one per schedule, one per person across schedules.

Times are written in UTC so any client shows them in its own zone; nothing here reads the clock, the caller
passes `generated_at` (DTSTAMP), which keeps exports reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from icalendar import Calendar, Event

from warroom.oncall.schedules import Shift
from warroom.playbook.schema.oncall import Schedule

PRODID = "-//Warroom//On-call//EN"

ShiftsBySchedule = Mapping[Schedule, Sequence[Shift]] | Iterable[tuple[Schedule, Sequence[Shift]]]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(schedule: Schedule, shift: Shift, generated_at: datetime, people: Mapping[str, str]) -> Event:
    if shift.start.tzinfo is None or shift.end.tzinfo is None:
        raise ValueError("shift instants must be timezone-aware")
    name = people.get(shift.person, shift.person)
    event = Event()
    # Stable across exports so calendar clients update a shift in place instead of duplicating it.
    event.add("uid", f"{schedule.key}-{shift.person}-{_stamp(shift.start)}@warroom")
    event.add("summary", f"On call: {name} ({schedule.name})")
    event.add("dtstart", shift.start.astimezone(UTC))
    event.add("dtend", shift.end.astimezone(UTC))
    event.add("dtstamp", generated_at)
    source = f"layer {shift.layer}" if shift.layer is not None else "override"
    event.add("description", f"{name} is on call for {schedule.name} ({source}).")
    # Being on call is not a meeting: do not block free/busy.
    event.add("transp", "TRANSPARENT")
    return event


def _dtstamp(generated_at: datetime) -> datetime:
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    return generated_at.astimezone(UTC)


def schedule_calendar(
    schedule: Schedule,
    shifts: Sequence[Shift],
    *,
    generated_at: datetime,
    people: Mapping[str, str] | None = None,
) -> bytes:
    """Every shift of one schedule as a VEVENT; `people` maps person keys to display names."""
    stamp = _dtstamp(generated_at)
    calendar = _calendar(schedule.name)
    for shift in shifts:
        calendar.add_component(_event(schedule, shift, stamp, people or {}))
    ical: bytes = calendar.to_ical()
    return ical


def person_calendar(
    person: str,
    shifts_by_schedule: ShiftsBySchedule,
    *,
    generated_at: datetime,
    people: Mapping[str, str] | None = None,
) -> bytes:
    """One person's shifts across schedules (given as a mapping or as (schedule, shifts) pairs).

    Playbook schedules hold lists and are not hashable, so pairs are the practical form.
    """
    stamp = _dtstamp(generated_at)
    names = people or {}
    pairs = shifts_by_schedule.items() if isinstance(shifts_by_schedule, Mapping) else shifts_by_schedule
    calendar = _calendar(f"On call: {names.get(person, person)}")
    for schedule, shifts in pairs:
        for shift in shifts:
            if shift.person == person:
                calendar.add_component(_event(schedule, shift, stamp, names))
    ical: bytes = calendar.to_ical()
    return ical


__all__ = ["PRODID", "ShiftsBySchedule", "person_calendar", "schedule_calendar"]
