"""Who holds an incident's role now (incidents/role_holders.holder_at), and the two things that ask.

Small-team playbook (tests/engine/fixtures/small_team.yaml): the Incident Commander defaults to the primary
schedule, the Tech Lead to the platform team (which has the primary schedule), the Scribe to carol, the
Security Lead (the approval role) to the security schedule; the Communications Lead has no default. On
Wednesday 2026-01-07 alice is on call for primary and sam for security; a week later bob and sue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.engine.small_team import WEDNESDAY, declare, events, run_at, small_team
from tests.harness.app import RunningApp
from tests.harness.paging import paging_app
from warroom.auth.actors import AccessRole, Actor
from warroom.errors import Forbidden
from warroom.incidents.role_holders import holder_at
from warroom.oncall.overrides import CreateOverride
from warroom.store.tables import incidents, outbox

ADMIN = Actor("admin", AccessRole.ADMIN)
NEXT_WEEK = WEDNESDAY + timedelta(days=7)


@pytest.fixture
def team(database_url: str) -> Iterator[RunningApp]:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        yield app


def holder(app: RunningApp, number: int, role: str, at: datetime | None = None) -> str | None:
    with app.warroom.db.read() as connection:
        return holder_at(connection, app.warroom.playbook, number, role, at or app.clock.now())


def override(app: RunningApp, schedule: str, person: str) -> None:
    """`person` takes the whole of `schedule` for the next hour (a stored override, as the API makes them)."""
    now = app.clock.now()
    command = CreateOverride(person=person, starts_at=now, ends_at=now + timedelta(hours=1))
    app.warroom.overrides.create(ADMIN, schedule, command)


def test_an_assigned_holder_wins_over_the_default(team: RunningApp) -> None:
    number = declare(team, "sev3", roles={"incident_commander": "dana"})
    assert holder(team, number, "incident_commander") == "dana"


def test_a_person_default_holds_an_unassigned_role(team: RunningApp) -> None:
    number = declare(team, "sev3")
    assert holder(team, number, "scribe") == "carol"


def test_a_schedule_default_is_whoever_is_on_call_at_that_instant(team: RunningApp) -> None:
    number = declare(team, "sev3")
    assert holder(team, number, "incident_commander") == "alice"
    assert holder(team, number, "incident_commander", NEXT_WEEK) == "bob"


def test_a_stored_override_decides_who_holds_a_schedule_default(team: RunningApp) -> None:
    number = declare(team, "sev3")
    override(team, "primary", "bob")
    assert holder(team, number, "incident_commander") == "bob"
    assert holder(team, number, "incident_commander", WEDNESDAY + timedelta(hours=2)) == "alice"  # it ended


def test_a_team_default_resolves_through_the_teams_schedule(team: RunningApp) -> None:
    number = declare(team, "sev3")
    assert holder(team, number, "tech_lead") == "alice"
    override(team, "primary", "bob")
    assert holder(team, number, "tech_lead") == "bob"


def test_a_role_without_holder_or_default_is_held_by_nobody(team: RunningApp) -> None:
    number = declare(team, "sev3")
    assert holder(team, number, "communications_lead") is None
    assert holder(team, number, "no_such_role") is None


def test_update_reminders_go_to_the_on_call_person_of_a_schedule_default(team: RunningApp) -> None:
    """update_owners: [communications_lead (unassigned, no default), incident_commander (schedule primary)]."""
    override(team, "primary", "bob")
    number = declare(team, "sev1")
    run_at(team, WEDNESDAY + timedelta(minutes=15))
    [due] = events(team, number, "update_due")
    assert due.after["owner"] == "bob"
    with team.warroom.db.read() as connection:
        query = select(outbox.c.recipient).where(outbox.c.subject == f"INC-{number}: update due")
        assert list(connection.execute(query).scalars()) == ["bob"]


def test_security_approval_accepts_the_on_call_security_lead_and_refuses_others(team: RunningApp) -> None:
    """Legal is paged about the (private) security incident, so can read it, but does not hold the role."""
    number = declare(team, "sev1", impact={"security_breach": True})
    controls = team.warroom.comms_controls
    with pytest.raises(Forbidden, match=r"only the Security Lead \(sam\)"):
        controls.approve(Actor("legal", AccessRole.RESPONDER), f"INC-{number}")
    controls.approve(Actor("sam", AccessRole.RESPONDER), f"INC-{number}", "customer notice reviewed")
    with team.warroom.db.read() as connection:
        row = connection.execute(select(incidents).where(incidents.c.id == number)).one()
    assert row.comms_approved_by == "sam"


def test_security_approval_follows_a_stored_override_of_the_security_schedule(team: RunningApp) -> None:
    override(team, "security", "sue")
    number = declare(team, "sev1", impact={"security_breach": True})
    controls = team.warroom.comms_controls
    with pytest.raises(Forbidden, match=r"\(sue\)"):
        controls.approve(Actor("legal", AccessRole.RESPONDER), f"INC-{number}")
    controls.approve(Actor("sue", AccessRole.RESPONDER), f"INC-{number}")
    [approved] = events(team, number, "communication_approved")
    assert approved.actor == "sue"


def test_paging_a_role_reaches_the_person_holder_at_names(team: RunningApp) -> None:
    override(team, "security", "sue")
    number = declare(team, "sev1")
    assert holder(team, number, "security_lead") == "sue"
    body = {"target": "security_lead", "message": "please join"}
    response = team.call("POST", f"/api/v1/incidents/INC-{number}/page", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["paged"] == ["sue"]
