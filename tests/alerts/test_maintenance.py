"""Maintenance windows through the API: alerts for the service are recorded and shown, nobody is paged."""

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
PROM = {"key": "prom", "name": "Prometheus", "kind": "alertmanager", "service": "api"}


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, playbook=load_playbook(PLAYBOOK))
    yield running
    running.client.close()
    running.warroom.close()


@pytest.fixture
def prom(app: RunningApp) -> str:
    response = app.call("POST", "/api/v1/integrations", who="admin", json=PROM)
    assert response.status_code == 201, response.text
    key: str = response.json()["secret_key"]
    return key


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def window(app: RunningApp, service: str = "api", hours: float = 1, **extra: Any) -> dict[str, Any]:
    body = {"service": service, "ends_at": iso(app.clock.now() + timedelta(hours=hours)), "reason": "db upgrade"}
    response = app.call("POST", "/api/v1/maintenance", json={**body, **extra})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def notify(
    app: RunningApp,
    key: str,
    status: str = "firing",
    fingerprint: str = "c0ffee01",
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One Alertmanager webhook (version 4) carrying one alert."""
    labels = {"alertname": "HighErrorRate", "env": "prod", "error_rate": "12", **(labels or {})}
    alert = {
        "status": status,
        "labels": labels,
        "annotations": {"summary": f"{labels['alertname']} on {labels.get('env', 'somewhere')}"},
        "startsAt": iso(app.clock.now() - timedelta(minutes=1)),
        "endsAt": iso(app.clock.now()) if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example/graph?g0.expr=errors",
        "fingerprint": fingerprint,
    }
    payload = {
        "version": "4",
        "groupKey": '{}:{alertname="' + labels["alertname"] + '"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "warroom",
        "groupLabels": {"alertname": labels["alertname"]},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example",
        "alerts": [alert],
    }
    response = app.client.post(f"/ingest/{key}/alertmanager", json=payload)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def results(delivery: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(a["result"], a["incident"]) for a in delivery["alerts"]]


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


def timeline(app: RunningApp, ref: str) -> list[dict[str, Any]]:
    response = app.call("GET", f"/api/v1/incidents/{ref}/timeline")
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()
    return events


def test_a_window_is_created_active_and_listed(app: RunningApp) -> None:
    created = window(app)
    assert created["service"] == "api"
    assert created["active"] is True
    assert created["created_by"] == "responder"
    assert created["starts_at"] == created["created_at"]
    listed = app.call("GET", "/api/v1/maintenance", who="viewer").json()
    assert [w["id"] for w in listed] == [created["id"]]
    app.clock.advance(timedelta(hours=1))
    assert app.call("GET", "/api/v1/maintenance").json() == []
    past = app.call("GET", "/api/v1/maintenance", params={"include_past": "true"}).json()
    assert [(w["id"], w["active"]) for w in past] == [(created["id"], False)]


def test_an_alert_during_maintenance_is_recorded_and_pages_nobody(app: RunningApp, prom: str) -> None:
    maintenance = window(app)
    delivery = notify(app, prom)
    assert results(delivery) == [("suppressed", None)]
    assert delivery["incidents"] == []
    (alert,) = alerts(app, status="suppressed")
    assert alert["suppressed_by_maintenance"] == maintenance["id"]
    assert alert["incident"] is None
    assert alert["status"] == "triggered"
    assert alert["service"] == "api"
    assert alert["severity"] == "sev1"  # routed as usual, just not paged
    assert incidents(app) == []

    # Still firing in the window's last microsecond: a repeat, still nobody paged.
    app.clock.advance(timedelta(hours=1) - timedelta(microseconds=1))
    assert results(notify(app, prom)) == [("repeat", None)]
    assert incidents(app) == []

    # The window is half-open: at its end the same alert, still firing, opens an incident.
    app.clock.advance(timedelta(microseconds=1))
    delivery = notify(app, prom)
    assert results(delivery) == [("created", "INC-1")]
    (alert,) = alerts(app)
    assert alert["incident"] == "INC-1"
    assert alert["suppressed_by_maintenance"] is None
    assert alert["event_count"] == 3
    assert alerts(app, status="suppressed") == []
    (incident,) = incidents(app)
    assert incident["id"] == "INC-1"
    texts = [e["text"] for e in timeline(app, "INC-1") if e["kind"] == "alert_triggered"]
    assert len(texts) == 1 and "still firing after maintenance" in texts[0]

    assert results(notify(app, prom)) == [("repeat", "INC-1")]  # and only once
    assert len(incidents(app)) == 1


def test_a_suppressed_alert_that_resolves_never_opens_an_incident(app: RunningApp, prom: str) -> None:
    window(app)
    assert results(notify(app, prom)) == [("suppressed", None)]
    app.clock.advance(timedelta(minutes=10))
    assert results(notify(app, prom, status="resolved")) == [("resolved", None)]
    (alert,) = alerts(app)
    assert alert["status"] == "resolved"
    assert alert["resolved_at"] is not None
    assert alerts(app, status="open") == []
    app.clock.advance(timedelta(hours=2))
    assert results(notify(app, prom, status="resolved")) == [("dropped", None)]
    assert incidents(app) == []


def test_a_window_for_another_service_does_not_suppress(app: RunningApp, prom: str) -> None:
    window(app, service="db")
    assert results(notify(app, prom)) == [("created", "INC-1")]
    assert alerts(app, status="suppressed") == []
    assert [i["id"] for i in incidents(app)] == ["INC-1"]


def test_the_routed_service_is_the_one_in_maintenance(app: RunningApp, prom: str) -> None:
    """The api integration's alert routed to db (team=dba) is held by db's window, not api's."""
    db_window = window(app, service="db")
    delivery = notify(app, prom, fingerprint="dba-1", labels={"alertname": "DatabaseConnectionFailures", "team": "dba"})
    assert results(delivery) == [("suppressed", None)]
    (alert,) = alerts(app, status="suppressed")
    assert alert["service"] == "db" and alert["suppressed_by_maintenance"] == db_window["id"]
    assert results(notify(app, prom)) == [("created", "INC-1")]  # api is not in maintenance


def test_a_window_that_starts_later_does_not_suppress_yet(app: RunningApp, prom: str) -> None:
    start = app.clock.now() + timedelta(minutes=30)
    later = window(app, hours=2, starts_at=iso(start))
    assert later["active"] is False
    assert results(notify(app, prom, fingerprint="early")) == [("created", "INC-1")]
    app.clock.set(start)
    assert results(notify(app, prom, fingerprint="late", labels={"alertname": "Other"})) == [("suppressed", None)]


def test_ending_a_window_early_stops_suppression_at_once(app: RunningApp, prom: str) -> None:
    maintenance = window(app)
    assert results(notify(app, prom)) == [("suppressed", None)]
    app.clock.advance(timedelta(minutes=5))
    response = app.call("POST", f"/api/v1/maintenance/{maintenance['id']}/end")
    assert response.status_code == 200, response.text
    ended = response.json()
    assert ended["active"] is False
    assert ended["ended_at"] == ended["starts_at"].replace("09:00:00", "09:05:00")
    assert app.call("GET", "/api/v1/maintenance").json() == []

    assert results(notify(app, prom)) == [("created", "INC-1")]  # same instant: the repeat counts now
    texts = [e["text"] for e in timeline(app, "INC-1")]
    assert any("still firing after maintenance" in text for text in texts)
    assert results(notify(app, prom, fingerprint="new", labels={"alertname": "Other"})) == [("created", "INC-2")]

    again = app.call("POST", f"/api/v1/maintenance/{maintenance['id']}/end")
    assert again.status_code == 409
    assert "already over" in again.json()["detail"]


def test_ending_needs_a_responder_and_an_existing_window(app: RunningApp) -> None:
    maintenance = window(app)
    before = app.snapshot()
    assert app.call("POST", f"/api/v1/maintenance/{maintenance['id']}/end", who="viewer").status_code == 403
    assert app.call("POST", "/api/v1/maintenance/999/end").status_code == 404
    assert app.call("POST", "/api/v1/maintenance", who="viewer", json={}).status_code == 403
    assert app.snapshot() == before


BAD_WINDOWS: list[tuple[str, dict[str, str], str, str]] = [
    # (case, fields changed from a good body, field named, words in its reason)
    (
        "ends before it starts",
        {"starts_at": "2026-01-05T11:00:00Z", "ends_at": "2026-01-05T10:00:00Z"},
        "ends_at",
        "must be after starts_at",
    ),
    ("ends when it starts", {"ends_at": "2026-01-05T09:00:00Z"}, "ends_at", "must be after starts_at"),
    (
        "ends in the past",
        {"starts_at": "2026-01-05T07:00:00Z", "ends_at": "2026-01-05T08:00:00Z"},
        "ends_at",
        "is in the past",
    ),
    ("longer than a month", {"ends_at": "2026-03-01T09:00:00Z"}, "ends_at", "at most 31 days"),
    ("unknown service", {"service": "payments"}, "service", "unknown service 'payments'"),
    ("naive ends_at", {"ends_at": "2026-01-05T10:00:00"}, "ends_at", "give a time zone"),
    ("naive starts_at", {"starts_at": "2026-01-05T09:30:00"}, "starts_at", "give a time zone"),
    ("not a time", {"ends_at": "tomorrow"}, "ends_at", ""),
    ("empty reason", {"reason": "  "}, "reason", ""),
    ("unknown field", {"team": "dba"}, "team", "unknown field"),
]


def test_bad_windows_are_refused_and_store_nothing(app: RunningApp) -> None:
    """One app for every case (they share nothing): each is refused with 422 naming its field."""
    good = {"service": "api", "ends_at": "2026-01-05T10:00:00Z", "reason": "db upgrade"}
    before = app.snapshot()
    for name, body, field, reason in BAD_WINDOWS:
        response = app.call("POST", "/api/v1/maintenance", json={**good, **body})
        assert response.status_code == 422, f"{name}: {response.text}"
        assert response.headers["content-type"] == PROBLEM, name
        errors = response.json()["errors"]
        assert {e["field"] for e in errors} == {field}, name
        assert any(reason in e["reason"] for e in errors), name
        assert app.snapshot() == before, name


def test_missing_fields_are_named(app: RunningApp) -> None:
    before = app.snapshot()
    response = app.call("POST", "/api/v1/maintenance", json={})
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == ["ends_at", "reason", "service"]
    assert app.snapshot() == before
