"""A severity's response-time checklist, ticked from real timestamps (never by hand). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from warroom.comms.clocks import AddSpan, Clock, ClockState
from warroom.playbook.schema import ResponseCheck


class CheckState(StrEnum):
    DONE = "done"
    LATE = "late"  # done, but not in time
    MISSED = "missed"  # not done and its time is up
    PENDING = "pending"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class CheckResult:
    text: str
    state: CheckState
    due_at: datetime | None
    done_at: datetime | None
    detail: str


@dataclass(frozen=True)
class ChecklistFacts:
    triggered_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    first_paged: Mapping[str, datetime | None]  # role key -> when its holder (or default person) was first paged
    clocks: Mapping[str, Clock]
    updates_missed: int


def tick(check: ResponseCheck, facts: ChecklistFacts, now: datetime, add: AddSpan) -> CheckResult:
    kind, _, key = check.measure.partition(":")
    if kind in ("acknowledged", "role_paged"):
        assert check.within is not None  # the schema requires it
        due = add(facts.triggered_at, check.within)
        done = facts.acknowledged_at if kind == "acknowledged" else facts.first_paged.get(key)
        return _timed(check.text, due, done, now)
    if kind == "communication":
        clock = facts.clocks.get(key)
        if clock is None:
            return CheckResult(check.text, CheckState.NOT_APPLICABLE, None, None, "no such clock for this severity")
        state = {
            ClockState.MET: CheckState.DONE,
            ClockState.MISSED: CheckState.LATE if clock.met_at else CheckState.MISSED,
            ClockState.WAIVED: CheckState.NOT_APPLICABLE,
        }.get(clock.state, CheckState.PENDING)
        return CheckResult(check.text, state, clock.due_at, clock.met_at, clock.note or clock.state.value)
    # updates: kept while no update went overdue; settled at resolution
    if facts.updates_missed:
        return CheckResult(check.text, CheckState.MISSED, None, None, f"{facts.updates_missed} update(s) overdue")
    if facts.resolved_at is not None:
        return CheckResult(check.text, CheckState.DONE, None, facts.resolved_at, "every update on time")
    return CheckResult(check.text, CheckState.PENDING, None, None, "on time so far")


def _timed(text: str, due: datetime, done: datetime | None, now: datetime) -> CheckResult:
    if done is not None:
        if done < due:
            return CheckResult(text, CheckState.DONE, due, done, "in time")
        return CheckResult(text, CheckState.LATE, due, done, f"{_minutes(done - due)} late")
    if now >= due:
        return CheckResult(text, CheckState.MISSED, due, None, "not done")
    return CheckResult(text, CheckState.PENDING, due, None, "not yet")


def _minutes(delta: object) -> str:
    seconds = int(delta.total_seconds())  # type: ignore[attr-defined]
    return f"{seconds // 60}m{seconds % 60:02d}s"
