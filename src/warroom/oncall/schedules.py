"""Who is on call when: rotations, layers, restrictions and overrides, evaluated without I/O or a clock.

Every instant in and out is an aware UTC datetime. Rotations and restrictions are written in local wall time of
the schedule's zone, so a "Monday 09:00" handoff stays at 09:00 local across DST changes.

Semantics:
- Handoff k of a rotation is `first handoff + k * shift` computed on naive local wall time, then localized: a
  weekly shift that contains a DST change therefore lasts 167 or 169 elapsed hours. A wall time skipped by
  spring-forward maps to the first instant after the gap (a sub-hour/hourly rotation may get a zero-length
  shift there); a repeated fall-back wall time takes its first occurrence.
- A later layer takes precedence over earlier ones wherever it has someone on call (inside its restrictions and
  after its first handoff); elsewhere the earlier layers show through.
- Overrides are applied in list order after the layers and always win. The functions apply exactly the
  overrides they are given: pass `playbook_overrides(schedule)` (plus any stored ones) to include the
  playbook's own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from warroom.playbook.schema.oncall import Layer, OverrideKind, Restriction, Schedule

_DAY = timedelta(days=1)
# next_handoff looks at least this far ahead before concluding the on-call set never changes.
_MIN_LOOKAHEAD = timedelta(days=366)
_FIRST_SCAN_WINDOW = timedelta(days=8)

# (person, source layer key or None when an override put them there)
_Duty = tuple[str, str | None]


@dataclass(frozen=True)
class Override:
    """A change to who is on call during [start, end) (aware instants, normalised to UTC when evaluated)."""

    kind: OverrideKind
    start: datetime
    end: datetime
    person: str | None
    replaces: str | None = None
    id: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Shift:
    """One person on call during [start, end); `layer` is None when an override put them there."""

    start: datetime
    end: datetime
    person: str
    layer: str | None


def localize(wall: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time in `zone` as an aware UTC instant.

    A time skipped by spring-forward becomes the first instant after the gap; a time repeated by fall-back
    takes its first occurrence (fold=0).
    """
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # In a gap, fold=1 reads the wall time with the offset after the change (an instant before the change) and
    # fold=0 with the offset before it (an instant after); the change itself lies between, on a whole second.
    before = math.floor(wall.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    after = math.ceil(instant.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _utc(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)


def playbook_overrides(schedule: Schedule) -> list[Override]:
    """The schedule's own overrides as UTC `Override`s (naive times are wall time in the schedule's zone)."""
    zone = ZoneInfo(schedule.timezone)

    def instant(value: datetime) -> datetime:
        return localize(value, zone) if value.tzinfo is None else value.astimezone(UTC)

    return [
        Override(
            kind=item.kind,
            start=instant(item.start),
            end=instant(item.end),
            person=item.person,
            replaces=item.replaces,
            note=item.note,
        )
        for item in schedule.overrides
    ]


class _LayerClock:
    """One layer's rotation and restrictions, with handoffs and restriction windows cached per evaluation."""

    def __init__(self, layer: Layer, zone: ZoneInfo) -> None:
        self.key = layer.key
        self.zone = zone
        self.participants = list(layer.rotation.participants)
        self.first = layer.rotation.start
        self.shift = timedelta(seconds=layer.rotation.shift.seconds)
        self.restrictions = list(layer.restrictions)
        self._handoffs: dict[int, datetime] = {}
        self._windows: dict[date, list[tuple[datetime, datetime]]] = {}

    def handoff(self, index: int) -> datetime:
        found = self._handoffs.get(index)
        if found is None:
            found = self._handoffs[index] = localize(self.first + index * self.shift, self.zone)
        return found

    def shift_index(self, at: datetime) -> int:
        """The rotation shift running at `at`; -1 before the first handoff."""
        wall = at.astimezone(self.zone).replace(tzinfo=None)
        index = max((wall - self.first) // self.shift, -1)
        # The wall-clock estimate can be off by one around DST changes; the localized handoffs decide.
        while index >= 0 and self.handoff(index) > at:
            index -= 1
        while self.handoff(index + 1) <= at:
            index += 1
        return index

    def first_handoff(self) -> datetime:
        return self.handoff(0)

    def handoffs(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Handoff instants in (after, until]."""
        index = self.shift_index(after) + 1
        while (instant := self.handoff(index)) <= until:
            if instant > after:
                yield instant
            index += 1

    def _day_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        found = self._windows.get(day)
        if found is None:
            found = self._windows[day] = [
                self._window(restriction, day)
                for restriction in self.restrictions
                if any(weekday.number == day.weekday() for weekday in restriction.days)
            ]
        return found

    def _window(self, restriction: Restriction, day: date) -> tuple[datetime, datetime]:
        opens = datetime.combine(day, restriction.start)
        if restriction.end == time.max:
            # "24:00" is read as 23:59:59.999999; it means the next midnight.
            closes = datetime.combine(day + _DAY, time())
        elif restriction.end <= restriction.start:
            # Runs past midnight; an end equal to the start means a full day.
            closes = datetime.combine(day + _DAY, restriction.end)
        else:
            closes = datetime.combine(day, restriction.end)
        return localize(opens, self.zone), localize(closes, self.zone)

    def _days_around(self, after: datetime, until: datetime) -> Iterator[date]:
        # Windows last at most a wall-clock day, so one starting two local days earlier can still reach `after`.
        day = after.astimezone(self.zone).date() - 2 * _DAY
        last = until.astimezone(self.zone).date() + _DAY
        while day <= last:
            yield day
            day += _DAY

    def restricted_out(self, at: datetime) -> bool:
        if not self.restrictions:
            return False
        return not any(
            opens <= at < closes for day in self._days_around(at, at) for opens, closes in self._day_windows(day)
        )

    def restriction_edges(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Instants in (after, until] where a restriction window opens or closes."""
        if not self.restrictions:
            return
        for day in self._days_around(after, until):
            for window in self._day_windows(day):
                yield from (edge for edge in window if after < edge <= until)

    def person_at(self, at: datetime) -> str | None:
        if self.restricted_out(at):
            return None
        index = self.shift_index(at)
        if index < 0:
            return None
        return self.participants[index % len(self.participants)]


def _unique(duties: Iterable[_Duty]) -> list[_Duty]:
    seen: set[str] = set()
    kept: list[_Duty] = []
    for person, source in duties:
        if person not in seen:
            seen.add(person)
            kept.append((person, source))
    return kept


def _apply(duties: list[_Duty], override: Override) -> list[_Duty]:
    person = override.person
    if override.kind is OverrideKind.REPLACE:
        if override.replaces is None:
            return [] if person is None else [(person, None)]
        swapped: list[_Duty] = []
        for duty in duties:
            if duty[0] != override.replaces:
                swapped.append(duty)
            elif person is not None:
                swapped.append((person, None))
        return _unique(swapped)
    if override.kind is OverrideKind.ADD:
        return duties if person is None else _unique([*duties, (person, None)])
    return [duty for duty in duties if duty[0] != person]


class _Plan:
    """A schedule plus overrides, ready to answer questions about instants and windows."""

    def __init__(self, schedule: Schedule, overrides: Sequence[Override]) -> None:
        zone = ZoneInfo(schedule.timezone)
        self.layers = [_LayerClock(layer, zone) for layer in schedule.layers]
        self.overrides = [
            dc_replace(item, start=_utc(item.start, "override start"), end=_utc(item.end, "override end"))
            for item in overrides
        ]

    def duties(self, at: datetime) -> list[_Duty]:
        duties: list[_Duty] = []
        for layer in reversed(self.layers):
            person = layer.person_at(at)
            if person is not None:
                duties = [(person, layer.key)]
                break
        for override in self.overrides:
            if override.start <= at < override.end:
                duties = _apply(duties, override)
        return duties

    def boundaries(self, after: datetime, until: datetime) -> list[datetime]:
        """Sorted instants in (after, until] where the on-call set may change."""
        edges: set[datetime] = set()
        for layer in self.layers:
            edges.update(layer.handoffs(after, until))
            edges.update(layer.restriction_edges(after, until))
        for override in self.overrides:
            edges.update(edge for edge in (override.start, override.end) if after < edge <= until)
        return sorted(edges)

    def segments(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime, list[_Duty]]]:
        """[start, end) cut where the on-call set may change, each piece with who is on call throughout it."""
        if end <= start:
            return []
        cuts = [start, *self.boundaries(start, end)]
        if cuts[-1] != end:
            cuts.append(end)
        return [(left, right, self.duties(left)) for left, right in pairwise(cuts)]

    def lookahead(self, after: datetime) -> timedelta:
        reach = _MIN_LOOKAHEAD
        for layer in self.layers:
            # Far enough to see the rotation begin and every participant take a turn.
            reach = max(reach, layer.first_handoff() - after + 2 * len(layer.participants) * layer.shift)
        for override in self.overrides:
            reach = max(reach, override.end - after + _DAY)
        return reach


def on_call_at(schedule: Schedule, at: datetime, overrides: Sequence[Override] = ()) -> list[str]:
    """The people on call at `at`, in order (the layer's person first, then anyone added), without duplicates."""
    return [person for person, _ in _Plan(schedule, overrides).duties(_utc(at, "at"))]


def final_shifts(schedule: Schedule, start: datetime, end: datetime, overrides: Sequence[Override] = ()) -> list[Shift]:
    """The final schedule (overrides applied) as shifts clipped to [start, end), ordered by start.

    Consecutive pieces of the same person from the same source (layer or override) are merged into one shift.
    """
    plan = _Plan(schedule, overrides)
    # (start, end, person, layer), the end pushed forward while the same duty continues.
    shifts: list[tuple[datetime, datetime, str, str | None]] = []
    running: dict[_Duty, int] = {}
    for left, right, duties in plan.segments(_utc(start, "start"), _utc(end, "end")):
        continuing: dict[_Duty, int] = {}
        for duty in duties:
            row = running.get(duty)
            if row is None:
                shifts.append((left, right, duty[0], duty[1]))
                row = len(shifts) - 1
            else:
                shifts[row] = (shifts[row][0], right, duty[0], duty[1])
            continuing[duty] = row
        running = continuing
    return [Shift(start=a, end=b, person=person, layer=layer) for a, b, person, layer in shifts]


def coverage_gaps(
    schedule: Schedule, start: datetime, end: datetime, overrides: Sequence[Override] = ()
) -> list[tuple[datetime, datetime]]:
    """Maximal intervals within [start, end) when nobody is on call."""
    gaps: list[tuple[datetime, datetime]] = []
    for left, right, duties in _Plan(schedule, overrides).segments(_utc(start, "start"), _utc(end, "end")):
        if duties:
            continue
        if gaps and gaps[-1][1] == left:
            gaps[-1] = (gaps[-1][0], right)
        else:
            gaps.append((left, right))
    return gaps


def next_handoff(schedule: Schedule, after: datetime, overrides: Sequence[Override] = ()) -> datetime | None:
    """The first instant after `after` at which the set of people on call changes; None if it never does."""
    plan = _Plan(schedule, overrides)
    after = _utc(after, "after")
    current = {person for person, _ in plan.duties(after)}
    horizon = after + plan.lookahead(after)
    # Growing windows: the next handoff is usually close, but a quiet schedule may need a long look.
    window_start, width = after, _FIRST_SCAN_WINDOW
    while window_start < horizon:
        window_end = min(window_start + width, horizon)
        for edge in plan.boundaries(window_start, window_end):
            if {person for person, _ in plan.duties(edge)} != current:
                return edge
        window_start, width = window_end, width * 2
    return None


__all__ = [
    "Override",
    "Shift",
    "coverage_gaps",
    "final_shifts",
    "localize",
    "next_handoff",
    "on_call_at",
    "playbook_overrides",
]
