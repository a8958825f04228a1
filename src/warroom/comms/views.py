"""What the communication use cases return."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DeliveryView(BaseModel):
    channel: str
    address: str | None
    note: str | None = None


class Preview(BaseModel):
    incident: str | None
    template: str | None
    kind: str
    channel: str
    channel_name: str
    audience: str
    customer_facing: bool
    subject: str | None
    body: str | None
    required_fields: list[str]
    missing: list[str]
    problems: list[str]
    ready: bool
    deliveries: list[DeliveryView]


class CommunicationView(BaseModel):
    id: int
    incident: str | None
    template: str | None
    kind: str
    channel: str
    subject: str
    body: str
    sent_by: str
    created_at: datetime
    reached_at: datetime | None


class ClockView(BaseModel):
    key: str
    name: str
    channel: str | None
    state: str
    due_at: datetime | None
    remaining_seconds: int | None
    met_at: datetime | None
    note: str | None
    customer_facing: bool
    source: str | None


class CheckView(BaseModel):
    text: str
    state: str
    due_at: datetime | None
    done_at: datetime | None
    detail: str


class SecurityView(BaseModel):
    approval_role: str | None
    approval_holder: str | None
    awaiting_approval: bool
    approved_at: datetime | None
    approved_by: str | None
    personal_data_breach_at: datetime | None
    evidence_checklist: list[str]
    rules: list[str]


class CommsStatus(BaseModel):
    incident: str
    severity: str
    update_cadence: str | None
    next_update_due: datetime | None
    update_owner: str | None
    updates_missed: int
    clocks: list[ClockView]
    checklist: list[CheckView]
    communications: list[CommunicationView]
    security: SecurityView | None
