"""Heartbeats through the API: a ping not renewed within its interval raises an alert when the engine runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.harness.app import RunningApp, start_app
from warroom.playbook.loader import load_playbook

PLAYBOOK = Path(__file__).parent / "fixtures" / "alerting.yaml"
PROBLEM = "application/problem+json"
NIGHTLY = {
    "key": "nightly",
    "name": "Nightly backup",
    "kind": "heartbeat",
    "service": "batch",
    "heartbeat_interval": "5m",
}


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, playbook=load_playbook(PLAYBOOK))
    yield running
    running.client.close()
    running.warroom.close()


def create(app: RunningApp, **changes: Any) -> dict[str, Any]:
    response = app.call("POST", "/api/v1/integrations", who="admin", json={**NIGHTLY, **changes})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def ping(app: RunningApp, secret_key: str) -> dict[str, Any]:
    response = app.client.post(f"/api/v1/heartbeats/{secret_key}")  # cron jobs hold the key, not a token
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def alerts(app: RunningApp, **params: str) -> list[dict[str, Any]]:
    response = app.call("GET", "/api/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def incidents(app: RunningApp) -> list[dict[str, Any]]:
    response = app.call("GET", "/api/v1/incidents")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_creating_a_heartbeat_shows_its_ping_url(app: RunningApp) -> None:
    created = create(app)
    assert created["kind"] == "heartbeat"
    assert created["heartbeat_interval_seconds"] == 300
    assert created["ingest_url"].endswith(f"/api/v1/heartbeats/{created['secret_key']}")


def test_a_missed_ping_raises_an_alert_at_exactly_the_interval(app: RunningApp) -> None:
    key = create(app)["secret_key"]
    first = ping(app, key)
    start = app.clock.now()
    assert at(first["received_at"]) == start
    assert at(first["next_due_at"]) == start + timedelta(minutes=5)
    assert first["missed_alert_resolved"] is False
    assert first["integration"] == "nightly"

    app.clock.advance(timedelta(minutes=4, seconds=59))
    assert app.warroom.engine.run_due() == 0
    assert alerts(app) == []
    app.clock.advance(timedelta(seconds=1))
    assert app.warroom.engine.run_due() == 1
    (alert,) = alerts(app)
    assert alert["alert_name"] == "HeartbeatMissed"
    assert alert["status"] == "triggered"
    assert alert["service"] == "batch"
    assert alert["integration"] == "nightly"
    assert alert["summary"] == "Heartbeat Nightly backup missed: no ping for 5m"
    assert alert["labels"] == {"alertname": "HeartbeatMissed", "heartbeat": "nightly"}
    assert at(alert["started_at"]) == start + timedelta(minutes=5)
    assert alert["incident"] == "INC-1"
    (incident,) = incidents(app)
    assert incident["id"] == "INC-1" and incident["status"] == "investigating"
    detail = app.call("GET", "/api/v1/incidents/INC-1").json()
    assert detail["detection_source"] == "alert"
    assert detail["services"] == ["batch"]

    # The engine does not keep raising: the alert stays open until a ping comes.
    app.clock.advance(timedelta(hours=1))
    assert app.warroom.engine.run_due() == 0
    assert len(alerts(app)) == 1

    back = ping(app, key)
    assert back["missed_alert_resolved"] is True
    assert at(back["next_due_at"]) == app.clock.now() + timedelta(minutes=5)
    (alert,) = alerts(app)
    assert alert["status"] == "resolved"
    assert at(alert["resolved_at"]) == app.clock.now()
    assert app.call("GET", "/api/v1/incidents/INC-1").json()["status"] == "monitoring"  # on_all_resolved

    # Re-armed: missing again raises a new alert.
    app.clock.advance(timedelta(minutes=5))
    assert app.warroom.engine.run_due() == 1
    assert [(a["status"], a["incident"]) for a in alerts(app)] == [("triggered", "INC-1"), ("resolved", "INC-1")]
    assert app.call("GET", "/api/v1/incidents/INC-1").json()["status"] == "investigating"  # firing again
    assert len(incidents(app)) == 1
    again = ping(app, key)
    assert again["missed_alert_resolved"] is True


def test_pinging_keeps_pushing_the_deadline(app: RunningApp) -> None:
    key = create(app)["secret_key"]
    ping(app, key)
    app.clock.advance(timedelta(minutes=4))
    assert ping(app, key)["missed_alert_resolved"] is False
    app.clock.advance(timedelta(minutes=1))  # 5m after the first ping
    assert app.warroom.engine.run_due() == 0
    assert alerts(app) == []
    app.clock.advance(timedelta(minutes=4) - timedelta(microseconds=1))
    assert app.warroom.engine.run_due() == 0
    app.clock.advance(timedelta(microseconds=1))  # 9m: 5m after the last ping
    assert app.warroom.engine.run_due() == 1
    assert [a["alert_name"] for a in alerts(app)] == ["HeartbeatMissed"]


def test_a_heartbeat_that_never_pinged_is_missed_one_interval_after_creation(app: RunningApp) -> None:
    create(app)
    app.clock.advance(timedelta(minutes=5))
    assert app.warroom.engine.run_due() == 1
    assert [a["alert_name"] for a in alerts(app)] == ["HeartbeatMissed"]


def test_an_unknown_key_is_404_and_stores_nothing(app: RunningApp) -> None:
    create(app)
    before = app.snapshot()
    response = app.client.post("/api/v1/heartbeats/0123456789abcdef0123456789abcdef")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404 and body["errors"] == [{"field": "key", "reason": "unknown"}]
    assert app.snapshot() == before


BAD_INTERVALS: list[tuple[str | None, str]] = [
    (None, "required for a heartbeat"),
    ("", "required for a heartbeat"),
    ("5 business days", "business time"),
    ("3s", "between 10 seconds and 7 days"),
    ("8d", "between 10 seconds and 7 days"),
    ("often", "is not a span"),
]


def test_a_heartbeat_needs_a_sensible_interval(app: RunningApp) -> None:
    before = app.snapshot()
    for interval, reason in BAD_INTERVALS:
        body = {k: v for k, v in NIGHTLY.items() if k != "heartbeat_interval"}
        if interval is not None:
            body["heartbeat_interval"] = interval
        response = app.call("POST", "/api/v1/integrations", who="admin", json=body)
        assert response.status_code == 422, f"{interval!r}: {response.text}"
        assert response.headers["content-type"] == PROBLEM
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["heartbeat_interval"], interval
        assert reason in errors[0]["reason"], interval
        assert app.snapshot() == before, interval


def test_only_heartbeats_take_an_interval(app: RunningApp) -> None:
    before = app.snapshot()
    body = {**NIGHTLY, "kind": "alertmanager"}
    response = app.call("POST", "/api/v1/integrations", who="admin", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["heartbeat_interval"]
    assert app.snapshot() == before


def test_another_kinds_key_at_the_heartbeat_url_is_refused_clearly(app: RunningApp) -> None:
    prom = create(app, key="prom", name="Prometheus", kind="alertmanager", service="api", heartbeat_interval=None)
    before = app.snapshot()
    response = app.client.post(f"/api/v1/heartbeats/{prom['secret_key']}")
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["errors"][0]["field"] == "key"
    assert "'prom' is not a heartbeat" in body["detail"]
    assert app.snapshot() == before


def test_a_heartbeat_key_at_an_ingest_url_points_to_the_heartbeat_url(app: RunningApp) -> None:
    key = create(app)["secret_key"]
    before = app.snapshot()
    response = app.client.post(f"/ingest/{key}/alertmanager", json={"version": "4"})
    assert response.status_code == 404
    assert "heartbeat integration; post to /api/v1/heartbeats/{key}" in response.json()["detail"]
    assert app.snapshot() == before


def test_a_disabled_heartbeat_raises_nothing(app: RunningApp) -> None:
    key = create(app)["secret_key"]
    ping(app, key)
    response = app.call("POST", "/api/v1/integrations/nightly/disable", who="admin")
    assert response.status_code == 200 and response.json()["disabled_at"] is not None
    app.clock.advance(timedelta(minutes=5))
    assert app.warroom.engine.run_due() == 1  # the timer fires and finds nothing to do
    assert alerts(app) == []
    assert incidents(app) == []
    assert app.warroom.engine.run_due() == 0
    assert app.client.post(f"/api/v1/heartbeats/{key}").status_code == 404  # its key is refused now
