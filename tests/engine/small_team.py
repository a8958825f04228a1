"""The small-team playbook (fixtures/small_team.yaml) on the manual clock: declaring and reading the timeline.

Shared by the tests of response targets, role holders, the security page, conditional levels and the update
cadence; the fixture's header says who is on call when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.harness.app import RunningApp
from warroom.playbook.loader import load_playbook
from warroom.playbook.schema import Playbook
from warroom.store.tables import timeline_events

SMALL_TEAM = Path(__file__).parent / "fixtures" / "small_team.yaml"
# Wednesday 11:00 in Berlin: alice is on call for primary, sam for security.
WEDNESDAY = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


def small_team() -> Playbook:
    return load_playbook(SMALL_TEAM)


def declare(app: RunningApp, severity: str, who: str = "responder", **fields: Any) -> int:
    """Declare an incident through the API; returns its number."""
    body = {"title": "Checkout down", "severity": severity, **fields}
    response = app.call("POST", "/api/v1/incidents", who=who, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["number"])


def run_at(app: RunningApp, instant: datetime) -> None:
    """Move the manual clock to `instant`, then let the engine and the sender do what is due."""
    app.clock.set(instant)
    app.warroom.engine.run_due()
    app.warroom.sender.deliver_due()


def events(app: RunningApp, number: int, kind: str) -> list[Any]:
    """The incident's timeline events of one kind, oldest first."""
    with app.warroom.db.read() as connection:
        query = (
            select(timeline_events)
            .where(timeline_events.c.incident_id == number, timeline_events.c.kind == kind)
            .order_by(timeline_events.c.id)
        )
        return list(connection.execute(query))
