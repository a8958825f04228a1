"""What the use cases return: read models of an incident and its timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from warroom.incidents.lifecycle import DetectionSource, Status


def incident_ref(number: int) -> str:
    return f"INC-{number}"


class RoleHolder(BaseModel):
    role: str
    role_name: str
    person: str
    assigned_at: datetime


class DurationsView(BaseModel):
    duration_seconds: int | None
    time_to_detect_seconds: int
    time_to_acknowledge_seconds: int | None
    time_to_mitigate_seconds: int | None
    time_to_resolve_seconds: int | None


class IncidentSummary(BaseModel):
    id: str
    number: int
    title: str
    severity: str
    severity_label: str
    status: Status
    private: bool
    services: list[str]
    triggered_at: datetime
    resolved_at: datetime | None


class IncidentView(IncidentSummary):
    summary: str
    impact_statement: str | None
    root_cause: str | None
    resolution: str | None
    security: bool
    personal_data_breach_at: datetime | None
    comms_approved_at: datetime | None
    comms_approved_by: str | None
    declared_severity_label: str
    impact: dict[str, bool | float]
    tags: list[str]
    links: list[dict[str, Any]]
    runbooks: list[str]
    detection_source: DetectionSource
    duplicate_of: str | None
    triage_reason: str | None
    severity_needs_confirmation: bool
    created_by: str
    started_at: datetime
    detected_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    mitigated_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    revision: int
    durations: DurationsView
    roles: list[RoleHolder]
    participants: list[str]
    allowed_statuses: list[Status]
    can_reopen: bool
    playbook_version: int


class TimelineEvent(BaseModel):
    id: int
    incident: str
    at: datetime
    actor: str
    kind: str
    text: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    pinned: bool


class IncidentPage(BaseModel):
    items: list[IncidentSummary]
    next_cursor: str | None
