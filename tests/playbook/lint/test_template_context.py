"""The context shape the lint reads from the builders' source matches what the builders really return."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness.app import RunningApp, start_app
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import ManualClock
from warroom.comms.context import incident_context
from warroom.incidents.commands import AddNote, AssignRole, ChangeStatus, DeclareIncident, Link, UpdateIncident
from warroom.incidents.lifecycle import Status
from warroom.playbook.lint.template_context import Keys, ListOf, Shape, message_context, postmortem_context

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
LEAD = Actor("sre-engineer-1", AccessRole.RESPONDER)


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, preset="sre-team", clock=ManualClock(T0))
    yield running
    running.client.close()
    running.warroom.close()


def _unknown(value: Any, shape: Shape, path: str) -> list[str]:
    """Key paths of the real value the derived shape does not know."""
    if isinstance(shape, Keys) and isinstance(value, dict):
        if shape.open:
            return []
        found = []
        for key, item in value.items():
            if key not in shape.keys:
                found.append(f"{path}.{key}")
            else:
                found += _unknown(item, shape.keys[key], f"{path}.{key}")
        return found
    if isinstance(shape, ListOf) and isinstance(value, list):
        return [name for item in value for name in _unknown(item, shape.item, f"{path}[]")]
    return []


def test_every_key_of_a_full_incident_context_is_known_to_the_lint(app: RunningApp) -> None:
    incidents = app.warroom.incidents
    command = DeclareIncident(
        title="Checkout failing",
        severity="sev2",
        summary="Card payments time out",
        impact={"error_rate_pct": 25},
        services=["workbench-api"],
        links=[Link.model_validate({"url": "https://grafana.example.com/d/x", "title": "Errors"})],
        started_at=T0 - timedelta(minutes=12),
        detected_at=T0 - timedelta(minutes=4),
    )
    ref = incidents.declare(LEAD, command).id
    app.clock.advance(timedelta(minutes=2))
    incidents.acknowledge(Actor("sre-engineer-2", AccessRole.RESPONDER), ref)
    incidents.assign_role(LEAD, ref, "incident_commander", AssignRole(person="team-lead"))
    incidents.add_note(LEAD, ref, AddNote(text="Payment provider returns 504"))
    incidents.change_status(LEAD, ref, ChangeStatus(status=Status.IDENTIFIED))
    incidents.record_mitigation(LEAD, ref, "failed over")
    incidents.update(LEAD, ref, UpdateIncident(root_cause="Provider outage", resolution="Failover"))
    app.clock.advance(timedelta(minutes=30))
    incidents.change_status(LEAD, ref, ChangeStatus(status=Status.RESOLVED))
    with app.warroom.db.read() as connection:
        number = int(ref.removeprefix("INC-"))
        context = incident_context(connection, app.warroom.playbook, number, app.clock.now(), "https://w.example")
    assert len(context["incident"]) > 30  # the test really filled the incident in
    assert _unknown(context, message_context(), "") == []
    assert _unknown(context, postmortem_context(), "") == []
