"""The template context read from the database: what an incident looks like to a message, open and resolved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness.app import RunningApp, start_app
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import ManualClock
from warroom.comms.context import MECHANICAL_KINDS, handoff_context, incident_context
from warroom.errors import NotFound
from warroom.incidents.commands import (
    AddNote,
    AssignRole,
    ChangeStatus,
    DeclareIncident,
    Link,
    UpdateIncident,
)
from warroom.incidents.lifecycle import DetectionSource, Status
from warroom.templating import MissingValues, render

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
LEAD = Actor("sre-engineer-1", AccessRole.RESPONDER)
URL = "https://warroom.example.com/"


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, preset="sre-team", clock=ManualClock(T0))
    yield running
    running.client.close()
    running.warroom.close()


def context(app: RunningApp, number: int) -> dict[str, Any]:
    with app.warroom.db.read() as connection:
        return incident_context(connection, app.warroom.playbook, number, app.clock.now(), URL)


def declare(app: RunningApp, **values: Any) -> int:
    command = DeclareIncident(
        title="Checkout failing",
        severity="sev2",
        impact={"error_rate_pct": 25, "all_users_affected": True, "data_loss": False},
        services=["workbench-api"],
        links=[Link.model_validate({"url": "https://grafana.example.com/d/x", "title": "Errors"})],
        detection_source=DetectionSource.USER_REPORT,
        started_at=T0 - timedelta(minutes=12),
        detected_at=T0 - timedelta(minutes=4),
        **values,
    )
    return app.warroom.incidents.declare(LEAD, command).number


def test_an_open_incident_lacks_what_has_not_happened(app: RunningApp) -> None:
    number = declare(app)
    app.clock.advance(timedelta(minutes=20))
    incident = context(app, number)["incident"]

    assert incident["id"] == "INC-1" and incident["number"] == number
    assert incident["url"] == "https://warroom.example.com/incidents/INC-1"
    assert incident["severity"] == {"key": "sev2", "label": "SEV2", "name": "Major"}
    assert incident["declared_severity_label"] == "SEV2"
    assert incident["status"] == "investigating"
    # No statement: the facts in the catalog's words and order; a false fact is no impact.
    assert incident["impact"] == "all users affected, error rate 25%"
    assert incident["impact_facts"] == {"error_rate_pct": 25, "all_users_affected": True, "data_loss": False}
    assert incident["started_at"] == T0 - timedelta(minutes=12)
    assert incident["started_at"].tzinfo is not None and incident["started_at"].utcoffset() == timedelta(0)
    assert incident["triggered_at"] == T0
    assert incident["duration"] == timedelta(minutes=32)  # open: started until now
    assert incident["time_to_detect"] == timedelta(minutes=8)
    assert incident["services"] == ["Workbench API"] and incident["service_keys"] == ["workbench-api"]
    assert incident["affected_systems"][:2] == ["API (workbench-api)", "Database (Postgres / Supabase)"]
    assert incident["links"] == [{"url": "https://grafana.example.com/d/x", "title": "Errors"}]
    assert incident["detection_source"] == "user report"
    assert incident["roles"] == {}
    for absent in (
        "summary",
        "root_cause",
        "resolution",
        "acknowledged_at",
        "mitigated_at",
        "resolved_at",
        "time_to_acknowledge",
        "time_to_resolve",
        "commander",
    ):
        assert absent not in incident, absent
    assert all(value is not None for value in incident.values())


def test_printing_what_the_incident_lacks_names_it(app: RunningApp) -> None:
    number = declare(app)
    values = context(app, number)
    with pytest.raises(MissingValues) as missing:
        render("Root cause: {{ incident.root_cause }}", values)
    assert missing.value.names == ["incident.root_cause"]
    with pytest.raises(MissingValues) as missing:
        render("Lead: {{ incident.commander }}", values)
    assert missing.value.names == ["incident.commander"]
    with pytest.raises(MissingValues) as missing:
        render("{{ incident.roles.technical_lead }}", values)
    assert str(missing.value) == "missing value: incident.roles.technical_lead"
    assert render("{{ incident.root_cause or 'not known yet' }}", values) == "not known yet"
    assert render("{{ (incident.mitigated_at or incident.started_at) | hhmm }}", values) == "13:48"


def test_a_resolved_incident_carries_its_times_people_and_story(app: RunningApp) -> None:
    incidents = app.warroom.incidents
    number = declare(app, summary="Card payments time out", impact_statement="checkout for everyone")
    ref = f"INC-{number}"
    app.clock.advance(timedelta(minutes=2))
    incidents.acknowledge(Actor("sre-engineer-2", AccessRole.RESPONDER), ref)
    app.clock.advance(timedelta(minutes=1))
    incidents.assign_role(LEAD, ref, "incident_commander", AssignRole(person="team-lead"))
    incidents.assign_role(LEAD, ref, "technical_lead", AssignRole(person="contractor@example.com"))
    app.clock.advance(timedelta(minutes=5))
    incidents.add_note(LEAD, ref, AddNote(text="Payment provider returns 504"))
    incidents.change_status(LEAD, ref, ChangeStatus(status=Status.IDENTIFIED))
    app.clock.advance(timedelta(minutes=10))
    incidents.record_mitigation(LEAD, ref, "failed over to the second provider")
    app.clock.advance(timedelta(minutes=10))
    incidents.update(LEAD, ref, UpdateIncident(root_cause="Provider outage", resolution="Failover"))
    app.clock.advance(timedelta(minutes=30))
    incidents.change_status(LEAD, ref, ChangeStatus(status=Status.RESOLVED))
    app.clock.advance(timedelta(hours=2))  # rendering later changes nothing about the incident's spans

    incident = context(app, number)["incident"]

    assert incident["summary"] == "Card payments time out"
    assert incident["impact"] == "checkout for everyone"  # the statement wins over the facts
    assert incident["status"] == "resolved"
    assert incident["acknowledged_at"] == T0 + timedelta(minutes=2)
    assert incident["acknowledged_by"] == "SRE Engineer 2"
    assert incident["mitigated_at"] == T0 + timedelta(minutes=18)
    assert incident["resolved_at"] == T0 + timedelta(minutes=58)
    assert incident["duration"] == timedelta(minutes=70)  # resolved - started
    assert incident["time_to_detect"] == timedelta(minutes=8)
    assert incident["time_to_acknowledge"] == timedelta(minutes=2)  # acknowledged - triggered
    assert incident["time_to_mitigate"] == timedelta(minutes=22)  # mitigated - detected
    assert incident["time_to_resolve"] == timedelta(minutes=62)  # resolved - detected
    assert incident["root_cause"] == "Provider outage" and incident["resolution"] == "Failover"
    # People by their playbook names; someone outside the playbook by what was typed.
    assert incident["commander"] == "Team Lead"
    assert incident["roles"] == {"incident_commander": "Team Lead", "technical_lead": "contractor@example.com"}
    assert incident["participants"][:3] == ["SRE Engineer 1", "SRE Engineer 2", "Team Lead"]

    timeline = incident["timeline"]
    assert [item["at"] for item in timeline] == sorted(item["at"] for item in timeline)
    kinds = [item["kind"] for item in timeline]
    assert kinds[0] == "declared" and kinds[-1] == "status_changed"
    assert {"acknowledged", "role_assigned", "note", "mitigated"} <= set(kinds)
    assert not set(kinds) & MECHANICAL_KINDS  # "Updated root_cause, resolution" is bookkeeping
    note = next(item for item in timeline if item["kind"] == "note")
    assert note == {"at": T0 + timedelta(minutes=8), "actor": "SRE Engineer 1", "kind": "note", "text": note["text"]}
    assert note["text"] == "Payment provider returns 504"


def test_the_commander_is_the_playbooks_first_role(app: RunningApp) -> None:
    playbook = app.warroom.playbook
    number = declare(app)
    app.warroom.incidents.assign_role(LEAD, "INC-1", playbook.roles[1].key, AssignRole(person="team-lead"))
    assert "commander" not in context(app, number)["incident"]
    app.warroom.incidents.assign_role(LEAD, "INC-1", playbook.roles[0].key, AssignRole(person="senior-engineer"))
    assert context(app, number)["incident"]["commander"] == "Senior Engineer"


def test_context_of_an_unknown_incident_is_not_found(app: RunningApp) -> None:
    with pytest.raises(NotFound, match="INC-99"):
        context(app, 99)


def test_now_and_playbook_are_there_with_or_without_an_incident(app: RunningApp) -> None:
    number = declare(app)
    values = context(app, number)
    assert values["now"] == T0 and values["playbook"] == {"name": "SRE Team Incident Response"}
    assert handoff_context(app.warroom.playbook, T0) == {"now": T0, "playbook": values["playbook"]}
    with pytest.raises(MissingValues) as missing:
        render("{{ incident.title }}", handoff_context(app.warroom.playbook, T0))
    assert missing.value.names == ["incident"]
