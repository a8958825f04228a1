"""What the status page's admin use cases return. Internal links appear here only, never on public surfaces."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from warroom.incidents.views import incident_ref
from warroom.status.records import ComponentRecord, PublicIncidentRecord, UpdateRecord
from warroom.status.statuspage_v2 import shortlink
from warroom.status.subscribers import SubscriberRecord


class ComponentView(BaseModel):
    code: str
    key: str
    name: str
    description: str | None
    group: str | None
    is_group: bool
    position: int
    status: str
    showcase: bool
    only_show_if_degraded: bool
    updated_at: datetime
    hidden: bool

    @classmethod
    def of(cls, record: ComponentRecord) -> ComponentView:
        return cls(
            code=record.code,
            key=record.key,
            name=record.name,
            description=record.description,
            group=record.group_name,
            is_group=record.is_group,
            position=record.position,
            status=record.status.value,
            showcase=record.showcase,
            only_show_if_degraded=record.only_show_if_degraded,
            updated_at=record.updated_at,
            hidden=record.removed_at is not None,
        )


class UpdateView(BaseModel):
    code: str
    status: str
    body: str
    created_at: datetime
    affected_components: list[dict[str, str]]
    deliver_notifications: bool

    @classmethod
    def of(cls, record: UpdateRecord) -> UpdateView:
        return cls(
            code=record.code,
            status=record.status,
            body=record.body,
            created_at=record.created_at,
            affected_components=record.affected_components,
            deliver_notifications=record.deliver_notifications,
        )


class PublicIncident(BaseModel):
    """A public incident or maintenance as its authors see it (with the internal link, if any)."""

    code: str
    kind: str
    name: str
    status: str
    impact: str
    impact_override: str | None
    incident: str | None
    created_at: datetime
    updated_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    started_at: datetime
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    shortlink: str
    components: list[str]  # component codes, in the order first named
    updates: list[UpdateView]  # newest first

    @classmethod
    def of(cls, record: PublicIncidentRecord, public_url: str) -> PublicIncident:
        return cls(
            code=record.code,
            kind=record.kind.value,
            name=record.name,
            status=record.status,
            impact=record.impact.value,
            impact_override=record.impact_override.value if record.impact_override else None,
            incident=incident_ref(record.incident_id) if record.incident_id is not None else None,
            created_at=record.created_at,
            updated_at=record.updated_at,
            monitoring_at=record.monitoring_at,
            resolved_at=record.resolved_at,
            started_at=record.started_at,
            scheduled_for=record.scheduled_for,
            scheduled_until=record.scheduled_until,
            shortlink=shortlink(public_url, record.code),
            components=record.component_codes,
            updates=[UpdateView.of(update) for update in record.updates],
        )


class SubscriberView(BaseModel):
    id: int
    kind: str
    address: str
    contact: str | None
    components: list[str] | None
    confirmed: bool
    created_at: datetime

    @classmethod
    def of(cls, record: SubscriberRecord) -> SubscriberView:
        return cls(
            id=record.id,
            kind=record.kind,
            address=record.address,
            contact=record.contact,
            components=record.components,
            confirmed=record.confirmed_at is not None,
            created_at=record.created_at,
        )


class Subscription(BaseModel):
    """What a subscriber's own link shows: enough to recognise it, not the whole address."""

    kind: str
    address: str  # masked
    confirmed: bool
    active: bool
