"""Paging anyone the playbook names, outside the escalation policy ("/page legal", "/page security-lead").

GreenLang preset on the manual clock; pages arrive at a loopback webhook receiver. GreenLang's on-call
schedule rotates weekly from Monday 2025-11-10 09:00 UTC over oncall-engineer-1..4; 2026-01-10 03:00 is in
shift 8 (60 days 18 hours later), so oncall-engineer-1 (8 % 4 = 0) is on call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.harness.app import RunningApp
from tests.harness.paging import Pager, paging_app

SATURDAY_3AM = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
ON_CALL = "oncall-engineer-1"


def declare(app: RunningApp, severity: str, **impact: Any) -> str:
    body = {"title": "Checkout down", "severity": severity, "impact": impact}
    response = app.call("POST", "/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    ref: str = response.json()["id"]
    return ref


def page(app: RunningApp, ref: str, target: str, message: str = "need you") -> Any:
    return app.call("POST", f"/api/v1/incidents/{ref}/page", json={"target": target, "message": message})


def opened(app: RunningApp, pager: Pager, severity: str = "p2") -> str:
    """A declared incident whose policy pages are out of the way (P2 pages the on-call only)."""
    ref = declare(app, severity, all_users_affected=True)
    pager.tick()
    pager.arrived()
    # One message per person, method and instant: a manual page in the same second as the policy's page of
    # the same person would be that message. Let a minute pass.
    pager.tick(1)
    return ref


def test_paging_a_person_reaches_them_with_the_severitys_methods_and_their_link_acknowledges(database_url: str) -> None:
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = opened(app, pager)
        response = page(app, ref, "legal", "possible data breach")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["paged"] == ["legal"]
        assert body["pages"][-1] | {"paged_at": None} == {
            "policy": "manual",
            "level": 1,
            "round": 0,
            "person": "legal",
            "via": "person legal, paged by responder",
            "methods": ["phone", "sms", "push", "chat"],
            "paged_at": None,
        }
        assert {"policy": "manual", "kind": "manual", "state": "stopped"}.items() <= body["escalations"][-1].items()
        pager.tick()
        (message,) = pager.expect(("legal", "phone"))  # Legal has a phone and an e-mail; P2 allows the phone
        assert (message["message"], message["paged_by"]) == ("possible data breach", "responder")
        events = app.call("GET", f"/api/v1/incidents/{ref}/timeline").json()
        assert [e["text"] for e in events if e["kind"] == "paged" and e["actor"] == "responder"] == [
            "Paged legal (Legal Counsel) by responder: possible data breach"
        ]
        token = message["ack_token"]
        acked = app.client.post(f"/ack/{token}", headers={"Accept": "application/json"})
        assert acked.status_code == 200 and acked.json()["person"] == "legal", acked.text


def test_a_role_pages_its_holder_else_its_default_and_a_team_or_schedule_its_on_call(database_url: str) -> None:
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = opened(app, pager)
        assert page(app, ref, "security-lead").json()["paged"] == ["security-lead"]  # the role's default
        held = app.call("PUT", f"/api/v1/incidents/{ref}/roles/security_lead", json={"person": "cto"})
        assert held.status_code == 200, held.text
        assert page(app, ref, "Security Lead").json()["paged"] == ["cto"]
        assert page(app, ref, "engineering").json()["paged"] == [ON_CALL]  # the team's schedule
        override = {"person": "dba", "starts_at": "2026-01-10T02:00:00Z", "ends_at": "2026-01-10T05:00:00Z"}
        assert app.call("POST", "/api/v1/schedules/oncall/overrides", json=override).status_code == 201
        state = page(app, ref, "oncall").json()
        assert state["paged"] == ["dba"]
        manual = [(p["level"], p["person"]) for p in state["pages"] if p["policy"] == "manual"]
        assert manual == [(1, "security-lead"), (2, "cto"), (3, ON_CALL), (4, "dba")]
        pager.tick()
        pager.expect_people("security-lead", "cto", ON_CALL, "dba")


def test_an_unknown_target_a_resolved_incident_and_bad_bodies_change_nothing(database_url: str) -> None:
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = opened(app, pager)
        before = app.snapshot()
        unknown = page(app, ref, "janitor")
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "target"
        assert "no role, team, schedule or person 'janitor'" in unknown.json()["errors"][0]["reason"]
        assert page(app, ref, "legal", "").status_code == 422
        assert page(app, "INC-99", "legal").status_code == 404
        request = {"target": "legal", "message": "x"}
        as_viewer = app.call("POST", f"/api/v1/incidents/{ref}/page", who="viewer", json=request)
        assert as_viewer.status_code == 403
        assert app.snapshot() == before
        assert app.call("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": "fixed"}).status_code == 200
        before = app.snapshot()
        closed = page(app, ref, "legal")
        assert closed.status_code == 409 and "resolved" in closed.json()["detail"]
        assert app.snapshot() == before
        pager.tick(10)
        pager.expect_nothing()


def test_the_policy_acknowledgements_severity_changes_and_reopening_work_beside_manual_pages(database_url: str) -> None:
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "p0", all_users_affected=True)
        pager.tick()
        pager.expect_people(ON_CALL, "incident-commander")
        assert page(app, ref, "legal").status_code == 200
        assert app.call("POST", f"/api/v1/incidents/{ref}/acknowledge").status_code == 200
        pager.tick(15)
        pager.expect_people("legal", "engineering-lead")  # the matrix goes on; the manual page went out
        escalated = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"reason": "CTO now"})
        assert escalated.status_code == 200, escalated.text
        pager.tick()
        pager.expect_people("cto")
        wrong = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"reason": "x", "policy": "manual"})
        assert wrong.status_code == 422
        downgrade = app.call("POST", f"/api/v1/incidents/{ref}/severity", json={"severity": "p1", "reason": "less"})
        assert downgrade.status_code == 200, downgrade.text
        pager.tick(1)
        pager.arrived()
        assert app.call("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": "ok"}).status_code == 200
        pager.tick(1)
        reopened = app.call("POST", f"/api/v1/incidents/{ref}/reopen", json={"reason": "back"})
        assert reopened.status_code == 200, reopened.text
        pager.tick()
        assert ON_CALL in {body["recipient"] for body in pager.arrived()}  # the policy runs again from now
        state = app.call("GET", f"/api/v1/incidents/{ref}/escalations").json()
        manual = next(e for e in state["escalations"] if e["policy"] == "manual")
        assert (manual["state"], manual["level"]) == ("stopped", 1)
        assert page(app, ref, "legal").json()["pages"][-1]["level"] == 2


def test_escalating_to_a_level_already_paged_in_this_round_is_a_conflict(database_url: str) -> None:
    """It used to crash on the pages unique key (500)."""
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "p0", all_users_affected=True)
        pager.tick()
        pager.arrived()
        before = app.snapshot()
        response = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"level": 1, "reason": "again"})
        assert response.status_code == 409, response.text
        assert response.json()["detail"] == (
            "level 1 of P0 escalation matrix was already paged at 03:00 UTC in this round; escalate to level 2 or "
            "wait for the next round, or page someone directly"
        )
        assert app.snapshot() == before
        pager.tick(1)  # re-notifying someone is a manual page
        assert page(app, ref, "incident-commander", "again").json()["paged"] == ["incident-commander"]
        pager.tick()
        pager.expect_people("incident-commander")
