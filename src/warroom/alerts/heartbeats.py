"""Heartbeats: a ping not renewed within its interval raises an alert (a durable timer, not a thread)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Connection, select

from warroom.alerts.events import Action, AlertBatch, AlertEvent
from warroom.alerts.integrations import Integration, IntegrationKind, integration_of
from warroom.alerts.service import AlertService
from warroom.clock import Clock
from warroom.engine import timers
from warroom.engine.timers import Timer
from warroom.errors import InvalidInput
from warroom.store.database import Database
from warroom.store.tables import integrations

TIMER_KIND = "heartbeat"
MISSED_KEY = "heartbeat-missed"


class HeartbeatView(BaseModel):
    integration: str
    received_at: datetime
    next_due_at: datetime
    missed_alert_resolved: bool


def arm_heartbeat(tx: Connection, integration_id: int, now: datetime, seconds: int) -> datetime:
    due = now + timedelta(seconds=seconds)
    timers.arm(tx, TIMER_KIND, str(integration_id), due, now)
    return due


class HeartbeatService:
    def __init__(self, db: Database, clock: Clock, alerts: AlertService) -> None:
        self.db = db
        self.clock = clock
        self.alerts = alerts

    def ping(self, integration: Integration) -> HeartbeatView:
        if integration.kind is not IntegrationKind.HEARTBEAT or integration.heartbeat_seconds is None:
            raise InvalidInput.of("key", f"integration {integration.key!r} is not a heartbeat")
        seconds = integration.heartbeat_seconds
        with self.db.transaction() as tx:
            now = self.clock.now()
            due = arm_heartbeat(tx, integration.id, now, seconds)
            back = AlertBatch((AlertEvent(Action.RESOLVE, MISSED_KEY),))
            outcomes = self.alerts.apply(tx, integration, back)
        return HeartbeatView(
            integration=integration.key,
            received_at=now,
            next_due_at=due,
            missed_alert_resolved=outcomes[0].result == "resolved",
        )

    def on_missed(self, tx: Connection, timer: Timer, now: datetime) -> None:
        """Engine handler: the interval passed without a ping."""
        row = tx.execute(select(integrations).where(integrations.c.id == int(timer.subject))).first()
        if row is None or row.disabled_at is not None:
            return
        integration = integration_of(row)
        interval = timedelta(seconds=integration.heartbeat_seconds or 0)
        event = AlertEvent(
            Action.TRIGGER,
            MISSED_KEY,
            summary=f"Heartbeat {integration.name} missed: no ping for {_words(interval)}",
            source="warroom",
            alert_name="HeartbeatMissed",
            labels={"alertname": "HeartbeatMissed", "heartbeat": integration.key},
            details={"last_due_at": timer.due_at.isoformat(), "interval_seconds": int(interval.total_seconds())},
            occurred_at=timer.due_at,
        )
        self.alerts.apply(tx, integration, AlertBatch((event,)))


def _words(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"
