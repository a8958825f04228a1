"""A security incident pages the playbook's `security.page` targets at once, beside the severity's chains;
and whoever is paged about a private incident becomes a participant who can open it.

Small-team playbook (tests/engine/fixtures/small_team.yaml): `security.page` is legal and the security
on-call (sam on Wednesday 2026-01-07); SEV-1 pages the primary on-call (alice) by SMS, then carol after 5
minutes; SEV-3 is backlog only (ticket).
"""

from __future__ import annotations

import pytest

from tests.engine.small_team import WEDNESDAY, declare, events, small_team
from tests.harness.app import RunningApp
from tests.harness.paging import paging_app
from warroom.auth.actors import SYSTEM, AccessRole, Actor
from warroom.auth.tokens import create_token
from warroom.errors import NotFound
from warroom.oncall.escalation_plan import SECURITY_POLICY

BREACH = {"security_breach": True}


def policies(app: RunningApp, number: int) -> list[str]:
    response = app.call("GET", f"/api/v1/incidents/INC-{number}/escalations")
    assert response.status_code == 200, response.text
    return sorted(escalation["policy"] for escalation in response.json()["escalations"])


def test_a_security_incident_pages_the_security_targets_at_once_beside_its_chain(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, pager):
        number = declare(app, "sev1", impact=BREACH)
        pager.tick()
        pager.expect(("alice", "sms"), ("legal", "sms"), ("sam", "sms"))
        assert policies(app, number) == ["chain", SECURITY_POLICY]
        security = [e.after for e in events(app, number, "paged") if e.after["policy"] == SECURITY_POLICY]
        assert security == [
            {
                "policy": SECURITY_POLICY,
                "level": 1,
                "round": 1,
                "people": ["legal", "sam"],
                "methods": ["sms"],
                "problems": [],
            }
        ]
        pager.tick(5)
        pager.expect(("carol", "sms"))  # the chain goes on; the security page was one step


def test_an_incident_without_a_breach_does_not_page_security(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, pager):
        number = declare(app, "sev1", impact={"security_breach": False})
        pager.tick()
        pager.expect(("alice", "sms"))
        assert policies(app, number) == ["chain"]


def test_a_security_incident_of_a_backlog_severity_pages_nobody(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, pager):
        number = declare(app, "sev3", impact=BREACH)
        pager.tick()
        pager.tick(60)
        pager.expect_nothing()
        assert policies(app, number) == []


def reader(app: RunningApp, name: str) -> dict[str, str]:
    """API headers of a responder whose name is `name` (as a person signs in: by their person key)."""
    token = create_token(app.warroom.db, app.clock, name, AccessRole.RESPONDER, SYSTEM).token
    return {"Authorization": f"Bearer {token}"}


def test_people_paged_about_a_private_incident_can_open_it_and_others_cannot(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, pager):
        number = declare(app, "sev1", impact=BREACH)
        pager.tick()
        pager.expect(("alice", "sms"), ("legal", "sms"), ("sam", "sms"))
        ref = f"INC-{number}"
        assert app.warroom.incidents.get(Actor("legal", AccessRole.RESPONDER), ref).private
        assert app.client.get(f"/api/v1/incidents/{ref}", headers=reader(app, "sam")).status_code == 200
        with pytest.raises(NotFound):
            app.warroom.incidents.get(Actor("sue", AccessRole.RESPONDER), ref)
        assert app.client.get(f"/api/v1/incidents/{ref}", headers=reader(app, "carol")).status_code == 404
        pager.tick(5)  # the chain reaches carol: now she may read it too
        pager.expect(("carol", "sms"))
        assert app.client.get(f"/api/v1/incidents/{ref}", headers=reader(app, "carol")).status_code == 200
