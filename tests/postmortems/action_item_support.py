"""Shared setup of the action-item tests: the app on a manual clock, incidents, items, timers and notices."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select

from tests.harness.app import RunningApp, start_app
from warroom.clock import ManualClock
from warroom.engine.timers import Timer, pending
from warroom.postmortems.action_item_models import ActionItemView
from warroom.postmortems.action_item_reminders import ACTION_ITEM_TIMER
from warroom.postmortems.action_item_rules import ItemStatus, Priority
from warroom.store.tables import audit_log, outbox, postmortems, timeline_events

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)  # a Thursday; the fixture playbook's team is in Europe/Berlin (UTC+1)


def app_at_t0(database_url: str, **settings: Any) -> RunningApp:
    return start_app(database_url, clock=ManualClock(T0), **settings)


def declare(app: RunningApp, who: str = "responder", **body: Any) -> str:
    body.setdefault("title", "Checkout failing")
    body.setdefault("severity", "sev2")
    response = app.call("POST", "/api/v1/incidents", who=who, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def add_item(app: RunningApp, ref: str, who: str = "responder", **body: Any) -> dict[str, Any]:
    body.setdefault("title", "Alert on connection pool usage")
    response = app.call("POST", f"/api/v1/incidents/{ref}/action-items", who=who, json=body)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return item


def add_postmortem(app: RunningApp, incident_number: int, owner: str | None = None) -> int:
    """What the postmortem service will do when the incident resolves; written here directly as test setup."""
    now = app.clock.now()
    with app.warroom.db.transaction() as tx:
        return int(
            tx.execute(
                insert(postmortems)
                .values(
                    incident_id=incident_number,
                    requirement="required",
                    state="draft",
                    owner=owner,
                    markdown="# Postmortem",
                    created_at=now,
                    updated_at=now,
                    updated_by="warroom",
                    revision=1,
                )
                .returning(postmortems.c.id)
            ).scalar_one()
        )


def timer_of(app: RunningApp, item_id: int) -> Timer | None:
    with app.warroom.db.read() as connection:
        return pending(connection, ACTION_ITEM_TIMER, str(item_id))


def events(app: RunningApp, incident_number: int, kind: str) -> list[Any]:
    with app.warroom.db.read() as connection:
        return list(
            connection.execute(
                select(timeline_events)
                .where(timeline_events.c.incident_id == incident_number, timeline_events.c.kind == kind)
                .order_by(timeline_events.c.id)
            )
        )


def notices(app: RunningApp) -> list[Any]:
    with app.warroom.db.read() as connection:
        return list(
            connection.execute(
                select(outbox).where(outbox.c.idempotency_key.like("action-item-overdue:%")).order_by(outbox.c.id)
            )
        )


def audits(app: RunningApp, action_prefix: str = "action_item.") -> list[Any]:
    with app.warroom.db.read() as connection:
        return list(
            connection.execute(
                select(audit_log).where(audit_log.c.action.like(f"{action_prefix}%")).order_by(audit_log.c.id)
            )
        )


def at(app: RunningApp, instant: datetime) -> int:
    """Move the clock, then let the engine fire what is due; returns how many timers fired."""
    app.clock.set(instant)
    return app.warroom.engine.run_due()


def sample_item(**values: Any) -> ActionItemView:
    """A read model as the service returns it, for the pure export and tracker tests."""
    base: dict[str, Any] = {
        "id": 7,
        "incident": "INC-3",
        "incident_title": "Checkout failing",
        "postmortem_id": None,
        "title": "Alert on connection pool usage",
        "description": "Page when the pool is 80% used.",
        "owner": "alice",
        "priority": Priority.P1,
        "due_at": datetime(2026, 3, 10, 23, 0, tzinfo=UTC),
        "due_date": date(2026, 3, 10),
        "status": ItemStatus.OPEN,
        "overdue": False,
        "allowed_statuses": [ItemStatus.IN_PROGRESS, ItemStatus.DONE, ItemStatus.WONT_DO],
        "created_by": "responder",
        "created_at": datetime(2026, 3, 5, 14, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 5, 14, 0, tzinfo=UTC),
        "closed_at": None,
        "external_key": None,
        "external_url": None,
    }
    return ActionItemView(**{**base, **values})
