"""Alert use cases: receive a delivery (durably, before the door answers) and read alerts back."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, and_, exists, or_, select, true

from warroom.alerts.events import AlertBatch
from warroom.alerts.group_commit import GroupCommit
from warroom.alerts.intake import Intake, Outcome
from warroom.alerts.integrations import Integration
from warroom.alerts.views import AlertPage, AlertView
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import NotFound
from warroom.incidents.service import IncidentService, parse_ref
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.store.database import Database
from warroom.store.tables import alerts, incident_participants, incidents, integrations

STATUS_FILTERS = ("open", "triggered", "acknowledged", "resolved", "suppressed")


@dataclass(frozen=True)
class AlertFilter:
    status: str | None = None
    integration: str | None = None
    service: str | None = None
    incident: str | None = None
    query: str | None = None
    limit: int = 50
    cursor: int | None = None


class AlertService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry, incidents: IncidentService) -> None:
        self.db = db
        self.clock = clock
        self.intake = Intake(incidents, playbooks)
        self.writer = GroupCommit(db)

    def submit(self, integration: Integration, batch: AlertBatch) -> Future[list[Outcome]]:
        """Queue a delivery; the future completes once it is committed (or failed: answer 5xx)."""
        return self.writer.submit(lambda tx: self.apply(tx, integration, batch))

    async def deliver(self, integration: Integration, batch: AlertBatch) -> list[Outcome]:
        """The HTTP door's way in: awaits the commit without a thread of its own."""
        outcomes: list[Outcome] = await self.writer.run_async(lambda tx: self.apply(tx, integration, batch))
        return outcomes

    def receive(self, integration: Integration, batch: AlertBatch) -> list[Outcome]:
        outcomes: list[Outcome] = self.submit(integration, batch).result()
        return outcomes

    def apply(self, tx: Connection, integration: Integration, batch: AlertBatch) -> list[Outcome]:
        now = self.clock.now()
        outcomes = [self.intake.apply(tx, integration, event, now) for event in batch.events]
        truncated = int(batch.notes.get("truncated_alerts", 0) or 0)
        if truncated > 0:
            self.intake.note_truncation(tx, integration, truncated, outcomes, now)
        return outcomes

    def close(self) -> None:
        self.writer.close()

    # ---- reads -------------------------------------------------------------------------------------

    def search(self, actor: Actor, filters: AlertFilter) -> AlertPage:
        query = (
            select(alerts, integrations.c.key.label("integration_key"))
            .join(integrations, integrations.c.id == alerts.c.integration_id)
            .outerjoin(incidents, incidents.c.id == alerts.c.incident_id)
            .where(self._visibility(actor))
            .order_by(alerts.c.id.desc())
            .limit(filters.limit + 1)
        )
        status = filters.status
        if status == "open":
            query = query.where(alerts.c.resolved_at.is_(None))
        elif status == "suppressed":
            query = query.where(alerts.c.suppressed_by.is_not(None), alerts.c.incident_id.is_(None))
        elif status:
            query = query.where(alerts.c.status == status)
        if filters.integration:
            query = query.where(integrations.c.key == filters.integration)
        if filters.service:
            query = query.where(alerts.c.service == filters.service)
        if filters.incident:
            query = query.where(alerts.c.incident_id == parse_ref(filters.incident))
        if filters.query:
            pattern = f"%{filters.query.lower()}%"
            query = query.where(or_(alerts.c.summary.ilike(pattern), alerts.c.alert_name.ilike(pattern)))
        if filters.cursor:
            query = query.where(alerts.c.id < filters.cursor)
        with self.db.read() as connection:
            rows = list(connection.execute(query))
        more = len(rows) > filters.limit
        rows = rows[: filters.limit]
        return AlertPage(
            items=[alert_view(row) for row in rows], next_cursor=str(rows[-1].id) if more and rows else None
        )

    def get(self, actor: Actor, number: int) -> AlertView:
        query = (
            select(alerts, integrations.c.key.label("integration_key"))
            .join(integrations, integrations.c.id == alerts.c.integration_id)
            .outerjoin(incidents, incidents.c.id == alerts.c.incident_id)
            .where(alerts.c.id == number, self._visibility(actor))
        )
        with self.db.read() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFound(f"no alert {number}")
        return alert_view(row)

    @staticmethod
    def _visibility(actor: Actor) -> Any:
        """Alerts of a private incident are as private as the incident."""
        if actor.is_admin:
            return true()
        participant = exists().where(
            and_(incident_participants.c.incident_id == incidents.c.id, incident_participants.c.name == actor.name)
        )
        return or_(alerts.c.incident_id.is_(None), incidents.c.private.is_(False), participant)


def alert_view(row: Row[Any]) -> AlertView:
    return AlertView(
        id=row.id,
        integration=row.integration_key,
        dedup_key=row.dedup_key,
        status=row.status,
        summary=row.summary,
        source=row.source,
        source_severity=row.source_severity,
        alert_name=row.alert_name,
        service=row.service,
        severity=row.severity,
        route=row.route,
        incident=None if row.incident_id is None else incident_ref(row.incident_id),
        suppressed_by_maintenance=row.suppressed_by if row.incident_id is None else None,
        labels=row.labels,
        details=row.details,
        links=row.links,
        images=row.images,
        started_at=row.started_at,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        event_count=row.event_count,
    )
