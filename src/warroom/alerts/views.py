"""What alert reads return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AlertView(BaseModel):
    id: int
    integration: str
    dedup_key: str
    status: str
    summary: str
    source: str | None
    source_severity: str | None
    alert_name: str | None
    service: str
    severity: str | None
    route: str | None
    incident: str | None
    suppressed_by_maintenance: int | None
    labels: dict[str, Any]
    details: dict[str, Any]
    links: list[dict[str, Any]]
    images: list[dict[str, Any]]
    started_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    event_count: int


class AlertPage(BaseModel):
    items: list[AlertView]
    next_cursor: str | None


class OutcomeView(BaseModel):
    dedup_key: str
    result: str
    alert_id: int | None
    incident: str | None
