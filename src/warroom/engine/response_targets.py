"""Response targets as clocks: an incident not acknowledged in time is a miss, recorded on its timeline.

Two clocks, both ended by the first acknowledgement:
- the severity's `response_target` ("P1 | 5 min", "Response Time: 1 hour"), for every severity;
- the on-call duty `on_call.acknowledge_within` ("Acknowledge pages within 5 minutes"), for severities that
  page someone: a page nobody answers in that time is a breach of the on-call expectation even when the
  severity's response target is longer.

An SRE reviewing an incident, a drill or a report needs each miss as a fact, not as arithmetic done later.
A deadline is the trigger plus the span, in the playbook's business calendar when the span is in business
time, and half-open (SEMANTICS): an acknowledgement at exactly the deadline is late. A severity change moves
the deadlines (counted from the same trigger).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.auth.actors import SYSTEM, Actor
from warroom.deadlines.spans import Span
from warroom.engine.timers import Timer, arm, disarm, pending
from warroom.incidents.lifecycle import OPEN_STATUSES, Status
from warroom.incidents.timeline import append_event
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.store.tables import incidents

RESPONSE_TIMER = "response_target"


@dataclass(frozen=True)
class ResponseClock:
    suffix: str  # of the timer subject: "" for the response target, ":ack" for the on-call duty
    event: str  # the timeline event of a miss
    span: Span
    what: str  # how the miss is described


def response_clocks(playbook: Playbook, severity_key: str) -> list[ResponseClock]:
    severity = playbook.severity(severity_key)
    clocks = [ResponseClock("", "response_missed", severity.response_target, f"{severity.label} response target")]
    duty = playbook.on_call.acknowledge_within if playbook.on_call else None
    if duty is not None and severity.pages_anyone:
        clocks.append(ResponseClock(":ack", "acknowledgement_missed", duty, "the on-call acknowledgement duty"))
    return clocks


def clock_due(playbook: Playbook, clock: ResponseClock, triggered_at: datetime) -> datetime:
    return playbook.business_calendar.calendar().add(triggered_at, clock.span)


def response_due(playbook: Playbook, severity_key: str, triggered_at: datetime) -> datetime:
    """When the severity's response target runs out for an incident triggered then."""
    return clock_due(playbook, response_clocks(playbook, severity_key)[0], triggered_at)


class ResponseTargets:
    """An incident hook (arms the clocks) and the engine's handler for them (records a miss)."""

    def __init__(self, playbooks: PlaybookRegistry) -> None:
        self.playbooks = playbooks

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        self._arm(tx, self._row(tx, number), now)

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        row: Row[Any] | None = None
        for suffix in ("", ":ack"):
            if pending(tx, RESPONSE_TIMER, f"{number}{suffix}") is None:
                continue
            # An acknowledgement at or after a deadline that reaches the store before the engine fired its timer
            # is still late (half-open deadline): the miss is recorded here, once, instead of by the timer.
            row = row if row is not None else self._row(tx, number)
            playbook = self.playbooks.get(row.playbook_version_id, tx)
            clock = next((c for c in response_clocks(playbook, row.severity) if c.suffix == suffix), None)
            if clock is not None and clock_due(playbook, clock, row.triggered_at) <= now:
                self._record_miss(tx, row, playbook, clock, now)
            disarm(tx, RESPONSE_TIMER, f"{number}{suffix}")

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        if new not in OPEN_STATUSES:
            for suffix in ("", ":ack"):
                disarm(tx, RESPONSE_TIMER, f"{number}{suffix}")

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        self._arm(tx, self._row(tx, number), now)

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        return None

    def on_timer(self, tx: Connection, timer: Timer, now: datetime) -> None:
        number, _, rest = timer.subject.partition(":")
        suffix = f":{rest}" if rest else ""
        row = self._row(tx, int(number))
        if row.acknowledged_at is not None or Status(row.status) not in OPEN_STATUSES:
            return
        playbook = self.playbooks.get(row.playbook_version_id, tx)
        clock = next((c for c in response_clocks(playbook, row.severity) if c.suffix == suffix), None)
        if clock is None:  # the severity changed to one without this clock
            return
        due = clock_due(playbook, clock, row.triggered_at)
        if due > now:  # the severity changed to a longer target meanwhile
            arm(tx, RESPONSE_TIMER, timer.subject, due, now)
            return
        self._record_miss(tx, row, playbook, clock, now)

    @staticmethod
    def _record_miss(tx: Connection, row: Row[Any], playbook: Playbook, clock: ResponseClock, now: datetime) -> None:
        due = clock_due(playbook, clock, row.triggered_at)
        text = f"Not acknowledged within {clock.span} ({clock.what}): due {due:%Y-%m-%d %H:%M} UTC"
        after = {
            "due_at": due.isoformat(),
            "severity": playbook.severity(row.severity).label,
            "target": str(clock.span),
        }
        append_event(tx, row.id, now, SYSTEM.name, clock.event, text, None, after)

    def _arm(self, tx: Connection, row: Row[Any], now: datetime) -> None:
        if row.acknowledged_at is not None or Status(row.status) not in OPEN_STATUSES:
            return
        playbook = self.playbooks.get(row.playbook_version_id, tx)
        clocks = response_clocks(playbook, row.severity)
        for clock in clocks:
            arm(tx, RESPONSE_TIMER, f"{row.id}{clock.suffix}", clock_due(playbook, clock, row.triggered_at), now)
        if all(clock.suffix != ":ack" for clock in clocks):
            disarm(tx, RESPONSE_TIMER, f"{row.id}:ack")

    @staticmethod
    def _row(tx: Connection, number: int) -> Row[Any]:
        row: Row[Any] = tx.execute(select(incidents).where(incidents.c.id == number)).one()
        return row
