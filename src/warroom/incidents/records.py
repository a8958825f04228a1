"""Incident rows as read models: the summary, the full view and the key timestamps."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.incidents import lifecycle
from warroom.incidents.lifecycle import DetectionSource, Stamps, Status
from warroom.incidents.views import DurationsView, IncidentSummary, IncidentView, RoleHolder, incident_ref
from warroom.playbook.schema import Playbook
from warroom.store.tables import incident_participants, incident_roles


def role_holder(connection: Connection, incident_id: int, role: str) -> str | None:
    person: str | None = connection.execute(
        select(incident_roles.c.person).where(
            incident_roles.c.incident_id == incident_id, incident_roles.c.role == role
        )
    ).scalar()
    return person


def is_security(row: Row[Any]) -> bool:
    """A security incident: the breach fact is stated (SEMANTICS, "Security incidents")."""
    return (row.impact or {}).get("security_breach") is True


def awaiting_approval(playbook: Playbook, row: Row[Any]) -> bool:
    """Customer-facing communication of this incident waits for the security approval role."""
    security = playbook.security
    return (
        is_security(row)
        and security is not None
        and security.approval_role is not None
        and row.comms_approved_at is None
    )


def _seconds(delta: Any) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def stamps_of(row: Row[Any]) -> Stamps:
    return Stamps(
        started_at=row.started_at,
        detected_at=row.detected_at,
        triggered_at=row.triggered_at,
        acknowledged_at=row.acknowledged_at,
        mitigated_at=row.mitigated_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
    )


def summary_of(row: Row[Any], playbook: Playbook) -> IncidentSummary:
    return IncidentSummary(
        id=incident_ref(row.id),
        number=row.id,
        title=row.title,
        severity=row.severity,
        severity_label=playbook.severity(row.severity).label,
        status=Status(row.status),
        private=row.private,
        services=row.services,
        triggered_at=row.triggered_at,
        resolved_at=row.resolved_at,
    )


def view_of(connection: Connection, row: Row[Any], playbook: Playbook) -> IncidentView:
    roles = [
        RoleHolder(
            role=r.role,
            role_name=_role_name_or_key(playbook, r.role),
            person=r.person,
            assigned_at=r.assigned_at,
        )
        for r in connection.execute(
            select(incident_roles).where(incident_roles.c.incident_id == row.id).order_by(incident_roles.c.id)
        )
    ]
    participants = list(
        connection.execute(
            select(incident_participants.c.name)
            .where(incident_participants.c.incident_id == row.id)
            .order_by(incident_participants.c.id)
        ).scalars()
    )
    spans = lifecycle.durations(stamps_of(row))
    status = Status(row.status)
    return IncidentView(
        **summary_of(row, playbook).model_dump(),
        summary=row.summary,
        impact_statement=row.impact_statement,
        root_cause=row.root_cause,
        resolution=row.resolution,
        security=is_security(row),
        personal_data_breach_at=row.personal_data_breach_at,
        comms_approved_at=row.comms_approved_at,
        comms_approved_by=row.comms_approved_by,
        declared_severity_label=row.declared_severity_label,
        impact=row.impact,
        tags=row.tags,
        links=row.links,
        runbooks=row.runbooks or [],
        detection_source=DetectionSource(row.detection_source),
        duplicate_of=incident_ref(row.duplicate_of) if row.duplicate_of else None,
        triage_reason=row.triage_reason,
        severity_needs_confirmation=row.severity_needs_confirmation,
        created_by=row.created_by,
        started_at=row.started_at,
        detected_at=row.detected_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        mitigated_at=row.mitigated_at,
        closed_at=row.closed_at,
        updated_at=row.updated_at,
        revision=row.revision,
        durations=DurationsView(
            duration_seconds=_seconds(spans.duration),
            time_to_detect_seconds=int(spans.time_to_detect.total_seconds()),
            time_to_acknowledge_seconds=_seconds(spans.time_to_acknowledge),
            time_to_mitigate_seconds=_seconds(spans.time_to_mitigate),
            time_to_resolve_seconds=_seconds(spans.time_to_resolve),
        ),
        roles=roles,
        participants=participants,
        allowed_statuses=list(lifecycle.allowed_moves(status)),
        can_reopen=lifecycle.reopen_allowed(status),
        playbook_version=row.playbook_version_id,
    )


def _role_name_or_key(playbook: Playbook, key: str) -> str:
    try:
        return playbook.role(key).name
    except KeyError:
        return key
