"""Opening an incident inside a caller's transaction: declared by a person or raised by an alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.incidents.lifecycle import DetectionSource, Status
from warroom.incidents.timeline import append_event
from warroom.playbook.schema import Severity
from warroom.store.tables import incident_participants, incident_roles, incidents


@dataclass(frozen=True)
class NewIncident:
    """A validated incident, ready to write. Validation belongs to the use case that builds it."""

    title: str
    severity: Severity
    playbook_version_id: int
    started_at: datetime
    detected_at: datetime
    triage_reason: str
    needs_confirmation: bool
    detection_source: DetectionSource
    summary: str = ""
    impact_statement: str | None = None
    private: bool = False
    impact: dict[str, Any] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    runbooks: list[str] = field(default_factory=list)


_INSERT_INCIDENT = insert(incidents).returning(incidents.c.id)
_INSERT_ROLE = insert(incident_roles)
_INSERT_PARTICIPANT = insert(incident_participants)
_PARTICIPANT = select(incident_participants.c.id).where(
    incident_participants.c.incident_id == bindparam("p_incident"), incident_participants.c.name == bindparam("p_name")
)


def insert_incident(tx: Connection, new: NewIncident, actor: Actor, now: datetime) -> int:
    """Writes the incident, its first participants and roles, the `declared` event and the audit entry."""
    # Statements with parameters passed apart compile once; `.values(...)` literals are re-keyed per call.
    number: int = tx.execute(
        _INSERT_INCIDENT,
        dict(
            title=new.title,
            summary=new.summary,
            impact_statement=new.impact_statement,
            severity=new.severity.key,
            declared_severity_label=new.severity.label,
            status=Status.INVESTIGATING.value,
            private=new.private,
            impact=new.impact,
            services=new.services,
            tags=new.tags,
            links=new.links,
            runbooks=new.runbooks,
            detection_source=new.detection_source.value,
            duplicate_of=None,
            playbook_version_id=new.playbook_version_id,
            triage_reason=new.triage_reason,
            severity_needs_confirmation=new.needs_confirmation,
            created_by=actor.name,
            started_at=new.started_at,
            detected_at=new.detected_at,
            triggered_at=now,
            updated_at=now,
            revision=1,
        ),
    ).scalar_one()
    add_participant(tx, number, actor.name, now)
    for role, person in new.roles.items():
        tx.execute(
            _INSERT_ROLE,
            dict(incident_id=number, role=role, person=person, assigned_at=now, assigned_by=actor.name),
        )
        add_participant(tx, number, person, now)
    after = {
        "title": new.title,
        "severity": new.severity.label,
        "status": Status.INVESTIGATING.value,
        "private": new.private,
        "roles": dict(new.roles),
    }
    if new.runbooks:
        after["runbooks"] = list(new.runbooks)
    text = f"Declared {new.severity.label}: {new.title} ({new.triage_reason})"
    append_event(tx, number, now, actor.name, "declared", text, None, after)
    record_audit(tx, now, actor, "incident.declare", f"incident:{number}", after)
    return number


def add_participant(tx: Connection, number: int, name: str, now: datetime) -> bool:
    present = tx.execute(_PARTICIPANT, {"p_incident": number, "p_name": name}).first()
    if present:
        return False
    tx.execute(_INSERT_PARTICIPANT, {"incident_id": number, "name": name, "added_at": now})
    return True
