"""Shared by the postmortem tests: the application on a manual clock under a preset, and the scripted incident."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from tests.harness.app import RunningApp, fixture_playbook, start_app
from tests.harness.scripted_incident import RESOLVED, START, IncidentScript
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import ManualClock
from warroom.incidents.commands import ChangeStatus, DeclareIncident
from warroom.incidents.lifecycle import Status
from warroom.playbook.loader import load_playbook
from warroom.playbook.schema import Playbook
from warroom.store.tables import action_items, outbox, timeline_events

RESPONDER = Actor("responder", AccessRole.RESPONDER)
VIEWER = Actor("viewer", AccessRole.VIEWER)


@contextmanager
def running(database_url: str, preset: str | None = None, playbook: Playbook | None = None) -> Iterator[RunningApp]:
    """The application at START - 1 h; `preset` None and no playbook: the minimal fixture (no postmortem template)."""
    if preset is None and playbook is None:
        playbook = fixture_playbook()
    app = start_app(database_url, preset=preset, playbook=playbook, clock=ManualClock(START - timedelta(hours=1)))
    try:
        yield app
    finally:
        app.client.close()
        app.warroom.close()


def resolved_incident(app: RunningApp) -> IncidentScript:
    """The scripted incident, played to its resolution at RESOLVED (15:00 on Thursday 2026-03-05)."""
    script = IncidentScript(app.warroom, app.clock)
    script.play()
    assert app.clock.now() == RESOLVED
    return script


def add_action_item(app: RunningApp, number: int, title: str, **values: Any) -> None:
    """An action item row as the action-item service stores it (that service is another module's)."""
    now = app.clock.now()
    row = {
        "incident_id": number,
        "title": title,
        "description": "",
        "owner": None,
        "priority": "p2",
        "due_at": None,
        "status": "open",
        "created_by": "responder",
        "created_at": now,
        "updated_at": now,
        **values,
    }
    with app.warroom.db.transaction() as tx:
        tx.execute(insert(action_items).values(**row))


def outbox_subjects(app: RunningApp, incident: int) -> list[tuple[str | None, str]]:
    with app.warroom.db.read() as connection:
        rows = connection.execute(
            select(outbox.c.recipient, outbox.c.subject).where(outbox.c.incident_id == incident).order_by(outbox.c.id)
        )
        return [(row.recipient, row.subject) for row in rows]


def postmortem_events(app: RunningApp, incident: int) -> list[str]:
    with app.warroom.db.read() as connection:
        return list(
            connection.execute(
                select(timeline_events.c.text)
                .where(timeline_events.c.incident_id == incident, timeline_events.c.kind == "postmortem")
                .order_by(timeline_events.c.id)
            ).scalars()
        )


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in March 2026, UTC (the 5th is a Thursday)."""
    return START.replace(day=day, hour=hour, minute=minute)


TEAM = Path(__file__).parent / "fixtures" / "team.yaml"


def team_playbook() -> Playbook:
    """Severities with every requirement: sev1 48 h, sev2 3 business days, sev3 optional, sev4 skipped."""
    return load_playbook(TEAM)


def declare(app: RunningApp, severity: str, **values: Any) -> str:
    command = DeclareIncident(title=values.pop("title", f"Checkout {severity}"), severity=severity, **values)
    return app.warroom.incidents.declare(RESPONDER, command).id


def resolve(app: RunningApp, ref: str, note: str = "fixed") -> None:
    app.warroom.incidents.change_status(RESPONDER, ref, ChangeStatus(status=Status.RESOLVED, note=note))
