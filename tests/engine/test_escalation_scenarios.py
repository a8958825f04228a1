"""Escalation scenarios from the playbooks, on the manual clock, pages observed at a loopback webhook receiver.

energy-audit: "1. Primary on-call (immediate page) └─ No response in 5 min → 2. Secondary on-call (immediate
page) └─ No response in 5 min → 3. Engineering Manager (phone call) └─ No response in 10 min → 4. VP
Engineering (phone call)"; "SEV-1: Phone call + SMS + Push notification"; SEV-2: the same chain with
15-minute steps on chat ("Slack alert"), push and SMS.
GreenLang P0 matrix: "0 minutes | On-call engineer + IC", "15 minutes | Add: Engineering Lead", "30 minutes |
Add: CTO", "60 minutes | Add: CEO (if customer-facing)".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.harness.app import RunningApp
from tests.harness.paging import paging_app

SATURDAY_3AM = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
# energy-audit rotations start Tuesday 2025-10-28 00:00 UTC, weekly; 2026-01-10 is 74 days later: shift 10.
# primary [engineer1, engineer2, engineer3][10 % 3] = engineer2;
# secondary [engineer2, engineer3, engineer1][10 % 3] = engineer3
PRIMARY, SECONDARY = "engineer2", "engineer3"
SEV1_METHODS = ("phone", "sms", "push")


def declare(app: RunningApp, severity: str, **impact: Any) -> str:
    response = app.call(
        "POST",
        "/api/v1/incidents",
        json={"title": "Checkout down", "severity": severity, "impact": impact},
    )
    assert response.status_code == 201, response.text
    ref: str = response.json()["id"]
    return ref


def sev1_pages(person: str) -> list[tuple[str, str]]:
    return [(person, method) for method in SEV1_METHODS]


def test_energy_audit_sev1_runs_the_whole_chain_when_nobody_acknowledges(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        declare(app, "sev1")
        pager.tick()
        pager.expect(*sev1_pages(PRIMARY))
        pager.tick(4.99)
        pager.expect_nothing()
        pager.tick(0.01)  # +5 min: the secondary
        pager.expect(*sev1_pages(SECONDARY))
        pager.tick(5)  # +10 min: the Engineering Manager, by phone call
        pager.expect(("engineering-manager", "phone"))
        pager.tick(9)
        pager.expect_nothing()
        pager.tick(1)  # +20 min: the VP Engineering, by phone call
        pager.expect(("vp-engineering", "phone"))
        pager.tick(120)
        pager.expect_nothing()  # the chain does not loop (SEMANTICS)
        escalation = app.call("GET", "/api/v1/incidents/INC-1/escalations").json()
        assert escalation["escalations"][0]["state"] == "exhausted"
        kinds = [event["kind"] for event in app.call("GET", "/api/v1/incidents/INC-1/timeline").json()]
        assert kinds.count("paged") == 4 and "escalation_exhausted" in kinds


def test_energy_audit_sev1_acknowledged_by_the_secondary_stops_the_chain(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "sev1")
        pager.tick()
        pager.expect(*sev1_pages(PRIMARY))
        pager.tick(5)
        pager.expect(*sev1_pages(SECONDARY))
        pager.tick(4)
        assert app.call("POST", f"/api/v1/incidents/{ref}/acknowledge").status_code == 200
        pager.tick(60)
        pager.expect_nothing()


def test_an_acknowledgement_at_exactly_the_timeout_is_late(database_url: str) -> None:
    """SEMANTICS: half-open deadlines; the timer fires at exactly anchor + N, before a same-instant ack."""
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "sev1")
        pager.tick()
        pager.expect(*sev1_pages(PRIMARY))
        pager.tick(5)
        pager.expect(*sev1_pages(SECONDARY))
        app.call("POST", f"/api/v1/incidents/{ref}/acknowledge")
        pager.tick(30)
        pager.expect_nothing()


def test_an_acknowledgement_before_a_queued_page_goes_out_cancels_it(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "sev1")
        app.call("POST", f"/api/v1/incidents/{ref}/acknowledge")
        pager.tick()  # the sender runs only now: the page is no longer wanted
        pager.expect_nothing()


def test_energy_audit_sev2_uses_fifteen_minute_steps_on_chat(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        declare(app, "sev2")
        pager.tick()
        pager.expect((PRIMARY, "chat"), (PRIMARY, "push"), (PRIMARY, "sms"))
        pager.tick(14)
        pager.expect_nothing()
        pager.tick(1)
        pager.expect((SECONDARY, "chat"), (SECONDARY, "push"), (SECONDARY, "sms"))
        pager.tick(15)
        pager.expect(("engineering-manager", "email"), ("engineering-manager", "chat"))


def test_resolving_stops_everything(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "sev1")
        pager.tick()
        pager.expect(*sev1_pages(PRIMARY))
        response = app.call("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": "false alarm"})
        assert response.status_code == 200, response.text
        pager.tick(60)
        pager.expect_nothing()


def test_escalate_now_and_to_a_level(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "sev1")
        pager.tick(1)
        pager.expect(*sev1_pages(PRIMARY))
        response = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"reason": "need the secondary"})
        assert response.status_code == 200, response.text
        pager.tick()
        pager.expect(*sev1_pages(SECONDARY))
        # The chain goes on from the manual step: the Engineering Manager 5 minutes later.
        pager.tick(5)
        pager.expect(("engineering-manager", "phone"))
        response = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"level": 4, "reason": "VP now"})
        assert response.status_code == 200, response.text
        pager.tick()
        pager.expect(("vp-engineering", "phone"))
        bad = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"level": 9, "reason": "x"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "level"
        last = app.call("POST", f"/api/v1/incidents/{ref}/escalate", json={"reason": "again"})
        assert last.status_code == 409


def test_greenlang_p0_matrix_adds_people_and_is_not_stopped_by_an_acknowledgement(database_url: str) -> None:
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "p0", all_users_affected=True)
        pager.tick()
        first = pager.arrived()
        people = {body["recipient"] for body in first}
        assert "incident-commander" in people and len(people) == 2  # the on-call engineer + IC
        app.call("POST", f"/api/v1/incidents/{ref}/acknowledge")
        pager.tick(15)
        pager.expect_people("engineering-lead")
        pager.tick(15)
        pager.expect_people("cto")
        pager.tick(29)
        pager.expect_nothing()
        pager.tick(1)
        pager.expect_people("ceo")  # customer-facing: all users are affected


def test_greenlang_p0_skips_the_ceo_when_not_customer_facing(database_url: str) -> None:
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "p0", all_users_affected=False, users_affected_pct=0)
        pager.tick(60)
        people = {body["recipient"] for body in pager.arrived()}
        assert "ceo" not in people and {"engineering-lead", "cto", "incident-commander"} <= people
        events = app.call("GET", f"/api/v1/incidents/{ref}/timeline").json()
        assert any(e["kind"] == "escalation_skipped" and "CEO" in e["text"] for e in events)


def test_an_upgrade_fires_the_steps_already_past_at_once(database_url: str) -> None:
    """SEMANTICS: P2 -> P0 at minute 40 pages everyone the P0 matrix names up to 40."""
    with paging_app(database_url, preset="greenlang", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "p2", all_users_affected=True)
        pager.tick()
        oncall = {body["recipient"] for body in pager.arrived()}
        assert len(oncall) == 1
        pager.tick(40)
        pager.expect_nothing()
        response = app.call("POST", f"/api/v1/incidents/{ref}/severity", json={"severity": "p0", "reason": "worse"})
        assert response.status_code == 200, response.text
        pager.tick()
        people = {body["recipient"] for body in pager.arrived()}
        assert people == {"incident-commander", "engineering-lead", "cto"} | oncall
        pager.tick(20)
        pager.expect_people("ceo")


def test_a_person_paged_by_two_chains_at_once_gets_one_message_per_method(database_url: str) -> None:
    """sre-team SEV1 runs the paging chain and the technical escalation; both start with the on-call."""
    with paging_app(database_url, preset="sre-team", start=SATURDAY_3AM) as (app, pager):
        declare(app, "sev1")
        pager.tick()
        bodies = pager.arrived()
        keys = [(body["recipient"], body["method"]) for body in bodies]
        assert len(keys) == len(set(keys)), keys


def test_progress_restarts_the_current_level_of_a_progress_chain(database_url: str) -> None:
    """sre-team Technical Escalation: "Level 2 ... (15 min no progress)"."""
    with paging_app(database_url, preset="sre-team", start=SATURDAY_3AM) as (app, pager):
        ref = declare(app, "sev2")
        pager.tick()
        pager.arrived()
        app.call("POST", f"/api/v1/incidents/{ref}/acknowledge")
        pager.tick(10)
        response = app.call("POST", f"/api/v1/incidents/{ref}/status", json={"status": "identified"})
        assert response.status_code == 200, response.text
        pager.tick(14)  # 24 min after the trigger, 14 after progress: nothing yet
        pager.expect_nothing()
        pager.tick(1)
        assert "team-lead" in {body["recipient"] for body in pager.arrived()}
