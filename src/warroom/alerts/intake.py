"""Applying alert events inside the caller's transaction: dedup, grouping, opening and clearing incidents.

Every event is one use case: its alert row, any incident it opens or changes and their timeline events
are written together, inside one savepoint of the delivery's transaction (see group_commit.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from warroom.alerts.events import Action, AlertEvent
from warroom.alerts.integrations import Grouping, Integration
from warroom.alerts.maintenance import active_window
from warroom.alerts.routing import RouteDecision, decide
from warroom.errors import Conflict
from warroom.incidents.lifecycle import OPEN_STATUSES, DetectionSource, Status
from warroom.incidents.opening import NewIncident, insert_incident
from warroom.incidents.service import IncidentService
from warroom.incidents.timeline import append_event
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import AllClear, Playbook
from warroom.store.tables import alert_groups, alerts, incidents


@dataclass(frozen=True)
class Outcome:
    """What one event did: created (a new incident), attached (to an open one), repeat, suppressed
    (maintenance), acknowledged, resolved, or dropped (acknowledge/resolve of no open alert)."""

    dedup_key: str
    result: str
    alert_id: int | None = None
    incident_id: int | None = None


class Intake:
    def __init__(self, incidents: IncidentService, playbooks: PlaybookRegistry) -> None:
        self.incidents = incidents
        self.playbooks = playbooks

    def apply(self, tx: Connection, integration: Integration, event: AlertEvent, now: datetime) -> Outcome:
        if event.action is Action.TRIGGER:
            return self._trigger(tx, integration, event, now)
        assert event.dedup_key is not None  # adapters refuse acknowledge/resolve without one
        row = _open_alert(tx, integration.id, event.dedup_key)
        if row is None:
            return Outcome(event.dedup_key, "dropped")
        if event.action is Action.ACKNOWLEDGE:
            return self._acknowledge(tx, integration, row, now)
        return self._resolve(tx, integration, row, now)

    def note_truncation(
        self, tx: Connection, integration: Integration, count: int, outcomes: list[Outcome], now: datetime
    ) -> None:
        """Alertmanager's max_alerts left some alerts out: say so where responders look."""
        for number in sorted({o.incident_id for o in outcomes if o.incident_id is not None}):
            text = f"{integration.name} left out {count} alert(s) of this group (truncatedAlerts)"
            append_event(tx, number, now, integration.actor.name, "alerts_truncated", text, None, {"truncated": count})

    # ---- trigger -----------------------------------------------------------------------------------

    def _trigger(self, tx: Connection, integration: Integration, event: AlertEvent, now: datetime) -> Outcome:
        key = event.dedup_key or uuid.uuid4().hex
        row = _open_alert(tx, integration.id, key)
        if row is not None:
            return self._repeat(tx, integration, event, row, now)
        version_id, playbook = self.playbooks.active
        decision = decide(playbook, event, integration.key, integration.service)
        window = active_window(tx, decision.service, now)
        values = _content(event) | {
            "integration_id": integration.id,
            "dedup_key": key,
            "status": "triggered",
            "source_severity": event.source_severity,
            "service": decision.service,
            "severity": decision.severity,
            "route": decision.route,
            "started_at": event.occurred_at,
            "first_seen_at": now,
            "last_seen_at": now,
            "event_count": 1,
        }
        if window is not None:
            alert_id = tx.execute(_INSERT_ALERT, {**values, "suppressed_by": window})
            return Outcome(key, "suppressed", alert_id.scalar_one())
        number, created = self._incident_for(tx, integration, event, key, decision, playbook, version_id, now)
        alert_id = tx.execute(_INSERT_ALERT, {**values, "incident_id": number}).scalar_one()
        self._alert_event(tx, integration, number, event, key, decision, now)
        return Outcome(key, "created" if created else "attached", alert_id, number)

    def _repeat(
        self, tx: Connection, integration: Integration, event: AlertEvent, row: Row[Any], now: datetime
    ) -> Outcome:
        """Still firing: refresh last seen and the summary, page nobody. An alert held by an ended maintenance
        now counts. Repeats are most of the traffic in an alert storm, so theirs is one prepared UPDATE."""
        if row.incident_id is not None or row.suppressed_by is None:
            summary = event.summary or row.summary
            tx.execute(_REPEAT, {"b_id": row.id, "b_now": now, "b_summary": summary})
            return Outcome(row.dedup_key, "repeat", row.id, row.incident_id)
        values = _content(event) | {"last_seen_at": now, "event_count": alerts.c.event_count + 1}  # atomic under races
        if not event.summary:
            values.pop("summary")
        result, number = "repeat", row.incident_id
        if active_window(tx, row.service, now) is None:
            version_id, playbook = self.playbooks.active
            decision = decide(playbook, event, integration.key, integration.service)
            number, created = self._incident_for(
                tx, integration, event, row.dedup_key, decision, playbook, version_id, now
            )
            values["incident_id"] = number
            result = "created" if created else "attached"
            self._alert_event(tx, integration, number, event, row.dedup_key, decision, now, after_maintenance=True)
        tx.execute(update(alerts).where(alerts.c.id == row.id).values(**values))
        return Outcome(row.dedup_key, result, row.id, number)

    def _incident_for(
        self,
        tx: Connection,
        integration: Integration,
        event: AlertEvent,
        key: str,
        decision: RouteDecision,
        playbook: Playbook,
        version_id: int,
        now: datetime,
    ) -> tuple[int, bool]:
        # A route's group_by replaces the source's group key; an integration's explicit alert or integration
        # grouping wins over the route.
        basis = {
            Grouping.GROUP: decision.group_basis or event.group_key or key,
            Grouping.ALERT: None,
            Grouping.INTEGRATION: "*",
        }[integration.grouping]
        group_hash = None if basis is None else hashlib.sha256(basis.encode()).hexdigest()
        if group_hash is not None:
            group = tx.execute(_OPEN_GROUP, {"g_integration": integration.id, "g_hash": group_hash}).first()
            if group is not None:
                if Status(group.status) in OPEN_STATUSES:
                    if Status(group.status) is Status.MONITORING:
                        self._firing_again(tx, integration, group.incident, now)
                    return group.incident, False
                tx.execute(update(alert_groups).where(alert_groups.c.id == group.id).values(closed_at=now))
        started = min(event.occurred_at, now) if event.occurred_at else now
        title = (event.summary or event.alert_name or key)[:300]
        number = insert_incident(
            tx,
            NewIncident(
                title=title,
                summary=event.summary if len(event.summary) > 300 else "",
                severity=playbook.severity(decision.severity),
                playbook_version_id=version_id,
                started_at=started,
                detected_at=now,
                triage_reason=decision.reason,
                needs_confirmation=decision.needs_confirmation,
                detection_source=DetectionSource.ALERT,
                services=[decision.service],
                tags=["alert"],
                links=_incident_links(event),
                runbooks=list(decision.runbooks),
            ),
            integration.actor,
            now,
        )
        self.incidents.opened_within(tx, number, now)
        if group_hash is not None and basis is not None:
            tx.execute(
                _INSERT_GROUP,
                dict(
                    integration_id=integration.id,
                    group_hash=group_hash,
                    group_key=basis,
                    incident_id=number,
                    opened_at=now,
                ),
            )
        return number, True

    def _firing_again(self, tx: Connection, integration: Integration, number: int, now: datetime) -> None:
        """An incident waiting in monitoring gets a new alert: the impact is back."""
        row = _incident(tx, number)
        with contextlib.suppress(Conflict):
            self.incidents.move_within(tx, integration.actor, row, Status.INVESTIGATING, "alerts firing again", now)

    def _alert_event(
        self,
        tx: Connection,
        integration: Integration,
        number: int,
        event: AlertEvent,
        key: str,
        decision: RouteDecision,
        now: datetime,
        after_maintenance: bool = False,
    ) -> None:
        name = event.alert_name or "alert"
        text = f"Alert {name} firing ({integration.name}): {event.summary or key}"
        if after_maintenance:
            text += " (still firing after maintenance)"
        after = {
            "integration": integration.key,
            "dedup_key": key,
            "source_severity": event.source_severity,
            "route": decision.route,
            "reason": decision.reason,
        }
        append_event(tx, number, now, integration.actor.name, "alert_triggered", text, None, after)

    # ---- acknowledge and resolve -------------------------------------------------------------------

    def _acknowledge(self, tx: Connection, integration: Integration, row: Row[Any], now: datetime) -> Outcome:
        if row.status == "acknowledged":
            return Outcome(row.dedup_key, "repeat", row.id, row.incident_id)
        tx.execute(
            update(alerts)
            .where(alerts.c.id == row.id)
            .values(status="acknowledged", acknowledged_at=now, last_seen_at=now)
        )
        if row.incident_id is not None:
            incident = _incident(tx, row.incident_id)
            if incident.acknowledged_at is None and Status(incident.status) in OPEN_STATUSES:
                self.incidents.acknowledge_within(tx, integration.actor, incident, now)
            else:
                text = f"Alert acknowledged at the source ({integration.name}): {row.summary}"
                append_event(tx, row.incident_id, now, integration.actor.name, "alert_acknowledged", text)
        return Outcome(row.dedup_key, "acknowledged", row.id, row.incident_id)

    def _resolve(self, tx: Connection, integration: Integration, row: Row[Any], now: datetime) -> Outcome:
        tx.execute(
            update(alerts).where(alerts.c.id == row.id).values(status="resolved", resolved_at=now, last_seen_at=now)
        )
        if row.incident_id is not None:
            text = f"Alert resolved ({integration.name}): {row.summary}"
            after = {"integration": integration.key, "dedup_key": row.dedup_key}
            append_event(tx, row.incident_id, now, integration.actor.name, "alert_resolved", text, None, after)
            still_open = tx.execute(
                select(func.count())
                .select_from(alerts)
                .where(alerts.c.incident_id == row.incident_id, alerts.c.resolved_at.is_(None))
            ).scalar_one()
            if still_open == 0:
                self._all_clear(tx, integration, row.incident_id, now)
        return Outcome(row.dedup_key, "resolved", row.id, row.incident_id)

    def _all_clear(self, tx: Connection, integration: Integration, number: int, now: datetime) -> None:
        """Every alert on the incident resolved: do what the incident's own playbook says."""
        incident = _incident(tx, number)
        status = Status(incident.status)
        rule = self.playbooks.get(incident.playbook_version_id, tx).alerting.on_all_resolved
        if status not in OPEN_STATUSES or rule is AllClear.NOTHING:
            return
        target = Status.MONITORING if rule is AllClear.MONITORING else Status.RESOLVED
        if status is target:
            return
        self.incidents.move_within(tx, integration.actor, incident, target, "all alerts resolved", now)
        if target is Status.RESOLVED:
            tx.execute(
                update(alert_groups)
                .where(alert_groups.c.incident_id == number, alert_groups.c.closed_at.is_(None))
                .values(closed_at=now)
            )


