"""Prometheus observations of incidents: an incident hook that counts openings and times first
acknowledgements. Both count only when the use case's transaction commits (warroom.metrics.after_commit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from warroom import metrics
from warroom.auth.actors import Actor
from warroom.incidents.lifecycle import Status
from warroom.store.tables import incidents


class IncidentObservations:
    """Appended to IncidentService.hooks; it reads the incident on the use case's own transaction."""

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        severity = tx.execute(select(incidents.c.severity).where(incidents.c.id == number)).scalar_one()
        metrics.incident_opened(tx, severity)

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        # IncidentService calls this hook only for the first acknowledgement of an incident.
        row = tx.execute(select(incidents.c.severity, incidents.c.triggered_at).where(incidents.c.id == number)).one()
        metrics.incident_acknowledged(tx, row.severity, (now - row.triggered_at).total_seconds())

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        return None

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        return None

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        return None
