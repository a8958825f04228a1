"""The stored alert history as plain events: what monitoring sent, when, and how people really responded.

Each stored alert first seen in [since, until) becomes a trigger at its first_seen_at and, when it resolved
before `until`, a resolve at its resolved_at. Repeats are left out: they refresh an open alert and page nobody.
Alerts a maintenance window held and that never reached an incident are left out too: maintenance windows are
not part of a playbook, so no playbook would have paged for them. Source acknowledgements are not replayed as
events: the real incident's acknowledgement (which they caused) is replayed by responders.py instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select

from warroom.alerts.events import Action, AlertEvent
from warroom.alerts.integrations import Grouping, IntegrationKind
from warroom.store.database import Database
from warroom.store.tables import alerts, incidents, integrations


@dataclass(frozen=True)
class SourceIntegration:
    key: str
    name: str
    kind: IntegrationKind
    service: str
    grouping: Grouping


@dataclass(frozen=True)
class StoredAlert:
    id: int
    integration: str  # the integration's key
    dedup_key: str
    summary: str
    source: str | None
    source_severity: str | None
    alert_name: str | None
    group_key: str | None
    labels: Mapping[str, str]
    details: Mapping[str, Any]
    started_at: datetime | None
    first_seen_at: datetime
    resolved_at: datetime | None
    incident_id: int | None  # the real incident it joined

    def trigger(self) -> AlertEvent:
        return AlertEvent(
            Action.TRIGGER,
            self.dedup_key,
            summary=self.summary,
            source=self.source,
            source_severity=self.source_severity,
            alert_name=self.alert_name,
            group_key=self.group_key,
            labels=self.labels,
            details=self.details,
            occurred_at=self.started_at,
        )

    def resolve(self) -> AlertEvent:
        return AlertEvent(Action.RESOLVE, self.dedup_key)


@dataclass(frozen=True)
class RealIncident:
    """How people really responded to an incident the alerts opened or joined."""

    id: int
    triggered_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None


class Happening(StrEnum):
    TRIGGER = "trigger"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    happening: Happening
    alert: StoredAlert

    def event(self) -> AlertEvent:
        return self.alert.trigger() if self.happening is Happening.TRIGGER else self.alert.resolve()


@dataclass(frozen=True)
class History:
    since: datetime
    until: datetime
    integrations: dict[str, SourceIntegration]
    alerts: list[StoredAlert]
    incidents: dict[int, RealIncident] = field(default_factory=dict)

    def events(self) -> list[HistoryEvent]:
        """In the order the intake saw them: at one instant, a resolve that freed a dedup key comes before the
        trigger that reused it, and an alert resolved at the instant it fired resolves after it fired."""
        keyed: list[tuple[tuple[datetime, int, int], HistoryEvent]] = []
        for alert in self.alerts:
            keyed.append(
                ((alert.first_seen_at, 1, alert.id), HistoryEvent(alert.first_seen_at, Happening.TRIGGER, alert))
            )
            if alert.resolved_at is not None and alert.resolved_at < self.until:
                rank = 0 if alert.resolved_at > alert.first_seen_at else 2
                event = HistoryEvent(alert.resolved_at, Happening.RESOLVE, alert)
                keyed.append(((alert.resolved_at, rank, alert.id), event))
        keyed.sort(key=lambda pair: pair[0])
        return [event for _, event in keyed]


def read_history(db: Database, since: datetime, until: datetime) -> History:
    """One read of the real store; nothing is written."""
    if until <= since:
        raise ValueError(f"the window is empty: since {since.isoformat()} is not before until {until.isoformat()}")
    with db.read() as connection:
        sources = _integrations(connection)
        names = {row_id: source.key for row_id, source in sources.items()}
        query = (
            select(alerts)
            .where(alerts.c.first_seen_at >= since, alerts.c.first_seen_at < until)
            .where(alerts.c.incident_id.is_not(None) | alerts.c.suppressed_by.is_(None))
            .order_by(alerts.c.first_seen_at, alerts.c.id)
        )
        stored = [_alert(row, names[row.integration_id]) for row in connection.execute(query)]
        wanted = {alert.incident_id for alert in stored if alert.incident_id is not None}
        real = _incidents(connection, wanted)
    used = {alert.integration for alert in stored}
    return History(
        since=since,
        until=until,
        integrations={source.key: source for source in sources.values() if source.key in used},
        alerts=stored,
        incidents=real,
    )


def _integrations(connection: Connection) -> dict[int, SourceIntegration]:
    rows = connection.execute(
        select(integrations.c.id, integrations.c.key, integrations.c.name, integrations.c.kind).add_columns(
            integrations.c.service, integrations.c.grouping
        )
    )
    return {
        row.id: SourceIntegration(row.key, row.name, IntegrationKind(row.kind), row.service, Grouping(row.grouping))
        for row in rows
    }


def _alert(row: Any, integration: str) -> StoredAlert:
    return StoredAlert(
        id=row.id,
        integration=integration,
        dedup_key=row.dedup_key,
        summary=row.summary,
        source=row.source,
        source_severity=row.source_severity,
        alert_name=row.alert_name,
        group_key=row.group_key,
        labels={str(name): str(value) for name, value in (row.labels or {}).items()},
        details=dict(row.details or {}),
        started_at=row.started_at,
        first_seen_at=row.first_seen_at,
        resolved_at=row.resolved_at,
        incident_id=row.incident_id,
    )


def _incidents(connection: Connection, numbers: set[int]) -> dict[int, RealIncident]:
    """The incidents the window's alerts joined (one may have opened before `since`), a few hundred ids a query."""
    ordered = sorted(numbers)
    found: dict[int, RealIncident] = {}
    for start in range(0, len(ordered), 500):
        query = select(
            incidents.c.id,
            incidents.c.triggered_at,
            incidents.c.acknowledged_at,
            incidents.c.acknowledged_by,
            incidents.c.resolved_at,
        ).where(incidents.c.id.in_(ordered[start : start + 500]))
        for row in connection.execute(query):
            found[row.id] = RealIncident(
                row.id, row.triggered_at, row.acknowledged_at, row.acknowledged_by, row.resolved_at
            )
    return found
