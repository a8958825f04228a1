"""Creating public incidents and posting their updates, inside the caller's transaction.

One post: component statuses change, the incident's status, impact and timestamps follow, the update is
recorded with Statuspage's `affected_components`, and subscribers' notifications are queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from warroom.auth.actors import Actor
from warroom.errors import Conflict, InvalidInput, NotFound, Problems
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.status.components import ComponentChange, apply, by_code
from warroom.status.identity import new_code
from warroom.status.indicator import impact_of
from warroom.status.records import (
    ComponentRecord,
    PageIdentity,
    PublicIncidentRecord,
    UpdateRecord,
    read_incident,
    read_public_page,
)
from warroom.status.subscribers import Notifier
from warroom.status.vocabulary import ComponentStatus, Impact, IncidentStatus, Kind, MaintenanceStatus
from warroom.store.tables import incident_participants, incidents, status_incident_updates, status_incidents

Checked = Mapping[str, tuple[ComponentRecord, ComponentStatus]]
_OUTAGES = (ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.MAJOR_OUTAGE)


@dataclass(frozen=True)
class PostContext:
    notifier: Notifier
    identity: PageIdentity
    page_created_at: datetime


def parse_impact(value: str | None, field: str = "impact") -> Impact | None:
    if value is None:
        return None
    allowed = (Impact.NONE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL)
    if value not in {impact.value for impact in allowed}:
        raise InvalidInput.of(field, f"unknown impact {value!r}; one of none, minor, major, critical")
    return Impact(value)


def impact_into(value: str | None, problems: Problems) -> Impact | None:
    """parse_impact, adding its problem to the others instead of raising."""
    try:
        return parse_impact(value)
    except InvalidInput as error:
        problems.items.extend(error.problems)
        return None


def sees(tx: Connection, actor: Actor, number: int) -> bool:
    """May this actor see that incident were it private (an administrator, or one of its participants)?"""
    if actor.is_admin:
        return True
    found = tx.execute(
        select(incident_participants.c.id).where(
            incident_participants.c.incident_id == number, incident_participants.c.name == actor.name
        )
    ).first()
    return found is not None


def on_timeline(
    tx: Connection, record: PublicIncidentRecord, before: str | None, body: str, actor: str, now: datetime
) -> None:
    """Responders see what the public was told, on the internal incident's timeline."""
    if record.incident_id is None:
        return
    text = f"Status page ({record.status}): {record.name}: {body}"
    after = {"public_incident": record.code, "status": record.status, "impact": record.impact.value}
    previous = {"status": before} if before is not None else None
    append_event(tx, record.incident_id, now, actor, "status_page_updated", text, previous, after)


def linkable_incident(tx: Connection, number: int, *, visible: bool = True) -> Any:
    """The internal incident a public one may be linked to. A private incident never reaches the status page;
    to someone who may not see it, it answers like a missing one (its existence is private too)."""
    row = tx.execute(select(incidents.c.id, incidents.c.private).where(incidents.c.id == number)).first()
    ref = incident_ref(number)
    if row is None or (row.private and not visible):
        raise NotFound(f"no incident {ref}")
    if row.private:
        raise Conflict(
            f"{ref} is private; private incidents never reach the status page. "
            f"Post a public incident without a link, or make {ref} public first.",
            incident=ref,
        )
    return row


def create(
    tx: Connection,
    *,
    kind: Kind,
    name: str,
    status: str,
    impact: Impact,
    impact_override: Impact | None,
    incident_id: int | None,
    actor: str,
    now: datetime,
    scheduled_for: datetime | None = None,
    scheduled_until: datetime | None = None,
) -> PublicIncidentRecord:
    code = new_code()
    tx.execute(
        insert(status_incidents).values(
            code=code,
            kind=kind.value,
            incident_id=incident_id,
            name=name,
            status=status,
            impact=impact.value,
            impact_override=impact_override.value if impact_override else None,
            created_by=actor,
            created_at=now,
            updated_at=now,
            started_at=now,
            scheduled_for=scheduled_for,
            scheduled_until=scheduled_until,
        )
    )
    record = read_incident(tx, code)
    assert record is not None
    return record


def post(
    tx: Connection,
    context: PostContext,
    record: PublicIncidentRecord,
    *,
    status: str,
    body: str,
    checked: Checked,
    actor: str,
    now: datetime,
    impact_override: Impact | None = None,
    deliver: bool = True,
) -> tuple[PublicIncidentRecord, UpdateRecord, list[ComponentChange]]:
    changes = apply(tx, checked, now)
    closing = _closes(record.kind, status)
    if closing and record.kind is Kind.INCIDENT:
        changes += _back_to_operational(tx, record, set(checked), now)
    affected = [change.affected() for change in changes]
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if record.kind is Kind.INCIDENT:
        override = impact_override or record.impact_override
        history = [item["new_status"] for u in record.updates for item in u.affected_components]
        history += [item["new_status"] for item in affected]
        values["impact_override"] = override.value if override else None
        values["impact"] = (override or impact_of(ComponentStatus(s) for s in history)).value
        if status == IncidentStatus.MONITORING.value and record.monitoring_at is None:
            values["monitoring_at"] = now
    if closing and record.resolved_at is None:
        values["resolved_at"] = now
    if not closing:
        values["resolved_at"] = None  # reopened
    tx.execute(update(status_incidents).where(status_incidents.c.id == record.id).values(**values))
    update_code = new_code()
    tx.execute(
        insert(status_incident_updates).values(
            code=update_code,
            status_incident_id=record.id,
            status=status,
            body=body,
            created_by=actor,
            created_at=now,
            display_at=now,
            affected_components=affected,
            deliver_notifications=deliver,
        )
    )
    fresh = read_incident(tx, record.code)
    assert fresh is not None
    posted = next(u for u in fresh.updates if u.code == update_code)
    page = read_public_page(tx, context.identity, context.page_created_at)
    context.notifier.incident_update(tx, page, fresh, posted, now)
    context.notifier.component_changes(tx, page, changes, now)
    return fresh, posted, changes


def _closes(kind: Kind, status: str) -> bool:
    if kind is Kind.INCIDENT:
        return IncidentStatus(status).closed
    return status == MaintenanceStatus.COMPLETED.value


def _back_to_operational(
    tx: Connection, record: PublicIncidentRecord, named: set[str], now: datetime
) -> list[ComponentChange]:
    """Resolving puts the incident's components that are still down back to operational, unless this very
    update set them (Statuspage's resolve form defaults them to operational the same way)."""
    reset = {
        c.key: (c, ComponentStatus.OPERATIONAL)
        for c in by_code(tx, record.component_codes)
        if c.key not in named and c.status in _OUTAGES and c.removed_at is None
    }
    return apply(tx, reset, now)
