"""Communication as a tracked obligation: the update cadence and the communication clocks run as timers.

The timers only say "look again at this time"; what is owed is always recomputed from the incident and
what really reached its audience (comms.clocks). So an update sent meanwhile simply moves the timer.

- Cadence: when the next update is due, the update owner is reminded (the first held role of the
  playbook's `communication.update_owners`; an unassigned role counts as held by its default person).
  `overdue_after` later, a missed update is recorded on the timeline and escalated to the `escalate_to`
  roles. Every further interval without an update reminds and escalates again.
- Deadlines: at the due time an unmet clock writes a breach event on the timeline and tells the owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, or_, select

from warroom.auth.actors import Actor
from warroom.comms.clocks import (
    REGULATOR_CLOCK,
    Clock,
    ClockState,
    IncidentClockFacts,
    deadline_clock,
    next_update_due,
    regulator_clock,
)
from warroom.comms.evidence import attach_evidence_checklist
from warroom.comms.notices import send_notice
from warroom.comms.records import clock_facts
from warroom.engine.timers import Timer, arm, disarm
from warroom.incidents.lifecycle import Status
from warroom.incidents.role_holders import holders_at
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.store.tables import incidents, timeline_events, timers

DEADLINE_TIMER = "comms_deadline"
CADENCE_TIMER = "comms_cadence"
ACTOR = "warroom"


def pending_for_incident(tx: Connection, number: int) -> dict[tuple[str, str], Timer]:
    """The incident's pending communication timers, in one query."""
    rows = tx.execute(
        select(timers).where(
            timers.c.fired_at.is_(None),
            timers.c.kind.in_((DEADLINE_TIMER, CADENCE_TIMER)),
            or_(timers.c.subject == str(number), timers.c.subject.startswith(f"{number}:")),
        )
    )
    return {(r.kind, r.subject): Timer(r.id, r.kind, r.subject, r.due_at, r.fence, dict(r.payload or {})) for r in rows}


def _utc(value: datetime) -> str:
    return value.strftime("%H:%M UTC")


