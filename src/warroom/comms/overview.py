"""What an incident owes its stakeholders right now: clocks, the next update, the response checklist,
what was sent, and the security state. The read side of communication."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from warroom.comms.checklist import ChecklistFacts, tick
from warroom.comms.clocks import Clock as CommsClock
from warroom.comms.notices import person_named
from warroom.comms.records import sent_of
from warroom.comms.views import CheckView, ClockView, CommsStatus, CommunicationView, SecurityView
from warroom.engine.communication import CommunicationClocks
from warroom.incidents.records import awaiting_approval, is_security, role_holder
from warroom.incidents.views import incident_ref
from warroom.playbook.schema import Playbook
from warroom.store.tables import pages


def overview(
    connection: Connection, clocks: CommunicationClocks, playbook: Playbook, row: Row[Any], now: datetime
) -> CommsStatus:
    severity = playbook.severity(row.severity)
    running = clocks.clocks(connection, playbook, row, now)
    owner, _ = clocks.owners(connection, playbook, row, now)
    missed = clocks.updates_missed(connection, row.id)
    facts = ChecklistFacts(
        triggered_at=row.triggered_at,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        first_paged=first_paged(connection, playbook, row, severity.response_checklist),
        clocks={c.key: c for c in running},
        updates_missed=missed,
    )
    add = playbook.business_calendar.calendar().add
    checks = [tick(check, facts, now, add) for check in severity.response_checklist]
    return CommsStatus(
        incident=incident_ref(row.id),
        severity=severity.label,
        update_cadence=str(severity.update_cadence) if severity.update_cadence else None,
        next_update_due=clocks.next_update(connection, playbook, row),
        update_owner=owner,
        updates_missed=missed,
        clocks=[clock_view(c, now) for c in running],
        checklist=[
            CheckView(text=c.text, state=c.state.value, due_at=c.due_at, done_at=c.done_at, detail=c.detail)
            for c in checks
        ],
        communications=communications_of(connection, row.id),
        security=security_of(connection, playbook, row),
    )


def first_paged(connection: Connection, playbook: Playbook, row: Row[Any], checks: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for check in checks:
        kind, _, role = check.measure.partition(":")
        if kind != "role_paged":
            continue
        people: set[str] = set()
        holder = role_holder(connection, row.id, role)
        if holder:
            person = person_named(playbook, holder)
            people.add(person.key if person else holder)
        try:
            default = playbook.role(role).default
        except KeyError:
            default = None
        if default is not None and default.person:
            people.add(default.person)
        result[role] = (
            connection.execute(
                select(func.min(pages.c.paged_at)).where(pages.c.incident_id == row.id, pages.c.person.in_(people))
            ).scalar()
            if people
            else None
        )
    return result


def communications_of(connection: Connection, incident_id: int) -> list[CommunicationView]:
    return [
        CommunicationView(
            id=r.id,
            incident=incident_ref(incident_id),
            template=r.template,
            kind=r.kind,
            channel=r.channel,
            subject=r.subject,
            body=r.body,
            sent_by=r.sent_by,
            created_at=r.created_at,
            reached_at=r.reached_at,
        )
        for r in sent_of(connection, incident_id)
    ]


def security_of(connection: Connection, playbook: Playbook, row: Row[Any]) -> SecurityView | None:
    security = playbook.security
    if security is None or not (is_security(row) or row.personal_data_breach_at):
        return None
    role = security.approval_role
    return SecurityView(
        approval_role=role,
        approval_holder=role_holder(connection, row.id, role) if role else None,
        awaiting_approval=awaiting_approval(playbook, row),
        approved_at=row.comms_approved_at,
        approved_by=row.comms_approved_by,
        personal_data_breach_at=row.personal_data_breach_at,
        evidence_checklist=list(security.evidence_checklist),
        rules=list(security.rules),
    )


def clock_view(clock: CommsClock, now: datetime) -> ClockView:
    remaining = clock.remaining(now)
    return ClockView(
        key=clock.key,
        name=clock.name,
        channel=clock.channel,
        state=clock.state.value,
        due_at=clock.due_at,
        remaining_seconds=int(remaining.total_seconds()) if remaining is not None else None,
        met_at=clock.met_at,
        note=clock.note,
        customer_facing=clock.customer_facing,
        source=clock.source,
    )
