"""`POST /v2/enqueue` behaves as PagerDuty documents it, and a PagerDuty client works unchanged."""

from __future__ import annotations

import json
import ssl
from datetime import timedelta
from pathlib import Path
from typing import Any

import pagerduty
import pytest
import trustme

from tests.harness.alerting import create_integration
from tests.harness.app import RunningApp
from tests.harness.server import ThreadedServer
from warroom.api.app import create_app


def event(key: str, action: str = "trigger", dedup: str | None = "disk-full-db1", **payload: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"routing_key": key, "event_action": action}
    if dedup is not None:
        body["dedup_key"] = dedup
    if action == "trigger":
        body["payload"] = {"summary": "Disk 95% full on db-1", "source": "db-1", "severity": "critical", **payload}
    return body


def alerts(app: RunningApp, **params: str) -> list[dict[str, Any]]:
    response = app.call("GET", "/api/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def incidents(app: RunningApp) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = app.call("GET", "/api/v1/incidents").json()["items"]
    return items


def test_trigger_answers_like_pagerduty_and_opens_an_incident(alerting: RunningApp) -> None:
    key = create_integration(alerting, "events_v2")
    response = alerting.client.post("/v2/enqueue", json=event(key, custom_details={"free_gb": 2}))
    assert response.status_code == 202
    assert response.json() == {"status": "success", "message": "Event processed", "dedup_key": "disk-full-db1"}
    [alert] = alerts(alerting)
    assert alert["status"] == "triggered" and alert["incident"] == "INC-1"
    assert alert["source_severity"] == "critical" and alert["details"] == {"free_gb": 2}
    incident = alerting.call("GET", "/api/v1/incidents/INC-1").json()
    # critical -> sev1 by the playbook's source_severities, not by code
    assert incident["severity_label"] == "SEV-1" and incident["services"] == ["api"]
    assert "source severity critical -> SEV-1" in incident["triage_reason"]
    kinds = [e["kind"] for e in alerting.call("GET", "/api/v1/incidents/INC-1/timeline").json()]
    assert kinds == ["declared", "paged", "alert_triggered"]  # the alert pages the on-call at once


def test_same_dedup_key_attaches_while_open_and_opens_anew_after_resolve(alerting: RunningApp) -> None:
    key = create_integration(alerting, "events_v2")
    for _ in range(3):
        assert alerting.client.post("/v2/enqueue", json=event(key)).status_code == 202
    [alert] = alerts(alerting)
    assert alert["event_count"] == 3 and len(incidents(alerting)) == 1

    alerting.clock.advance(timedelta(minutes=1))
    ack = alerting.client.post("/v2/enqueue", json=event(key, "acknowledge"))
    assert ack.status_code == 202 and ack.json()["dedup_key"] == "disk-full-db1"
    incident = alerting.call("GET", "/api/v1/incidents/INC-1").json()
    assert incident["acknowledged_by"] == "integration:events-v2"
    assert incident["durations"]["time_to_acknowledge_seconds"] == 60

    # An acknowledged alert does not notify again: a repeat trigger attaches, nothing new opens.
    assert alerting.client.post("/v2/enqueue", json=event(key)).status_code == 202
    assert len(incidents(alerting)) == 1 and alerts(alerting)[0]["status"] == "acknowledged"

    assert alerting.client.post("/v2/enqueue", json=event(key, "resolve")).status_code == 202
    [alert] = alerts(alerting)
    assert alert["status"] == "resolved"
    # all alerts resolved -> monitoring, as the fixture playbook says
    assert alerting.call("GET", "/api/v1/incidents/INC-1").json()["status"] == "monitoring"

    # After resolve, the same key opens a new alert; the incident is still open (monitoring), same group.
    assert alerting.client.post("/v2/enqueue", json=event(key)).status_code == 202
    items = alerts(alerting)
    assert len(items) == 2 and items[0]["status"] == "triggered" and items[0]["incident"] == "INC-1"
    assert alerting.call("GET", "/api/v1/incidents/INC-1").json()["status"] == "investigating"


def test_missing_dedup_key_gets_a_generated_one_and_a_new_alert_each_time(alerting: RunningApp) -> None:
    key = create_integration(alerting, "events_v2", grouping="alert")
    first = alerting.client.post("/v2/enqueue", json=event(key, dedup=None)).json()["dedup_key"]
    second = alerting.client.post("/v2/enqueue", json=event(key, dedup=None)).json()["dedup_key"]
    assert first != second and len(first) == 32
    assert len(alerts(alerting)) == 2 and len(incidents(alerting)) == 2


def test_acknowledge_or_resolve_of_nothing_open_is_accepted_and_dropped(alerting: RunningApp) -> None:
    key = create_integration(alerting, "events_v2")
    before = alerting.snapshot()
    for action in ("acknowledge", "resolve"):
        response = alerting.client.post("/v2/enqueue", json=event(key, action, dedup="never-triggered"))
        assert response.status_code == 202 and response.json()["dedup_key"] == "never-triggered"
    assert alerting.snapshot() == before


def test_payload_group_groups_alerts_and_links_images_and_timestamp_are_kept(alerting: RunningApp) -> None:
    key = create_integration(alerting, "events_v2")
    extra = {
        "links": [{"href": "https://grafana.example.com/d/db", "text": "Dashboard"}],
        "images": [{"src": "https://grafana.example.com/render/db.png", "alt": "disk"}],
        "client": "Nagios",
        "client_url": "https://nagios.example.com/host/db-1",
    }
    first = {**event(key, dedup="a", group="db-cluster", timestamp="2026-01-05T08:50:00+00:00"), **extra}
    assert alerting.client.post("/v2/enqueue", json=first).status_code == 202
    assert alerting.client.post("/v2/enqueue", json=event(key, dedup="b", group="db-cluster")).status_code == 202
    assert alerting.client.post("/v2/enqueue", json=event(key, dedup="c", group="web")).status_code == 202
    assert {a["dedup_key"]: a["incident"] for a in alerts(alerting)} == {"a": "INC-1", "b": "INC-1", "c": "INC-2"}
    incident = alerting.call("GET", "/api/v1/incidents/INC-1").json()
    assert incident["started_at"] == "2026-01-05T08:50:00Z"  # impact began before we heard of it
    assert {link["url"] for link in incident["links"]} == {
        "https://grafana.example.com/d/db",
        "https://nagios.example.com/host/db-1",
    }
    alert = alerts(alerting, integration="events-v2", q="disk")[-1]
    assert alert["images"] == [{"src": "https://grafana.example.com/render/db.png", "alt": "disk"}]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "body: not valid JSON"),
        (b"[1, 2]", "body: must be a JSON object"),
        ({"event_action": "trigger"}, "routing_key: Field required"),
        ({"event_action": "explode"}, "event_action: Input should be 'trigger', 'acknowledge' or 'resolve'"),
        ({"event_action": "trigger"}, "payload is required to trigger"),
        ({"event_action": "resolve"}, "dedup_key is required to resolve"),
        ({"event_action": "trigger", "payload": {"source": "x", "severity": "critical"}}, "payload.summary"),
        ({"event_action": "trigger", "payload": {"summary": "x", "source": "x", "severity": "fatal"}}, "severity"),
        ({"event_action": "trigger", "payload": {"summary": "x" * 1025, "source": "x", "severity": "info"}}, "1024"),
        ({"event_action": "trigger", "dedup_key": "k" * 256, "payload": {}}, "dedup_key"),
        (
            {"event_action": "trigger", "payload": {"summary": "x", "source": "x", "severity": "info", "timestamp": 5}},
            "payload.timestamp",
        ),
    ],
)
def test_invalid_events_get_pagerdutys_400_and_store_nothing(alerting: RunningApp, body: Any, error: str) -> None:
    key = create_integration(alerting, "events_v2")
    if isinstance(body, dict) and error != "routing_key: Field required":
        body = {"routing_key": key, **body}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    before = alerting.snapshot()
    response = alerting.client.post("/v2/enqueue", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["status"] == "invalid event" and answer["message"] == "Event object is invalid"
    assert any(error in item for item in answer["errors"]), answer["errors"]
    assert alerting.snapshot() == before


def test_unknown_routing_key_oversize_body_and_wrong_kind_are_refused(alerting: RunningApp) -> None:
    am_key = create_integration(alerting, "alertmanager")
    key = create_integration(alerting, "events_v2")
    before = alerting.snapshot()
    response = alerting.client.post("/v2/enqueue", json=event("0" * 32))
    assert response.status_code == 400 and "no enabled Events API v2 integration" in response.json()["errors"][0]
    response = alerting.client.post("/v2/enqueue", json=event(am_key))
    assert response.status_code == 400 and "alertmanager integration" in response.json()["errors"][0]
    huge = event(key, custom_details={"blob": "x" * (512 * 1024)})
    response = alerting.client.post("/v2/enqueue", json=huge)
    assert response.status_code == 400 and response.json()["errors"] == ["body: over the 512 KB limit"]
    assert alerting.snapshot() == before
    # Disabling an integration refuses its key at once.
    alerting.call("POST", "/api/v1/integrations/events-v2/disable", who="admin")
    assert alerting.client.post("/v2/enqueue", json=event(key)).status_code == 400


def test_an_unmodified_pagerduty_client_triggers_acknowledges_and_resolves(
    alerting: RunningApp, tmp_path: Path
) -> None:
    """The `pagerduty` package from PyPI, over real HTTP on loopback; only its base URL changes."""
    key = create_integration(alerting, "events_v2")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    trust = ssl.create_default_context()
    authority.configure_trust(trust)
    # The client insists on https://, as against PagerDuty itself: serve TLS with a test CA it trusts.
    with ThreadedServer(create_app(alerting.warroom), tls=(str(cert_file), str(key_file))) as server:
        client = pagerduty.EventsApiV2Client(key, base_url=server.url, verify=trust)
        dedup = client.trigger(
            "Checkout latency p95 2.4s", "checkout-1", severity="error", custom_details={"p95_ms": 2400}
        )
        assert dedup
        assert client.trigger("Checkout latency p95 2.6s", "checkout-1", dedup_key=dedup, severity="error") == dedup
        [alert] = alerts(alerting)
        assert alert["dedup_key"] == dedup and alert["event_count"] == 2 and alert["severity"] == "sev2"
        client.acknowledge(dedup)
        assert alerts(alerting)[0]["status"] == "acknowledged"
        assert alerting.call("GET", "/api/v1/incidents/INC-1").json()["acknowledged_at"] is not None
        client.resolve(dedup)
        assert alerts(alerting)[0]["status"] == "resolved"
        assert alerting.call("GET", "/api/v1/incidents/INC-1").json()["status"] == "monitoring"
        stranger = pagerduty.EventsApiV2Client("f" * 32, base_url=server.url, verify=trust)
        with stranger, pytest.raises(Exception, match="400"):
            stranger.trigger("x", "y")
        client.close()
