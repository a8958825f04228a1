"""Who is on call when: DST-stable handoffs, layers, restrictions, overrides and coverage gaps."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from warroom.oncall.schedules import (
    Override,
    Shift,
    coverage_gaps,
    final_shifts,
    localize,
    next_handoff,
    on_call_at,
    playbook_overrides,
)
from warroom.playbook.schema.oncall import OverrideKind, Schedule

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
HOUR = timedelta(hours=1)
WEEK = timedelta(weeks=1)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def layer(
    key: str, participants: list[str], shift: str, start: str, restrictions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "key": key,
        "rotation": {"participants": participants, "shift": shift, "start": start},
        "restrictions": restrictions or [],
    }


def schedule(zone: str, *layers: dict[str, Any], overrides: list[dict[str, Any]] | None = None) -> Schedule:
    return Schedule.model_validate(
        {
            "key": "primary",
            "name": "Primary On-Call",
            "timezone": zone,
            "layers": list(layers),
            "overrides": overrides or [],
        }
    )


def in_gap(wall: datetime, zone: ZoneInfo) -> bool:
    """The wall time does not exist (skipped by spring-forward)."""
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall


def on_call_by_shifts(shifts: list[Shift], at: datetime) -> set[str]:
    return {shift.person for shift in shifts if shift.start <= at < shift.end}


# --- DST: weekly Monday 09:00 handoffs stay at 09:00 local ---------------------------------------------------


def test_berlin_weekly_handoff_stays_at_nine_local_across_both_dst_changes_of_2026() -> None:
    weekly = schedule(BERLIN, layer("weekly", ["alice", "bob"], "1w", "2026-03-02T09:00:00"))
    shifts = final_shifts(weekly, utc(2026, 3, 2, 8), utc(2026, 11, 30, 8))
    starts = {shift.start: shift for shift in shifts}

    # Winter (CET, +01:00) before 29 March: 08:00Z; summer (CEST, +02:00): 07:00Z; winter again after 25 October.
    assert utc(2026, 3, 23, 8) in starts
    assert utc(2026, 3, 30, 7) in starts
    assert utc(2026, 10, 19, 7) in starts
    assert utc(2026, 10, 26, 8) in starts
    assert starts[utc(2026, 3, 23, 8)].end - utc(2026, 3, 23, 8) == 167 * HOUR
    assert starts[utc(2026, 10, 19, 7)].end - utc(2026, 10, 19, 7) == 169 * HOUR

    zone = ZoneInfo(BERLIN)
    for shift in shifts[1:]:
        local = shift.start.astimezone(zone)
        assert (local.weekday(), local.time()) == (0, time(9))
    assert [shift.person for shift in shifts[:4]] == ["alice", "bob", "alice", "bob"]


def test_new_york_weekly_handoff_stays_at_nine_local_across_both_dst_changes_of_2026() -> None:
    weekly = schedule(NEW_YORK, layer("weekly", ["alice", "bob", "carol"], "1w", "2026-03-02T09:00:00"))
    shifts = final_shifts(weekly, utc(2026, 3, 1), utc(2026, 12, 1))
    starts = {shift.start: shift for shift in shifts}

    # EST (-05:00) 14:00Z until 8 March, EDT (-04:00) 13:00Z until 1 November.
    assert utc(2026, 3, 2, 14) in starts
    assert starts[utc(2026, 3, 2, 14)].end == utc(2026, 3, 9, 13)
    assert starts[utc(2026, 3, 2, 14)].end - utc(2026, 3, 2, 14) == 167 * HOUR
    assert starts[utc(2026, 10, 26, 13)].end == utc(2026, 11, 2, 14)
    assert starts[utc(2026, 10, 26, 13)].end - utc(2026, 10, 26, 13) == 169 * HOUR
    assert on_call_at(weekly, utc(2026, 3, 9, 12, 59)) == ["alice"]
    assert on_call_at(weekly, utc(2026, 3, 9, 13)) == ["bob"]


def test_handoff_in_a_spring_forward_gap_moves_to_the_end_of_the_gap_and_fall_back_takes_the_first() -> None:
    zone = ZoneInfo(BERLIN)
    assert localize(datetime(2026, 3, 29, 2, 30), zone) == utc(2026, 3, 29, 1)
    assert localize(datetime(2026, 10, 25, 2, 30), zone) == utc(2026, 10, 25, 0, 30)

    daily = schedule(BERLIN, layer("daily", ["alice", "bob"], "1d", "2026-03-27T02:30:00"))
    assert on_call_at(daily, utc(2026, 3, 29, 0, 59)) == ["bob"]
    assert on_call_at(daily, utc(2026, 3, 29, 1)) == ["alice"]


def test_nobody_from_a_layer_is_on_call_before_its_first_handoff() -> None:
    weekly = schedule(BERLIN, layer("weekly", ["alice", "bob"], "1w", "2026-03-02T09:00:00"))
    assert on_call_at(weekly, utc(2026, 3, 2, 7, 59)) == []
    assert on_call_at(weekly, utc(2026, 3, 2, 8)) == ["alice"]
    assert coverage_gaps(weekly, utc(2026, 3, 1), utc(2026, 3, 10)) == [(utc(2026, 3, 1), utc(2026, 3, 2, 8))]
    assert next_handoff(weekly, utc(2026, 3, 1)) == utc(2026, 3, 2, 8)
    assert next_handoff(weekly, utc(2026, 3, 2, 8)) == utc(2026, 3, 9, 8)


def test_a_single_participant_without_restrictions_never_hands_off() -> None:
    solo = schedule("UTC", layer("solo", ["alice"], "1d", "2026-01-01T00:00:00"))
    assert next_handoff(solo, utc(2026, 2, 1)) is None
    assert final_shifts(solo, utc(2026, 2, 1), utc(2026, 3, 1)) == [
        Shift(utc(2026, 2, 1), utc(2026, 3, 1), "alice", "solo")
    ]


# --- Layers and restrictions -------------------------------------------------------------------------------


def business_hours_over_round_the_clock() -> Schedule:
    return schedule(
        BERLIN,
        layer("round-the-clock", ["nina", "otto"], "1w", "2026-06-01T09:00:00"),
        layer(
            "business-hours",
            ["dana", "eric"],
            "1d",
            "2026-06-01T00:00:00",
            [{"days": WEEKDAYS, "start": "09:00", "end": "17:00"}],
        ),
    )


def test_a_business_hours_layer_takes_precedence_over_a_round_the_clock_layer_only_inside_its_hours() -> None:
    layered = business_hours_over_round_the_clock()
    # Wednesday 3 June 2026, CEST: 09:00-17:00 local is 07:00Z-15:00Z; dana/eric alternate daily (Mon dana).
    assert on_call_at(layered, utc(2026, 6, 3, 6, 59)) == ["nina"]
    assert on_call_at(layered, utc(2026, 6, 3, 7)) == ["dana"]
    assert on_call_at(layered, utc(2026, 6, 3, 14, 59)) == ["dana"]
    assert on_call_at(layered, utc(2026, 6, 3, 15)) == ["nina"]
    assert on_call_at(layered, utc(2026, 6, 6, 10)) == ["nina"]  # Saturday: the lower layer shows through

    shifts = final_shifts(layered, utc(2026, 6, 1, 7), utc(2026, 6, 3, 7))
    assert shifts == [
        Shift(utc(2026, 6, 1, 7), utc(2026, 6, 1, 15), "dana", "business-hours"),
        Shift(utc(2026, 6, 1, 15), utc(2026, 6, 2, 7), "nina", "round-the-clock"),
        Shift(utc(2026, 6, 2, 7), utc(2026, 6, 2, 15), "eric", "business-hours"),
        Shift(utc(2026, 6, 2, 15), utc(2026, 6, 3, 7), "nina", "round-the-clock"),
    ]
    assert coverage_gaps(layered, utc(2026, 6, 1, 7), utc(2026, 7, 1)) == []
    assert next_handoff(layered, utc(2026, 6, 1, 8)) == utc(2026, 6, 1, 15)


def test_a_restricted_layer_alone_leaves_coverage_gaps_outside_its_hours() -> None:
    office = schedule(
        BERLIN,
        layer("office", ["dana"], "1w", "2026-06-01T00:00:00", [{"days": WEEKDAYS, "start": "09:00", "end": "17:00"}]),
    )
    gaps = coverage_gaps(office, utc(2026, 6, 4, 0), utc(2026, 6, 9, 0))
    assert gaps == [
        (utc(2026, 6, 4, 0), utc(2026, 6, 4, 7)),
        (utc(2026, 6, 4, 15), utc(2026, 6, 5, 7)),
        (utc(2026, 6, 5, 15), utc(2026, 6, 8, 7)),  # Friday evening to Monday morning is one gap
        (utc(2026, 6, 8, 15), utc(2026, 6, 9, 0)),
    ]


def test_a_restriction_past_midnight_belongs_to_the_day_it_starts_on() -> None:
    nights = schedule(
        "UTC",
        layer("nights", ["nina"], "1w", "2026-06-01T00:00:00", [{"days": ["fri"], "start": "22:00", "end": "06:00"}]),
    )
    # Friday 5 June 2026 22:00 to Saturday 06:00, and nothing on Saturday night.
    assert on_call_at(nights, utc(2026, 6, 5, 21, 59)) == []
    assert on_call_at(nights, utc(2026, 6, 6, 5, 59)) == ["nina"]
    assert on_call_at(nights, utc(2026, 6, 6, 6)) == []
    assert on_call_at(nights, utc(2026, 6, 6, 23)) == []
    assert coverage_gaps(nights, utc(2026, 6, 5), utc(2026, 6, 7)) == [
        (utc(2026, 6, 5), utc(2026, 6, 5, 22)),
        (utc(2026, 6, 6, 6), utc(2026, 6, 7)),
    ]


def test_a_restriction_ending_at_24_00_runs_to_midnight() -> None:
    evenings = schedule(
        "UTC", layer("evenings", ["eve"], "1w", "2026-06-01T00:00:00", [{"start": "18:00", "end": "24:00"}])
    )
    assert coverage_gaps(evenings, utc(2026, 6, 2), utc(2026, 6, 4)) == [
        (utc(2026, 6, 2), utc(2026, 6, 2, 18)),
        (utc(2026, 6, 3), utc(2026, 6, 3, 18)),
    ]


# --- Overrides ----------------------------------------------------------------------------------------------


def weekly_berlin() -> Schedule:
    return schedule(BERLIN, layer("weekly", ["alice", "bob"], "1w", "2026-06-01T09:00:00"))


def test_replace_naming_the_replaced_person_swaps_only_while_that_person_is_on_call() -> None:
    cover = Override(OverrideKind.REPLACE, utc(2026, 6, 5), utc(2026, 6, 10), person="carol", replaces="alice")
    weekly = weekly_berlin()
    assert on_call_at(weekly, utc(2026, 6, 6), [cover]) == ["carol"]
    assert on_call_at(weekly, utc(2026, 6, 9), [cover]) == ["bob"]  # bob's week: nobody to replace
    shifts = final_shifts(weekly, utc(2026, 6, 1, 7), utc(2026, 6, 15, 7), [cover])
    assert shifts == [
        Shift(utc(2026, 6, 1, 7), utc(2026, 6, 5), "alice", "weekly"),
        Shift(utc(2026, 6, 5), utc(2026, 6, 8, 7), "carol", None),
        Shift(utc(2026, 6, 8, 7), utc(2026, 6, 15, 7), "bob", "weekly"),
    ]


def test_replace_without_replaces_makes_the_person_the_only_one_on_call() -> None:
    takeover = Override(OverrideKind.REPLACE, utc(2026, 6, 3), utc(2026, 6, 4), person="carol")
    added = Override(OverrideKind.ADD, utc(2026, 6, 1), utc(2026, 6, 30), person="dave")
    assert on_call_at(weekly_berlin(), utc(2026, 6, 3, 12), [added, takeover]) == ["carol"]
    assert on_call_at(weekly_berlin(), utc(2026, 6, 4), [added, takeover]) == ["alice", "dave"]


def test_add_puts_a_second_person_on_call_and_remove_takes_someone_off() -> None:
    weekly = weekly_berlin()
    shadow = Override(OverrideKind.ADD, utc(2026, 6, 2), utc(2026, 6, 3), person="trainee")
    assert on_call_at(weekly, utc(2026, 6, 2, 12), [shadow]) == ["alice", "trainee"]
    assert on_call_at(weekly, utc(2026, 6, 2, 12), [shadow, shadow]) == ["alice", "trainee"]

    sick = Override(OverrideKind.REMOVE, utc(2026, 6, 2), utc(2026, 6, 3), person="alice")
    assert on_call_at(weekly, utc(2026, 6, 2, 12), [sick]) == []
    assert coverage_gaps(weekly, utc(2026, 6, 1, 7), utc(2026, 6, 8, 7), [sick]) == [(utc(2026, 6, 2), utc(2026, 6, 3))]
    assert next_handoff(weekly, utc(2026, 6, 1, 12), [sick]) == utc(2026, 6, 2)


def test_playbook_overrides_are_local_wall_time_in_the_schedules_zone() -> None:
    with_overrides = schedule(
        BERLIN,
        layer("weekly", ["alice", "bob"], "1w", "2026-06-01T09:00:00"),
        overrides=[
            {"kind": "replace", "start": "2026-06-02T09:00:00", "end": "2026-06-02T18:00:00", "person": "carol"},
            {"kind": "add", "start": "2026-06-03T00:00:00Z", "end": "2026-06-04T00:00:00Z", "person": "dave"},
        ],
    )
    converted = playbook_overrides(with_overrides)
    assert [(item.kind, item.start, item.end, item.person) for item in converted] == [
        (OverrideKind.REPLACE, utc(2026, 6, 2, 7), utc(2026, 6, 2, 16), "carol"),
        (OverrideKind.ADD, utc(2026, 6, 3), utc(2026, 6, 4), "dave"),
    ]
    # The functions apply the overrides they are given, nothing implicit.
    assert on_call_at(with_overrides, utc(2026, 6, 2, 8)) == ["alice"]
    assert on_call_at(with_overrides, utc(2026, 6, 2, 8), converted) == ["carol"]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        on_call_at(weekly_berlin(), datetime(2026, 6, 2))


def test_final_shifts_for_30_days_of_an_hourly_rotation_is_fast() -> None:
    hourly = schedule(
        BERLIN,
        layer("hourly", ["a1", "a2", "a3", "a4", "a5"], "1h", "2026-01-01T00:00:00"),
        layer(
            "office",
            ["dana", "eric"],
            "1d",
            "2026-01-01T00:00:00",
            [{"days": WEEKDAYS, "start": "09:00", "end": "17:00"}],
        ),
    )
    cover = [Override(OverrideKind.ADD, utc(2026, 3, 10), utc(2026, 3, 12), person="carol")]
    best = min(_timed(lambda: final_shifts(hourly, utc(2026, 3, 15), utc(2026, 4, 14), cover)) for _ in range(3))
    assert best < 0.1


def _timed(work: Any) -> float:
    began = clock.perf_counter()
    work()
    return clock.perf_counter() - began


# --- Properties -----------------------------------------------------------------------------------------------

PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank"]
ZONES = st.sampled_from([BERLIN, NEW_YORK])
START_DATES = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
WALL_TIMES = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(
    zone=ZONES,
    participants=st.lists(st.sampled_from(PEOPLE), min_size=2, max_size=4, unique=True),
    first_day=START_DATES,
    wall=WALL_TIMES,
    weeks=st.integers(20, 60),
)
@example(zone=BERLIN, participants=["alice", "bob"], first_day=date(2025, 2, 23), wall=time(2, 15), weeks=20)
def test_weekly_rotations_hand_off_at_the_stated_local_time_without_gaps_or_overlaps(
    zone: str, participants: list[str], first_day: date, wall: time, weeks: int
) -> None:
    first = datetime.combine(first_day, wall)
    weekly = schedule(zone, layer("weekly", participants, "1w", first.isoformat()))
    tz = ZoneInfo(zone)
    window_start = localize(first, tz) - timedelta(days=3)
    window_end = window_start + weeks * WEEK
    shifts = final_shifts(weekly, window_start, window_end)

    assert shifts[0].start == localize(first, tz)
    assert shifts[-1].end == window_end
    for before, after in pairwise(shifts):
        assert before.end == after.start  # no gap, no overlap
        assert before.person != after.person
    for number, shift in enumerate(shifts):
        wall_time = first + number * WEEK
        assert shift.start == localize(wall_time, tz)
        local = shift.start.astimezone(tz)
        if not in_gap(wall_time, tz):
            assert (local.weekday(), local.time()) == (first.weekday(), wall)
        assert shift.person == participants[number % len(participants)]
        # A handoff time skipped by spring-forward moves to the end of the gap (see the test above), so a
        # shift starting or ending there is shorter or longer by the minutes into the gap, not a whole hour.
        if shift.end != window_end and not in_gap(wall_time, tz) and not in_gap(wall_time + WEEK, tz):
            assert shift.end - shift.start in (167 * HOUR, 168 * HOUR, 169 * HOUR)


@st.composite
def restrictions(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 2))
    return [
        {
            "days": draw(
                st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, unique=True)
            ),
            "start": draw(WALL_TIMES).strftime("%H:%M"),
            "end": draw(WALL_TIMES).strftime("%H:%M"),
        }
        for _ in range(count)
    ]


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    layers = [
        layer(
            f"layer-{number}",
            draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True)),
            draw(st.sampled_from(["1h", "8h", "12h", "1d", "3d", "1w"])),
            datetime.combine(
                draw(st.dates(min_value=date(2026, 2, 15), max_value=date(2026, 3, 31))), draw(WALL_TIMES)
            ).isoformat(),
            draw(restrictions()),
        )
        for number in range(draw(st.integers(1, 3)))
    ]
    return schedule(draw(ZONES), *layers)


WINDOW_START = utc(2026, 3, 1)
WINDOW_END = utc(2026, 4, 5)
OFFSETS = st.integers(0, int((WINDOW_END - WINDOW_START).total_seconds()) - 1)


@st.composite
def overrides(draw: st.DrawFn) -> Override:
    start = WINDOW_START + timedelta(seconds=draw(OFFSETS))
    kind = draw(st.sampled_from(list(OverrideKind)))
    return Override(
        kind=kind,
        start=start,
        end=start + timedelta(minutes=draw(st.integers(1, 5 * 24 * 60))),
        person=draw(st.sampled_from(PEOPLE)),
        replaces=draw(st.none() | st.sampled_from(PEOPLE)) if kind is OverrideKind.REPLACE else None,
    )


@PROPERTY_SETTINGS
@given(
    rota=schedules(),
    changes=st.lists(overrides(), max_size=4),
    offsets=st.lists(OFFSETS, min_size=5, max_size=20),
)
def test_final_shifts_agree_with_on_call_at(rota: Schedule, changes: list[Override], offsets: list[int]) -> None:
    shifts = final_shifts(rota, WINDOW_START, WINDOW_END, changes)
    instants = [WINDOW_START + timedelta(seconds=offset) for offset in offsets]
    # Shift edges are where an off-by-one would show.
    instants += [shift.start for shift in shifts[:20]] + [
        shift.end - timedelta(microseconds=1) for shift in shifts[:20]
    ]
    for at in instants:
        assert on_call_by_shifts(shifts, at) == set(on_call_at(rota, at, changes))
    for shift in shifts:
        assert WINDOW_START <= shift.start < shift.end <= WINDOW_END

    gaps = coverage_gaps(rota, WINDOW_START, WINDOW_END, changes)
    for gap_start, gap_end in gaps:
        assert on_call_at(rota, gap_start, changes) == []
        assert on_call_at(rota, gap_end - timedelta(microseconds=1), changes) == []
    covered = sum(((min(s.end, WINDOW_END) - s.start) for s in _union(shifts)), timedelta())
    assert covered + sum((end - start for start, end in gaps), timedelta()) == WINDOW_END - WINDOW_START


def _union(shifts: list[Shift]) -> list[Shift]:
    merged: list[Shift] = []
    for shift in sorted(shifts, key=lambda item: item.start):
        if merged and shift.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Shift(last.start, max(last.end, shift.end), last.person, last.layer)
        else:
            merged.append(shift)
    return merged


@PROPERTY_SETTINGS
@given(rota=schedules(), changes=st.lists(overrides(), max_size=4), offset=OFFSETS)
def test_next_handoff_is_the_first_change_of_the_on_call_set(
    rota: Schedule, changes: list[Override], offset: int
) -> None:
    after = WINDOW_START + timedelta(seconds=offset)
    handoff = next_handoff(rota, after, changes)
    shifts = final_shifts(rota, after, after + timedelta(days=40), changes)
    changes_at = sorted({edge for shift in shifts for edge in (shift.start, shift.end) if edge > after})
    now = set(on_call_at(rota, after, changes))
    expected = next((edge for edge in changes_at if set(on_call_at(rota, edge, changes)) != now), None)
    if expected is not None:
        assert handoff == expected
    else:
        assert handoff is None or handoff >= after + timedelta(days=40)


@PROPERTY_SETTINGS
@given(
    rota=schedules(),
    earlier=st.lists(overrides(), max_size=3),
    last=overrides(),
    fraction=st.floats(0, 1, exclude_max=True),
)
def test_overrides_always_win_over_the_rotation(
    rota: Schedule, earlier: list[Override], last: Override, fraction: float
) -> None:
    at = last.start + (last.end - last.start) * fraction
    at = min(max(at, last.start), last.end - timedelta(microseconds=1))
    without = on_call_at(rota, at, earlier)
    with_last = on_call_at(rota, at, [*earlier, last])
    if last.kind is OverrideKind.REPLACE and last.replaces is None:
        assert with_last == [last.person]
    elif last.kind is OverrideKind.REPLACE:
        if last.replaces in without:
            assert last.replaces not in with_last or last.replaces == last.person
            assert last.person in with_last
        else:
            assert with_last == without
    elif last.kind is OverrideKind.ADD:
        assert last.person in with_last
    else:
        assert last.person not in with_last
    assert len(with_last) == len(set(with_last))
