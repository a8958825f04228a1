"""Response targets as clocks: an incident not acknowledged within its severity's response target is a miss.

Every playbook states one ("P1 | 5 min", "Acknowledge within 15 minutes"); an SRE reviewing an incident, a
drill or a report needs the miss as a fact on the timeline, not as arithmetic done later. The deadline is the
trigger plus the target, in the playbook's business calendar when the target is in business time, and it is
half-open (SEMANTICS): an acknowledgement at exactly the target is late. A severity change moves the deadline
(counted from the same trigger); the first acknowledgement ends the clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.auth.actors import SYSTEM, Actor
from warroom.engine.timers import Timer, arm, disarm
from warroom.incidents.lifecycle import OPEN_STATUSES, Status
from warroom.incidents.timeline import append_event
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.store.tables import incidents

RESPONSE_TIMER = "response_target"


def response_due(playbook: Playbook, severity_key: str, triggered_at: datetime) -> datetime:
    severity = playbook.severity(severity_key)
    return playbook.business_calendar.calendar().add(triggered_at, severity.response_target)


class ResponseTargets:
    """An incident hook (arms the clock) and the engine's handler for it (records the miss)."""

    def __init__(self, playbooks: PlaybookRegistry) -> None:
        self.playbooks = playbooks

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        self._arm(tx, self._row(tx, number), now)

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        disarm(tx, RESPONSE_TIMER, str(number))

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        if new not in OPEN_STATUSES:
            disarm(tx, RESPONSE_TIMER, str(number))

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        self._arm(tx, self._row(tx, number), now)

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        return None

    def on_timer(self, tx: Connection, timer: Timer, now: datetime) -> None:
        row = self._row(tx, int(timer.subject))
        if row.acknowledged_at is not None or Status(row.status) not in OPEN_STATUSES:
            return
        playbook = self.playbooks.get(row.playbook_version_id, tx)
        due = response_due(playbook, row.severity, row.triggered_at)
        if due > now:  # the severity changed to a longer target meanwhile
            arm(tx, RESPONSE_TIMER, timer.subject, due, now)
            return
        severity = playbook.severity(row.severity)
        text = f"Response target missed: {severity.label} must be acknowledged within {severity.response_target}"
        after = {"due_at": due.isoformat(), "severity": severity.label, "target": str(severity.response_target)}
        append_event(tx, row.id, now, SYSTEM.name, "response_missed", text, None, after)

    def _arm(self, tx: Connection, row: Row[Any], now: datetime) -> None:
        if row.acknowledged_at is not None or Status(row.status) not in OPEN_STATUSES:
            return
        playbook = self.playbooks.get(row.playbook_version_id, tx)
        arm(tx, RESPONSE_TIMER, str(row.id), response_due(playbook, row.severity, row.triggered_at), now)

    @staticmethod
    def _row(tx: Connection, number: int) -> Row[Any]:
        query = select(incidents).where(incidents.c.id == number)
        row: Row[Any] = tx.execute(query).one()
        return row
