"""Reading and writing communications: what was sent, when it reached its audience, which clocks were waived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, select

from warroom.comms.clocks import IncidentClockFacts, Sent
from warroom.incidents.records import awaiting_approval
from warroom.notify.outbox import MessageState
from warroom.playbook.schema import Playbook
from warroom.store.tables import communication_waivers, communications, outbox


def record_communication(
    tx: Connection,
    *,
    incident_id: int | None,
    template: str | None,
    kind: str,
    channel: str,
    subject: str,
    body: str,
    fields: dict[str, str],
    sent_by: str,
    now: datetime,
    delivered: bool,
) -> int:
    """`delivered` is for audiences reached inside this transaction (the status page, a record)."""
    number: int = tx.execute(
        insert(communications)
        .values(
            incident_id=incident_id,
            template=template,
            kind=kind,
            channel=channel,
            subject=subject[:300],
            body=body,
            fields=fields,
            sent_by=sent_by,
            created_at=now,
            delivered_at=now if delivered else None,
        )
        .returning(communications.c.id)
    ).scalar_one()
    return number


def _first_sent() -> Any:
    return (
        select(func.min(outbox.c.sent_at))
        .where(and_(outbox.c.communication_id == communications.c.id, outbox.c.state == MessageState.SENT.value))
        .scalar_subquery()
    )


# Built once: every communication clock and cadence check reads these.
_SENT_OF = (
    select(communications, func.coalesce(communications.c.delivered_at, _first_sent()).label("reached_at"))
    .where(communications.c.incident_id == bindparam("incident_id"))
    .order_by(communications.c.created_at, communications.c.id)
)
_WAIVERS_OF = select(communication_waivers.c.deadline, communication_waivers.c.reason).where(
    communication_waivers.c.incident_id == bindparam("incident_id")
)


def sent_of(connection: Connection, incident_id: int) -> list[Row[Any]]:
    """The incident's communications, oldest first, with when each first reached someone."""
    return list(connection.execute(_SENT_OF, {"incident_id": incident_id}))


def waivers_of(connection: Connection, incident_id: int) -> dict[str, str]:
    rows = connection.execute(_WAIVERS_OF, {"incident_id": incident_id})
    return {row.deadline: row.reason for row in rows}


def clock_facts(connection: Connection, playbook: Playbook, incident: Row[Any]) -> IncidentClockFacts:
    sent = [Sent(r.channel, r.kind, r.template, r.reached_at) for r in sent_of(connection, incident.id)]
    return IncidentClockFacts(
        triggered_at=incident.triggered_at,
        resolved_at=incident.resolved_at,
        severity_changed_at=incident.severity_changed_at,
        private=incident.private,
        awaiting_approval=awaiting_approval(playbook, incident),
        approved_at=incident.comms_approved_at,
        breach_flagged_at=incident.personal_data_breach_at,
        sent=sent,
        waived=waivers_of(connection, incident.id),
    )
