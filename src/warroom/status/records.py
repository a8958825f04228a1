"""Status page rows as plain records, and the reads the page, the feed and the JSON are built from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from warroom.status.indicator import PageStatus, page_status, worst
from warroom.status.vocabulary import ComponentStatus, Impact, IncidentStatus, Kind, MaintenanceStatus
from warroom.store.tables import status_components, status_incident_updates, status_incidents

RECENT = 50  # incidents.json and scheduled-maintenances.json: the 50 most recent, as Statuspage


@dataclass(frozen=True)
class ComponentRecord:
    id: int
    code: str
    key: str
    name: str
    description: str | None
    group_name: str | None
    is_group: bool
    position: int
    status: ComponentStatus
    showcase: bool
    only_show_if_degraded: bool
    created_at: datetime
    updated_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class UpdateRecord:
    id: int
    code: str
    status: str
    body: str
    created_at: datetime
    display_at: datetime
    affected_components: list[dict[str, str]]
    deliver_notifications: bool


@dataclass(frozen=True)
class PublicIncidentRecord:
    id: int
    code: str
    kind: Kind
    incident_id: int | None  # internal: never rendered on a public surface
    name: str
    status: str
    impact: Impact
    impact_override: Impact | None
    created_at: datetime
    updated_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    started_at: datetime
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    updates: tuple[UpdateRecord, ...] = ()  # newest first, as Statuspage lists them

    @property
    def component_codes(self) -> list[str]:
        """Every component any update touched, in the order they were first named."""
        codes: list[str] = []
        for update in reversed(self.updates):
            for affected in update.affected_components:
                if affected["code"] not in codes:
                    codes.append(affected["code"])
        return codes

    @property
    def unresolved(self) -> bool:
        return self.kind is Kind.INCIDENT and not IncidentStatus(self.status).closed

    @property
    def upcoming(self) -> bool:
        return self.kind is Kind.MAINTENANCE and self.status == MaintenanceStatus.SCHEDULED.value

    @property
    def active(self) -> bool:
        return self.kind is Kind.MAINTENANCE and MaintenanceStatus(self.status).active


@dataclass(frozen=True)
class PageIdentity:
    id: str
    name: str
    url: str
    time_zone: str
    public_url: str


@dataclass(frozen=True)
class PublicPage:
    """What every public surface renders from: visible components and public incidents, nothing internal."""

    identity: PageIdentity
    updated_at: datetime
    components: tuple[ComponentRecord, ...]  # visible ones, in display order (a group, then its members)
    incidents: tuple[PublicIncidentRecord, ...]  # newest first
    maintenances: tuple[PublicIncidentRecord, ...]  # latest scheduled first
    _by_code: dict[str, ComponentRecord] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update({component.code: component for component in self.components})

    def component(self, code: str) -> ComponentRecord | None:
        return self._by_code.get(code)

    def members(self, group: ComponentRecord) -> list[ComponentRecord]:
        return [c for c in self.components if not c.is_group and c.group_name == group.name]

    def group_of(self, component: ComponentRecord) -> ComponentRecord | None:
        if component.is_group or component.group_name is None:
            return None
        return next((c for c in self.components if c.is_group and c.name == component.group_name), None)

    def shown_status(self, component: ComponentRecord) -> ComponentStatus:
        """A group shows its worst member."""
        if component.is_group:
            return worst(member.status for member in self.members(component))
        return component.status

    def leaves(self) -> list[ComponentRecord]:
        return [c for c in self.components if not c.is_group]

    def status(self) -> PageStatus:
        return page_status([c.status for c in self.leaves()], self.declared_impacts(), len(self.active()))

    def declared_impacts(self) -> list[Impact]:
        """Impacts of open incidents that the components do not already express (see indicator.py)."""
        return [
            incident.impact
            for incident in self.unresolved()
            if incident.impact_override is not None or not incident.component_codes
        ]

    def recent_incidents(self) -> list[PublicIncidentRecord]:
        return list(self.incidents[:RECENT])

    def unresolved(self) -> list[PublicIncidentRecord]:
        return [incident for incident in self.incidents if incident.unresolved]

    def recent_maintenances(self) -> list[PublicIncidentRecord]:
        return list(self.maintenances[:RECENT])

    def upcoming(self) -> list[PublicIncidentRecord]:
        return sorted((m for m in self.maintenances if m.upcoming), key=lambda m: (m.scheduled_for, m.id))

    def active(self) -> list[PublicIncidentRecord]:
        return sorted((m for m in self.maintenances if m.active), key=lambda m: (m.scheduled_for, m.id))


def component_of(row: Any) -> ComponentRecord:
    return ComponentRecord(
        id=row.id,
        code=row.code,
        key=row.key,
        name=row.name,
        description=row.description,
        group_name=row.group_name,
        is_group=row.is_group,
        position=row.position,
        status=ComponentStatus(row.status),
        showcase=row.showcase,
        only_show_if_degraded=row.only_show_if_degraded,
        created_at=row.created_at,
        updated_at=row.updated_at,
        removed_at=row.removed_at,
    )


def read_components(connection: Connection, *, include_removed: bool = False) -> list[ComponentRecord]:
    """In display order: top-level items by position, each group followed by its members."""
    query = select(status_components)
    if not include_removed:
        query = query.where(status_components.c.removed_at.is_(None))
    records = [component_of(row) for row in connection.execute(query)]
    group_position = {r.name: r.position for r in records if r.is_group and r.removed_at is None}

    def order(record: ComponentRecord) -> tuple[int, int, int, int]:
        if record.is_group or record.group_name is None:
            return (record.removed_at is not None, record.position, 0, record.id)
        top = group_position.get(record.group_name, record.position)
        return (record.removed_at is not None, top, record.position, record.id)

    return sorted(records, key=order)


def read_incidents(
    connection: Connection, where: Sequence[Any], order: Sequence[Any], limit: int | None = None
) -> list[PublicIncidentRecord]:
    query = select(status_incidents).where(*where).order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    rows = list(connection.execute(query))
    updates = _updates_of(connection, [row.id for row in rows])
    return [_incident_of(row, tuple(updates.get(row.id, []))) for row in rows]


def read_incident(connection: Connection, code: str) -> PublicIncidentRecord | None:
    found = read_incidents(connection, [status_incidents.c.code == code], [status_incidents.c.id])
    return found[0] if found else None


def read_public_page(connection: Connection, identity: PageIdentity, page_created_at: datetime) -> PublicPage:
    incident = status_incidents.c.kind == Kind.INCIDENT.value
    maintenance = status_incidents.c.kind == Kind.MAINTENANCE.value
    newest = [status_incidents.c.created_at.desc(), status_incidents.c.id.desc()]
    recent = read_incidents(connection, [incident], newest, RECENT)
    closed = [IncidentStatus.RESOLVED.value, IncidentStatus.POSTMORTEM.value]
    open_ = read_incidents(connection, [incident, status_incidents.c.status.not_in(closed)], newest)
    latest = [status_incidents.c.scheduled_for.desc(), status_incidents.c.id.desc()]
    planned = read_incidents(connection, [maintenance], latest, RECENT)
    running = [
        MaintenanceStatus.SCHEDULED.value,
        MaintenanceStatus.IN_PROGRESS.value,
        MaintenanceStatus.VERIFYING.value,
    ]
    pending = read_incidents(connection, [maintenance, status_incidents.c.status.in_(running)], latest)
    changed = [
        connection.execute(select(func.max(status_components.c.updated_at))).scalar(),
        connection.execute(select(func.max(status_incidents.c.updated_at))).scalar(),
        page_created_at,
    ]
    return PublicPage(
        identity=identity,
        updated_at=max(stamp for stamp in changed if stamp is not None),
        components=tuple(read_components(connection)),
        incidents=tuple(_merged(recent, open_, key=lambda r: (r.created_at, r.id))),
        maintenances=tuple(_merged(planned, pending, key=lambda r: (r.scheduled_for or r.created_at, r.id))),
    )


def linked_incidents(connection: Connection, incident_id: int) -> list[PublicIncidentRecord]:
    return read_incidents(
        connection,
        [status_incidents.c.incident_id == incident_id, status_incidents.c.kind == Kind.INCIDENT.value],
        [status_incidents.c.id.desc()],
    )


def _merged(*groups: Iterable[PublicIncidentRecord], key: Any) -> list[PublicIncidentRecord]:
    seen: dict[int, PublicIncidentRecord] = {}
    for group in groups:
        for record in group:
            seen.setdefault(record.id, record)
    return sorted(seen.values(), key=key, reverse=True)


def _updates_of(connection: Connection, ids: list[int]) -> dict[int, list[UpdateRecord]]:
    if not ids:
        return {}
    found: dict[int, list[UpdateRecord]] = {}
    rows = connection.execute(
        select(status_incident_updates)
        .where(status_incident_updates.c.status_incident_id.in_(ids))
        .order_by(status_incident_updates.c.created_at.desc(), status_incident_updates.c.id.desc())
    )
    for row in rows:
        found.setdefault(row.status_incident_id, []).append(
            UpdateRecord(
                id=row.id,
                code=row.code,
                status=row.status,
                body=row.body,
                created_at=row.created_at,
                display_at=row.display_at,
                affected_components=[dict(item) for item in row.affected_components or []],
                deliver_notifications=row.deliver_notifications,
            )
        )
    return found


def _incident_of(row: Any, updates: tuple[UpdateRecord, ...]) -> PublicIncidentRecord:
    return PublicIncidentRecord(
        id=row.id,
        code=row.code,
        kind=Kind(row.kind),
        incident_id=row.incident_id,
        name=row.name,
        status=row.status,
        impact=Impact(row.impact),
        impact_override=Impact(row.impact_override) if row.impact_override else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        monitoring_at=row.monitoring_at,
        resolved_at=row.resolved_at,
        started_at=row.started_at,
        scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until,
        updates=updates,
    )