# Built once: every event looks up its open alert, and most events in a storm are repeats.
_OPEN_ALERT = select(
    alerts.c.id,
    alerts.c.dedup_key,
    alerts.c.status,
    alerts.c.summary,
    alerts.c.service,
    alerts.c.incident_id,
    alerts.c.suppressed_by,
).where(
    alerts.c.integration_id == bindparam("b_integration"),
    alerts.c.dedup_key == bindparam("b_key"),
    alerts.c.resolved_at.is_(None),
)
_REPEAT = (
    update(alerts)
    .where(alerts.c.id == bindparam("b_id"))
    .values(last_seen_at=bindparam("b_now"), summary=bindparam("b_summary"), event_count=alerts.c.event_count + 1)
)


def _open_alert(connection: Connection, integration_id: int, key: str) -> Row[Any] | None:
    row = connection.execute(_OPEN_ALERT, {"b_integration": integration_id, "b_key": key}).first()
    return cast("Row[Any] | None", row)


def _incident(connection: Connection, number: int) -> Row[Any]:
    return connection.execute(select(incidents).where(incidents.c.id == number)).one()


def _content(event: AlertEvent) -> dict[str, Any]:
    return {
        "summary": event.summary,
        "source": event.source,
        "alert_name": event.alert_name,
        "group_key": event.group_key,
        "labels": dict(event.labels),
        "details": dict(event.details),
        "links": [dict(link) for link in event.links],
        "images": [dict(image) for image in event.images],
    }


def _incident_links(event: AlertEvent) -> list[dict[str, Any]]:
    links = []
    for link in event.links[:20]:
        href = link.get("href", "")
        if href.startswith(("http://", "https://")) and len(href) <= 2000:
            links.append({"url": href, "title": (link.get("text") or None)})
    return links


_INSERT_ALERT = insert(alerts).returning(alerts.c.id)
_INSERT_GROUP = insert(alert_groups)
_OPEN_GROUP = (
    select(alert_groups.c.id, incidents.c.id.label("incident"), incidents.c.status)
    .join(incidents, incidents.c.id == alert_groups.c.incident_id)
    .where(
        alert_groups.c.integration_id == bindparam("g_integration"),
        alert_groups.c.group_hash == bindparam("g_hash"),
        alert_groups.c.closed_at.is_(None),
    )
)
