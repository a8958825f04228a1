"""Scheduled maintenances: scheduled -> in_progress -> verifying -> completed, moved by the clock.

At `scheduled_for` a durable timer starts the maintenance (its operational components go under maintenance),
at `scheduled_until` another completes it (they come back, unless another running maintenance holds them).
People may move it forward earlier by hand; it never moves back. Words are Statuspage's defaults.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from warroom.auth.actors import SYSTEM
from warroom.engine.timers import Timer, arm, disarm
from warroom.errors import Conflict, Problems
from warroom.status.components import by_code, check_changes
from warroom.status.posting import PostContext, create, post
from warroom.status.records import PublicIncidentRecord, read_incident, read_incidents
from warroom.status.vocabulary import ComponentStatus, Impact, Kind, MaintenanceStatus
from warroom.store.tables import status_incidents

TIMER_KIND = "status_maintenance"
ORDER = list(MaintenanceStatus)
STARTED = "Scheduled maintenance is currently in progress. We will provide updates as necessary."
COMPLETED = "The scheduled maintenance has been completed."


def schedule(
    tx: Connection,
    context: PostContext,
    *,
    name: str,
    body: str,
    scheduled_for: datetime,
    scheduled_until: datetime,
    component_keys: list[str],
    actor: str,
    now: datetime,
    deliver: bool = True,
) -> PublicIncidentRecord:
    problems = Problems()
    for field, value in (("scheduled_for", scheduled_for), ("scheduled_until", scheduled_until)):
        if value.tzinfo is None:
            problems.add(field, "give a time zone (e.g. 2026-12-01T02:00:00Z)")
    problems.raise_if_any()
    if scheduled_until <= scheduled_for:
        problems.add("scheduled_until", "must be after scheduled_for")
    elif scheduled_until <= now:
        problems.add("scheduled_until", "is already past")
    if len(set(component_keys)) != len(component_keys):
        problems.add("components", "lists a component twice")
    named = check_changes(
        tx, {key: ComponentStatus.OPERATIONAL.value for key in component_keys}, "components", problems
    )
    problems.raise_if_any()
    unchanged = {key: (component, component.status) for key, (component, _) in named.items()}
    record = create(
        tx,
        kind=Kind.MAINTENANCE,
        name=name,
        status=MaintenanceStatus.SCHEDULED.value,
        impact=Impact.MAINTENANCE,
        impact_override=None,
        incident_id=None,
        actor=actor,
        now=now,
        scheduled_for=scheduled_for,
        scheduled_until=scheduled_until,
    )
    record, _, _ = post(
        tx,
        context,
        record,
        status=MaintenanceStatus.SCHEDULED.value,
        body=body,
        checked=unchanged,
        actor=actor,
        now=now,
        deliver=deliver,
    )
    if scheduled_for <= now:
        return advance(tx, context, record, MaintenanceStatus.IN_PROGRESS, STARTED, SYSTEM.name, now, deliver)
    arm(tx, TIMER_KIND, record.code, scheduled_for, now, {"to": MaintenanceStatus.IN_PROGRESS.value})
    return record


def advance(
    tx: Connection,
    context: PostContext,
    record: PublicIncidentRecord,
    to: MaintenanceStatus | None,
    body: str,
    actor: str,
    now: datetime,
    deliver: bool = True,
) -> PublicIncidentRecord:
    """Post an update, moving the maintenance forward to `to` (None: a note that keeps the status)."""
    current = MaintenanceStatus(record.status)
    if current is MaintenanceStatus.COMPLETED:
        raise Conflict(f"maintenance {record.code} is completed; it takes no more updates")
    target = to or current
    if ORDER.index(target) < ORDER.index(current):
        raise Conflict(
            f"maintenance {record.code} is {current.value}; a maintenance only moves forward "
            "(scheduled, in_progress, verifying, completed)",
            allowed=[status.value for status in ORDER[ORDER.index(current) :]],
        )
    components = [c for c in by_code(tx, record.component_codes) if c.removed_at is None]
    checked = {}
    if current is MaintenanceStatus.SCHEDULED and target.active:
        checked = {
            c.key: (c, ComponentStatus.UNDER_MAINTENANCE) for c in components if c.status is ComponentStatus.OPERATIONAL
        }
    elif current.active and target is MaintenanceStatus.COMPLETED:
        held = _held_by_others(tx, record)
        checked = {
            c.key: (c, ComponentStatus.OPERATIONAL)
            for c in components
            if c.status is ComponentStatus.UNDER_MAINTENANCE and c.code not in held
        }
    record, _, _ = post(
        tx, context, record, status=target.value, body=body, checked=checked, actor=actor, now=now, deliver=deliver
    )
    if target is MaintenanceStatus.COMPLETED:
        disarm(tx, TIMER_KIND, record.code)
    elif current is MaintenanceStatus.SCHEDULED and target.active:
        assert record.scheduled_until is not None
        due = max(record.scheduled_until, now)
        arm(tx, TIMER_KIND, record.code, due, now, {"to": MaintenanceStatus.COMPLETED.value})
    return record


def on_timer(tx: Connection, context: PostContext, timer: Timer, now: datetime) -> None:
    """The clock reached scheduled_for (start) or scheduled_until (complete)."""
    record = read_incident(tx, timer.subject)
    if record is None or record.kind is not Kind.MAINTENANCE:
        return
    current = MaintenanceStatus(record.status)
    wanted = MaintenanceStatus(str(timer.payload.get("to", MaintenanceStatus.COMPLETED.value)))
    if ORDER.index(current) >= ORDER.index(wanted):
        return  # someone moved it by hand already
    body = STARTED if wanted.active else COMPLETED
    advance(tx, context, record, wanted, body, SYSTEM.name, now)


def _held_by_others(tx: Connection, record: PublicIncidentRecord) -> set[str]:
    running = [MaintenanceStatus.IN_PROGRESS.value, MaintenanceStatus.VERIFYING.value]
    others = read_incidents(
        tx,
        [
            status_incidents.c.kind == Kind.MAINTENANCE.value,
            status_incidents.c.status.in_(running),
            status_incidents.c.id != record.id,
        ],
        [status_incidents.c.id],
    )
    return {code for other in others for code in other.component_codes}
