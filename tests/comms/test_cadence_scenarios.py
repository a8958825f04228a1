"""Communication as a tracked obligation, on a manual clock with the real engine and sender.

GreenLang: "Regular Status Updates - P0: Every 15 minutes"; the Communications Lead "Handles customer
communications". Energy-audit SEV-1: the status page "Investigating" post is due within 15 minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness.app import RunningApp, start_app
from warroom.clock import ManualClock
from warroom.store.tables import outbox, timeline_events

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def app_for(database_url: str, preset: str) -> RunningApp:
    return start_app(database_url, preset=preset, clock=ManualClock(T0), public_url="https://warroom.example")


@pytest.fixture
def greenlang(database_url: str) -> Iterator[RunningApp]:
    app = app_for(database_url, "greenlang")
    yield app
    app.client.close()
    app.warroom.close()


@pytest.fixture
def energy(database_url: str) -> Iterator[RunningApp]:
    app = app_for(database_url, "energy-audit")
    yield app
    app.client.close()
    app.warroom.close()


def at(app: RunningApp, minutes: float) -> None:
    """Move the clock to T0 + minutes, then let the engine and the sender do what is due."""
    app.clock.set(T0 + timedelta(minutes=minutes))
    app.warroom.engine.run_due()
    app.warroom.sender.deliver_due()


def events(app: RunningApp, number: int, kind: str) -> list[Any]:
    with app.warroom.db.read() as connection:
        return list(
            connection.execute(
                select(timeline_events)
                .where(timeline_events.c.incident_id == number, timeline_events.c.kind == kind)
                .order_by(timeline_events.c.id)
            )
        )


def notices(app: RunningApp, subject_part: str) -> list[tuple[str | None, str, datetime]]:
    with app.warroom.db.read() as connection:
        rows = connection.execute(select(outbox).where(outbox.c.subject.contains(subject_part)).order_by(outbox.c.id))
        return [(row.recipient, row.method or row.channel, row.created_at) for row in rows]


def declare(app: RunningApp, severity: str, **extra: Any) -> int:
    response = app.call(
        "POST", "/api/v1/incidents", json={"title": "API returning 100% errors", "severity": severity, **extra}
    )
    assert response.status_code == 201, response.text
    at(app, 0)
    return int(response.json()["number"])


def test_greenlang_p0_reminds_the_comms_lead_at_15_minutes_and_escalates_the_missed_update(
    greenlang: RunningApp,
) -> None:
    number = declare(greenlang, "p0", roles={"communications_lead": "oncall-engineer-2"})
    state = greenlang.call("GET", f"/api/v1/incidents/INC-{number}/comms").json()
    assert state["next_update_due"].startswith("2026-03-05T14:15:00")
    assert state["update_owner"] == "oncall-engineer-2"

    at(greenlang, 14.9)
    assert events(greenlang, number, "update_due") == []
    assert notices(greenlang, "update due") == []

    at(greenlang, 15)
    [due] = events(greenlang, number, "update_due")
    assert due.after["owner"] == "oncall-engineer-2"
    # The reminder is a quiet message (the person's first chat/push/e-mail/SMS method), never a phone call.
    assert notices(greenlang, "update due") == [("oncall-engineer-2", "sms", T0 + timedelta(minutes=15))]
    assert events(greenlang, number, "update_overdue") == []

    at(greenlang, 19.9)
    assert events(greenlang, number, "update_overdue") == []
    at(greenlang, 20)
    [overdue] = events(greenlang, number, "update_overdue")
    assert overdue.after["escalated_to"] == ["incident-commander"]
    assert sorted(str(r) for r, _m, _t in notices(greenlang, "update overdue")) == [
        "incident-commander",
        "oncall-engineer-2",
    ]

    # An update sent now (and delivered) owes the next one 15 minutes later; no more nagging before then.
    sent = greenlang.call(
        "POST",
        "/api/v1/comms/send",
        json={
            "incident": f"INC-{number}",
            "template": "incident-update",
            "fields": {
                "current_actions": "Rolling back the 14:02 deploy",
                "next_steps": "Watch the error rate",
                "eta": "14:45 UTC",
            },
        },
    )
    assert sent.status_code == 201, sent.text
    at(greenlang, 21)
    state = greenlang.call("GET", f"/api/v1/incidents/INC-{number}/comms").json()
    assert state["next_update_due"].startswith("2026-03-05T14:36:00")
    assert state["updates_missed"] == 1
    updates = [c for c in state["checklist"] if c["text"] == "Updates every 15 minutes"]
    assert updates[0]["state"] == "missed"
    at(greenlang, 35.9)
    assert len(events(greenlang, number, "update_due")) == 1
    at(greenlang, 36)
    assert len(events(greenlang, number, "update_due")) == 2


def test_without_a_comms_lead_the_commander_keeps_the_cadence(greenlang: RunningApp) -> None:
    number = declare(greenlang, "p1")
    at(greenlang, 30)
    [due] = events(greenlang, number, "update_due")
    assert due.after["owner"] == "incident-commander"


def test_resolution_stops_the_cadence(greenlang: RunningApp) -> None:
    number = declare(greenlang, "p0")
    at(greenlang, 10)
    for status in ("identified", "monitoring", "resolved"):
        response = greenlang.call("POST", f"/api/v1/incidents/INC-{number}/status", json={"status": status})
        assert response.status_code == 200, response.text
    at(greenlang, 60)
    assert events(greenlang, number, "update_due") == []


def test_energy_audit_sev1_without_a_status_page_post_after_15_minutes_records_the_breach(energy: RunningApp) -> None:
    number = declare(energy, "sev1")
    state = energy.call("GET", f"/api/v1/incidents/INC-{number}/comms").json()
    clock = next(c for c in state["clocks"] if c["key"] == "status-page-investigating")
    assert clock["state"] == "running" and clock["remaining_seconds"] == 15 * 60
    at(energy, 14.99)
    assert events(energy, number, "communication_missed") == []
    at(energy, 15)
    missed = {e.after["deadline"]: e for e in events(energy, number, "communication_missed")}
    assert "status-page-investigating" in missed
    assert "Status page" in missed["status-page-investigating"].text
    assert "due 14:15 UTC (not sent)" in missed["status-page-investigating"].text
    state = energy.call("GET", f"/api/v1/incidents/INC-{number}/comms").json()
    clock = next(c for c in state["clocks"] if c["key"] == "status-page-investigating")
    assert clock["state"] == "missed" and clock["met_at"] is None
    # The breach is written once, however often the engine runs.
    at(energy, 40)
    assert (
        len(
            [
                e
                for e in events(energy, number, "communication_missed")
                if e.after["deadline"] == "status-page-investigating"
            ]
        )
        == 1
    )


def test_a_severity_change_restarts_the_communication_clocks(energy: RunningApp) -> None:
    number = declare(energy, "sev2")
    at(energy, 10)
    response = energy.call(
        "POST", f"/api/v1/incidents/INC-{number}/severity", json={"severity": "sev1", "reason": "all users now"}
    )
    assert response.status_code == 200, response.text
    at(energy, 15)  # the SEV-2 clock would have fired here; the SEV-1 one counts from minute 10
    assert [e for e in events(energy, number, "communication_missed")] == []
    state = energy.call("GET", f"/api/v1/incidents/INC-{number}/comms").json()
    clock = next(c for c in state["clocks"] if c["key"] == "status-page-investigating")
    assert clock["due_at"].startswith("2026-03-05T14:25:00")
    at(energy, 25)
    assert {e.after["deadline"] for e in events(energy, number, "communication_missed")} >= {
        "status-page-investigating"
    }


def test_waiving_a_clock_needs_a_reason_and_stops_the_breach(energy: RunningApp) -> None:
    number = declare(energy, "sev1")
    bad = energy.call("POST", f"/api/v1/incidents/INC-{number}/comms/clocks/status-page-investigating/waive", json={})
    assert bad.status_code == 422
    unknown = energy.call("POST", f"/api/v1/incidents/INC-{number}/comms/clocks/nope/waive", json={"reason": "x"})
    assert unknown.status_code == 404
    ok = energy.call(
        "POST",
        f"/api/v1/incidents/INC-{number}/comms/clocks/status-page-investigating/waive",
        json={"reason": "internal tooling only; no user impact"},
    )
    assert ok.status_code == 200, ok.text
    at(energy, 20)
    assert "status-page-investigating" not in {
        e.after["deadline"] for e in events(energy, number, "communication_missed")
    }
