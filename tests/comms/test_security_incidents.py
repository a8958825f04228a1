"""GreenLang INC-007: "Customer Communication: Delayed until Security Lead approves"; "Must comply with GDPR
(72-hour notification)"; "Preserve evidence"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness.app import RunningApp, start_app
from warroom.auth.actors import SYSTEM, AccessRole
from warroom.auth.tokens import create_token
from warroom.clock import ManualClock
from warroom.store.tables import communications, outbox, timeline_events

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
CUSTOMERS = ["ops@customer-a.example", "it@customer-b.example"]
CUSTOMER_FIELDS = {
    "whats_happening": "Some accounts may show unexpected activity",
    "features_affected": "Sign-in",
    "current_status": "Contained",
    "what_you_should_do": "Reset your password",
    "next_update": "16:00 UTC",
}


@pytest.fixture
def greenlang(database_url: str) -> Iterator[RunningApp]:
    app = start_app(
        database_url,
        preset="greenlang",
        clock=ManualClock(T0),
        public_url="https://warroom.example",
        audience_recipients={"customer-email": CUSTOMERS},
    )
    app.tokens["security-lead"] = create_token(
        app.warroom.db, app.clock, "security-lead", AccessRole.RESPONDER, SYSTEM
    ).token
    yield app
    app.client.close()
    app.warroom.close()


def at(app: RunningApp, minutes: float) -> None:
    app.clock.set(T0 + timedelta(minutes=minutes))
    app.warroom.engine.run_due()
    app.warroom.sender.deliver_due()


def declare_breach(app: RunningApp) -> str:
    response = app.call(
        "POST",
        "/api/v1/incidents",
        json={
            "title": "Suspicious admin logins from unknown IPs",
            "impact": {"security_breach": True},
            "roles": {"security_lead": "security-lead"},
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["private"] is True and body["security"] is True
    at(app, 0)
    return str(body["id"])


def customer_email(app: RunningApp, ref: str, who: str = "responder") -> Any:
    return app.call(
        "POST",
        "/api/v1/comms/send",
        who=who,
        json={"incident": ref, "template": "customer-initial", "fields": CUSTOMER_FIELDS},
    )


def test_a_security_incident_opens_private_with_the_evidence_checklist_pinned(greenlang: RunningApp) -> None:
    ref = declare_breach(greenlang)
    with greenlang.warroom.db.read() as connection:
        [event] = connection.execute(
            select(timeline_events).where(timeline_events.c.kind == "evidence_checklist")
        ).all()
    assert event.pinned is True
    assert any("preserve evidence" in item for item in event.after["items"])
    security = greenlang.call("GET", f"/api/v1/incidents/{ref}/comms").json()["security"]
    assert security["awaiting_approval"] is True and security["approval_role"] == "security_lead"
    assert security["evidence_checklist"] == event.after["items"]


def test_the_customer_email_cannot_be_sent_before_the_security_lead_approves(greenlang: RunningApp) -> None:
    ref = declare_breach(greenlang)
    before = greenlang.snapshot()
    refused = customer_email(greenlang, ref)
    assert refused.status_code == 409
    assert "Security Lead's approval" in refused.json()["detail"]
    assert greenlang.snapshot() == before  # nothing queued, nothing recorded

    preview = greenlang.call(
        "POST",
        "/api/v1/comms/preview",
        json={"incident": ref, "template": "customer-initial", "fields": CUSTOMER_FIELDS},
    ).json()
    assert preview["ready"] is False and any("approval" in p for p in preview["problems"])
    clocks = greenlang.call("GET", f"/api/v1/incidents/{ref}/comms").json()["clocks"]
    email = next(c for c in clocks if c["key"] == "customer_email")
    assert email["state"] == "held" and email["note"] == "held: awaiting approval"

    # Internal updates are not held.
    internal = greenlang.call(
        "POST",
        "/api/v1/comms/send",
        json={"incident": ref, "channel": "war-room", "body": "Containment under way; do not touch prod-db-3."},
    )
    assert internal.status_code == 201, internal.text

    # Only the Security Lead approves; an admin is not a Security Lead.
    for who in ("responder", "admin"):
        assert greenlang.call("POST", f"/api/v1/incidents/{ref}/comms/approve", who=who, json={}).status_code in (
            403,
            404,
        )
    at(greenlang, 90)  # a held clock is not breached while it waits
    with greenlang.warroom.db.read() as connection:
        missed = (
            connection.execute(select(timeline_events.c.after).where(timeline_events.c.kind == "communication_missed"))
            .scalars()
            .all()
        )
    assert "customer_email" not in {m["deadline"] for m in missed}

    approved = greenlang.call(
        "POST",
        f"/api/v1/incidents/{ref}/comms/approve",
        who="security-lead",
        json={"note": "contained; legal reviewed"},
    )
    assert approved.status_code == 200, approved.text
    email = next(c for c in approved.json()["clocks"] if c["key"] == "customer_email")
    assert email["state"] == "running" and email["due_at"].startswith("2026-03-05T16:30:00")  # restarts

    sent = customer_email(greenlang, ref)
    assert sent.status_code == 201, sent.text
    with greenlang.warroom.db.read() as connection:
        rows = connection.execute(select(outbox).where(outbox.c.communication_id == sent.json()["id"])).all()
    assert sorted(row.address for row in rows) == sorted(CUSTOMERS)
    assert {row.subject for row in rows} == {"[ACTION REQUIRED] GreenLang Service Disruption"}


def test_the_incident_stays_private_until_approval(greenlang: RunningApp) -> None:
    ref = declare_breach(greenlang)
    refused = greenlang.call("PATCH", f"/api/v1/incidents/{ref}", json={"private": False})
    assert refused.status_code == 422 and "approves" in refused.text


def test_the_72_hour_clock_starts_at_the_breach_flag_and_only_the_security_lead_back_dates_it(
    greenlang: RunningApp,
) -> None:
    ref = declare_breach(greenlang)
    at(greenlang, 120)
    back = (T0 + timedelta(minutes=30)).isoformat()
    assert greenlang.call("POST", f"/api/v1/incidents/{ref}/comms/breach", json={"at": back}).status_code == 403
    future = (T0 + timedelta(days=1)).isoformat()
    assert (
        greenlang.call(
            "POST", f"/api/v1/incidents/{ref}/comms/breach", who="security-lead", json={"at": future}
        ).status_code
        == 422
    )
    flagged = greenlang.call("POST", f"/api/v1/incidents/{ref}/comms/breach", who="security-lead", json={"at": back})
    assert flagged.status_code == 200, flagged.text
    regulator = next(c for c in flagged.json()["clocks"] if c["key"] == "regulator_notice")
    assert regulator["state"] == "running" and regulator["due_at"].startswith("2026-03-08T14:30:00")

    at(greenlang, 30 + 72 * 60)
    with greenlang.warroom.db.read() as connection:
        missed = (
            connection.execute(select(timeline_events.c.after).where(timeline_events.c.kind == "communication_missed"))
            .scalars()
            .all()
        )
    assert "regulator_notice" in {m["deadline"] for m in missed}


def test_recording_the_regulator_notice_meets_the_clock(greenlang: RunningApp) -> None:
    ref = declare_breach(greenlang)
    early = greenlang.call("POST", f"/api/v1/incidents/{ref}/comms/regulator-notice", json={"reference": "ICO 123"})
    assert early.status_code == 409  # no breach flagged yet
    greenlang.call("POST", f"/api/v1/incidents/{ref}/comms/breach", json={})
    at(greenlang, 60 * 24)
    done = greenlang.call(
        "POST", f"/api/v1/incidents/{ref}/comms/regulator-notice", json={"reference": "ICO case 2026-0412"}
    )
    assert done.status_code == 200, done.text
    regulator = next(c for c in done.json()["clocks"] if c["key"] == "regulator_notice")
    assert regulator["state"] == "met"
    with greenlang.warroom.db.read() as connection:
        assert connection.execute(select(communications.c.kind)).scalars().all() == ["regulator_notice"]