class CommunicationClocks:
    """An incident hook (clocks follow the incident) and the handler of the two timer kinds."""

    def __init__(self, playbooks: PlaybookRegistry, routes: Mapping[str, str], wake_sender: Any = None) -> None:
        self.playbooks = playbooks
        self.routes = dict(routes)
        self.wake_sender = wake_sender

    # ---- reading ------------------------------------------------------------------------------------

    def _incident(self, tx: Connection, number: int) -> tuple[Row[Any], Playbook]:
        row = tx.execute(select(incidents).where(incidents.c.id == number)).one()
        return row, self.playbooks.get(row.playbook_version_id, tx)

    def clocks(
        self, tx: Connection, playbook: Playbook, row: Row[Any], now: datetime, facts: IncidentClockFacts | None = None
    ) -> list[Clock]:
        facts = facts or clock_facts(tx, playbook, row)
        add = playbook.business_calendar.calendar().add
        result = [deadline_clock(d, playbook, facts, now, add) for d in playbook.severity(row.severity).communication]
        regulator = regulator_clock(playbook, facts, now, add)
        return result + ([regulator] if regulator else [])

    def next_update(
        self, tx: Connection, playbook: Playbook, row: Row[Any], facts: IncidentClockFacts | None = None
    ) -> datetime | None:
        if Status(row.status) in (Status.RESOLVED, Status.CLOSED):
            return None
        cadence = playbook.severity(row.severity).update_cadence
        if cadence is None:
            return None
        facts = facts or clock_facts(tx, playbook, row)
        add = playbook.business_calendar.calendar().add
        return next_update_due(cadence, facts, add, playbook.communication.update_channels)

    def owners(self, tx: Connection, playbook: Playbook, row: Row[Any], now: datetime) -> tuple[str | None, list[str]]:
        """(who keeps the cadence, who hears when it slips). An unassigned role is held by its default: a person,
        or whoever is on call now on the default's schedule."""

        policy = playbook.communication
        held = holders_at(tx, playbook, row.id, [*policy.update_owners, *policy.escalate_to], now)
        owner = next((held[role] for role in policy.update_owners if held[role]), None)
        escalate = [who for role in policy.escalate_to if (who := held[role])]
        return owner, [who for who in dict.fromkeys(escalate) if who != owner]

    # ---- arming -------------------------------------------------------------------------------------

    def rearm(self, tx: Connection, number: int, now: datetime, row: Row[Any] | None = None) -> None:
        """Point every communication timer of the incident at what is owed now (only the ones that change)."""
        if row is None:
            row, playbook = self._incident(tx, number)
        else:
            playbook = self.playbooks.get(row.playbook_version_id, tx)
        facts = clock_facts(tx, playbook, row)
        armed = pending_for_incident(tx, number)
        for clock in self.clocks(tx, playbook, row, now, facts):
            subject = f"{number}:{clock.key}"
            timer = armed.get((DEADLINE_TIMER, subject))
            if clock.state is ClockState.RUNNING and clock.due_at is not None:
                if timer is None or timer.due_at != clock.due_at:
                    arm(tx, DEADLINE_TIMER, subject, clock.due_at, now, {"key": clock.key})
            elif timer is not None and clock.state is not ClockState.MISSED:
                disarm(tx, DEADLINE_TIMER, subject)  # a missed clock's pending timer still records the miss
        due = self.next_update(tx, playbook, row, facts)
        timer = armed.get((CADENCE_TIMER, str(number)))
        if due is None:
            if timer is not None:
                disarm(tx, CADENCE_TIMER, str(number))
            return
        if timer is None or timer.payload.get("due") != due.isoformat():
            arm(tx, CADENCE_TIMER, str(number), max(due, now), now, {"due": due.isoformat(), "stage": "remind"})

    def forget(self, tx: Connection, number: int, keys: list[str]) -> None:
        for key in keys:
            disarm(tx, DEADLINE_TIMER, f"{number}:{key}")

    # ---- incident hooks -----------------------------------------------------------------------------

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        row, playbook = self._incident(tx, number)
        attach_evidence_checklist(tx, playbook, row, now)
        self.rearm(tx, number, now, row)

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        return None

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        self.rearm(tx, number, now)

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        _row, playbook = self._incident(tx, number)
        previous = playbook.severity(old)
        self.forget(tx, number, [d.key for d in previous.communication])  # the new severity's clocks restart
        self.rearm(tx, number, now)

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        return None

    # ---- timers -------------------------------------------------------------------------------------

    def on_deadline(self, tx: Connection, timer: Timer, now: datetime) -> None:
        number = int(timer.subject.split(":", 1)[0])
        key = str(timer.payload["key"])
        row, playbook = self._incident(tx, number)
        clock = next((c for c in self.clocks(tx, playbook, row, now) if c.key == key), None)
        if clock is None or clock.state is not ClockState.MISSED or clock.due_at is None:
            self.rearm(tx, number, now)  # met, held, waived or moved meanwhile
            return
        late = f"sent late at {_utc(clock.met_at)}" if clock.met_at else "not sent"
        text = f"Communication deadline missed: {clock.name} was due {_utc(clock.due_at)} ({late})"
        append_event(
            tx,
            number,
            now,
            ACTOR,
            "communication_missed",
            text,
            None,
            {
                "deadline": key,
                "due_at": clock.due_at.isoformat(),
                "channel": clock.channel,
                "met_at": clock.met_at.isoformat() if clock.met_at else None,
            },
        )
        owner, escalate = self.owners(tx, playbook, row, now)
        ref = incident_ref(number)
        extra = " The regulator clock does not pause." if key == REGULATOR_CLOCK else ""
        send_notice(
            tx,
            playbook,
            self.routes,
            people=[p for p in [owner, *escalate] if p],
            key=f"comms-missed:{number}:{key}:{int(clock.due_at.timestamp())}",
            subject=f"{ref}: missed {clock.name}",
            text=f"{ref}: {text}.{extra}",
            incident_id=number,
            now=now,
        )
        self._wake()

    def on_cadence(self, tx: Connection, timer: Timer, now: datetime) -> None:
        number = int(timer.subject)
        row, playbook = self._incident(tx, number)
        due = self.next_update(tx, playbook, row)
        if due is None or timer.payload.get("due") != due.isoformat():
            self.rearm(tx, number, now)  # an update went out (or the incident ended): nothing is owed yet
            return
        severity = playbook.severity(row.severity)
        owner, escalate = self.owners(tx, playbook, row, now)
        ref = incident_ref(number)
        stamp = int(timer.due_at.timestamp())
        if timer.payload.get("stage") == "remind":
            late = now - due
            text = (
                f"{ref} [{severity.label}] {row.title}: a stakeholder update is due now "
                f"(every {severity.update_cadence}; due {_utc(due)})"
                + (f", {int(late.total_seconds() // 60)} min overdue" if late.total_seconds() >= 60 else "")
                + "."
            )
            append_event(
                tx,
                number,
                now,
                ACTOR,
                "update_due",
                f"Update due: reminded {owner or 'nobody (no owner)'}",
                None,
                {"due_at": due.isoformat(), "owner": owner},
            )
            send_notice(
                tx,
                playbook,
                self.routes,
                people=[owner] if owner else [],
                key=f"update-due:{number}:{stamp}",
                subject=f"{ref}: update due",
                text=text,
                incident_id=number,
                now=now,
            )
            # From now, not from the timer: an engine that fires late (down, or a drill jumping) reminds once,
            # then gives the owner the whole grace period.
            overdue_at = max(due, now) + playbook.communication.overdue_after.elapsed
            arm(tx, CADENCE_TIMER, str(number), overdue_at, now, {"due": due.isoformat(), "stage": "overdue"})
        else:
            minutes = int((now - due).total_seconds() // 60)
            text = (
                f"{ref} [{severity.label}] {row.title}: the stakeholder update due {_utc(due)} was not sent "
                f"({minutes} min overdue; every {severity.update_cadence})."
            )
            append_event(
                tx,
                number,
                now,
                ACTOR,
                "update_overdue",
                f"Update overdue: due {_utc(due)}, {minutes} min late",
                None,
                {"due_at": due.isoformat(), "owner": owner, "escalated_to": escalate},
            )
            send_notice(
                tx,
                playbook,
                self.routes,
                people=[p for p in [owner, *escalate] if p],
                key=f"update-overdue:{number}:{stamp}",
                subject=f"{ref}: update overdue",
                text=text,
                incident_id=number,
                now=now,
            )
            cadence = severity.update_cadence
            if cadence is not None:
                # On the cadence's own grid (due + n x cadence), not one cadence after this overdue notice:
                # "every 15 minutes" keeps reminding at 15, 30, 45 while nothing goes out (drills found the drift).
                add = playbook.business_calendar.calendar().add
                again = add(due, cadence)
                while again <= now:
                    again = add(again, cadence)
                arm(tx, CADENCE_TIMER, str(number), again, now, {"due": due.isoformat(), "stage": "remind"})
        self._wake()

    def updates_missed(self, tx: Connection, number: int) -> int:
        return len(
            tx.execute(
                select(timeline_events.c.id).where(
                    timeline_events.c.incident_id == number, timeline_events.c.kind == "update_overdue"
                )
            ).all()
        )

    def _wake(self) -> None:
        if self.wake_sender is not None:
            self.wake_sender()
