"""The ingest doors: Alertmanager grouping, dedup and all-clear; Grafana, Sentry and generic JSON; bad input."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine

from tests.harness.alerting import alerting_playbook, am_alert, am_notification, create_integration
from tests.harness.app import RunningApp, start_app
from warroom.playbook.schema import AllClear


def post_am(app: RunningApp, key: str, body: dict[str, Any]) -> dict[str, Any]:
    response = app.client.post(f"/ingest/{key}/alertmanager", json=body)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def incident(app: RunningApp, ref: str = "INC-1") -> dict[str, Any]:
    answer: dict[str, Any] = app.call("GET", f"/api/v1/incidents/{ref}").json()
    return answer


def timeline_kinds(app: RunningApp, ref: str = "INC-1") -> list[str]:
    return [event["kind"] for event in app.call("GET", f"/api/v1/incidents/{ref}/timeline").json()]


def test_one_group_is_one_incident_repeats_page_nobody_and_each_alert_resolves_itself(alerting: RunningApp) -> None:
    key = create_integration(alerting, "alertmanager")
    answer = post_am(alerting, key, am_notification(am_alert("a1"), am_alert("a2")))
    assert [a["result"] for a in answer["alerts"]] == ["created", "attached"] and answer["incidents"] == ["INC-1"]
    opened = incident(alerting)
    assert opened["detection_source"] == "alert" and opened["runbooks"] == ["high-error-rate"]
    assert opened["severity_label"] == "SEV-2"  # the HighErrorRate runbook's default: no error rate label given
    assert opened["started_at"] == "2026-01-05T08:55:00Z"  # startsAt: impact began before detection

    alerting.clock.advance(timedelta(hours=4))  # Alertmanager's repeat_interval re-sends the same group
    before = alerting.call("GET", "/api/v1/incidents/INC-1/timeline").json()
    answer = post_am(alerting, key, am_notification(am_alert("a1"), am_alert("a2")))
    assert [a["result"] for a in answer["alerts"]] == ["repeat", "repeat"]
    assert alerting.call("GET", "/api/v1/incidents/INC-1/timeline").json() == before
    alerts = alerting.call("GET", "/api/v1/alerts").json()["items"]
    assert {a["event_count"] for a in alerts} == {2} and {a["last_seen_at"] for a in alerts} == {"2026-01-05T13:00:00Z"}

    # One alert resolves (the notification still carries the firing one): the incident stays open.
    post_am(alerting, key, am_notification(am_alert("a1", "resolved"), am_alert("a2")))
    assert incident(alerting)["status"] == "investigating"
    # The last one resolves: all clear -> monitoring (the fixture playbook's on_all_resolved).
    post_am(alerting, key, am_notification(am_alert("a2", "resolved")))
    assert incident(alerting)["status"] == "monitoring"
    # An HA pair sends the same "resolved" again: nothing changes.
    snapshot = alerting.snapshot()
    answer = post_am(alerting, key, am_notification(am_alert("a2", "resolved")))
    assert answer["alerts"][0]["result"] == "dropped" and alerting.snapshot() == snapshot
    assert timeline_kinds(alerting).count("alert_resolved") == 2


@pytest.mark.parametrize(("rule", "status"), [(AllClear.RESOLVED, "resolved"), (AllClear.NOTHING, "investigating")])
def test_all_clear_does_what_the_playbook_says(database_url: str, rule: AllClear, status: str) -> None:
    app = start_app(database_url, playbook=alerting_playbook(on_all_resolved=rule))
    try:
        key = create_integration(app, "alertmanager")
        post_am(app, key, am_notification(am_alert("a1")))
        post_am(app, key, am_notification(am_alert("a1", "resolved")))
        assert incident(app)["status"] == status
        if status == "resolved":
            # The group closed with its incident: the alert firing again opens a new incident.
            answer = post_am(app, key, am_notification(am_alert("a1")))
            assert answer["alerts"][0]["result"] == "created" and answer["incidents"] == ["INC-2"]
    finally:
        app.warroom.close()


def test_routes_pick_service_and_severity_and_triage_reads_alert_values(alerting: RunningApp) -> None:
    key = create_integration(alerting, "alertmanager")
    post_am(alerting, key, am_notification(am_alert("p1", env="prod", error_rate="12"), group="prod"))
    opened = incident(alerting)
    assert opened["severity_label"] == "SEV-1" and "error rate by value" in opened["triage_reason"]
    post_am(
        alerting, key, am_notification(am_alert("d1", team="dba", alertname="DatabaseConnectionFailures"), group="db")
    )
    db = incident(alerting, "INC-2")
    assert db["services"] == ["db"] and db["runbooks"] == ["db-connections"] and db["severity_label"] == "SEV-1"
    post_am(alerting, key, am_notification(am_alert("b1", job="batch-nightly", alertname="JobFailed"), group="b"))
    batch = incident(alerting, "INC-3")
    assert batch["services"] == ["batch"] and batch["severity_label"] == "SEV-3"
    post_am(alerting, key, am_notification(am_alert("u1", alertname="Unknown"), group="u"))
    unknown = incident(alerting, "INC-4")
    assert unknown["severity_needs_confirmation"] is True and "no rule matched" in unknown["triage_reason"]


def test_grouping_by_alert_and_by_integration(alerting: RunningApp) -> None:
    per_alert = create_integration(alerting, "alertmanager", key="per-alert", grouping="alert")
    post_am(alerting, per_alert, am_notification(am_alert("x1"), am_alert("x2")))
    assert len(alerting.call("GET", "/api/v1/incidents").json()["items"]) == 2
    whole = create_integration(alerting, "alertmanager", key="whole", grouping="integration")
    post_am(alerting, whole, am_notification(am_alert("y1"), group="g1"))
    post_am(alerting, whole, am_notification(am_alert("y2"), group="g2"))
    assert len(alerting.call("GET", "/api/v1/incidents").json()["items"]) == 3


def test_truncated_alerts_are_recorded_on_the_timeline(alerting: RunningApp) -> None:
    key = create_integration(alerting, "alertmanager")
    post_am(alerting, key, am_notification(am_alert("t1"), truncated=7))
    events = alerting.call("GET", "/api/v1/incidents/INC-1/timeline").json()
    [note] = [e for e in events if e["kind"] == "alerts_truncated"]
    assert "left out 7 alert(s)" in note["text"]


def test_a_new_alert_on_an_incident_in_monitoring_reopens_the_investigation(alerting: RunningApp) -> None:
    key = create_integration(alerting, "alertmanager")
    post_am(alerting, key, am_notification(am_alert("m1")))
    post_am(alerting, key, am_notification(am_alert("m1", "resolved")))
    assert incident(alerting)["status"] == "monitoring"
    answer = post_am(alerting, key, am_notification(am_alert("m2")))
    assert answer["alerts"][0]["result"] == "attached"
    assert incident(alerting)["status"] == "investigating"


def test_alerts_are_listed_and_searched_with_their_incident(alerting: RunningApp) -> None:
    key = create_integration(alerting, "alertmanager")
    post_am(alerting, key, am_notification(am_alert("s1"), am_alert("s2")))
    post_am(alerting, key, am_notification(am_alert("s1", "resolved"), am_alert("s2")))
    page = alerting.call("GET", "/api/v1/alerts", who="viewer", params={"status": "open"}).json()
    assert [a["dedup_key"] for a in page["items"]] == ["s2"] and page["items"][0]["incident"] == "INC-1"
    page = alerting.call("GET", "/api/v1/alerts", params={"incident": "INC-1", "limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = alerting.call("GET", "/api/v1/alerts", params={"incident": "INC-1", "cursor": page["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert alerting.call("GET", "/api/v1/alerts", params={"q": "api-s1"}).json()["items"][0]["dedup_key"] == "s1"
    one = alerting.call("GET", f"/api/v1/alerts/{page['items'][0]['id']}").json()
    assert one["labels"]["alertname"] == "HighErrorRate" and one["links"][0]["text"] == "Source"
    assert alerting.call("GET", "/api/v1/alerts/999").status_code == 404
    assert alerting.call("GET", "/api/v1/alerts", params={"status": "weird"}).status_code == 422
    # The secret key never comes back after creation.
    listed = alerting.call("GET", "/api/v1/integrations").json()
    assert key not in json.dumps(listed) and listed[0]["key_prefix"] == key[:8]


# ---- Grafana, Sentry, generic through the door --------------------------------------------------------


def grafana_body() -> dict[str, Any]:
    alert = am_alert("g1")
    alert.update(dashboardURL="https://grafana.example.com/d/x", values={"B": 12.5})
    return {**am_notification(alert), "version": "1", "orgId": 1, "title": "[FIRING:1]", "state": "alerting"}


def test_grafana_with_hmac_signature(alerting: RunningApp) -> None:
    key = create_integration(alerting, "grafana", signing_secret="grafana-shared-secret")
    body = json.dumps(grafana_body()).encode()
    signature = hmac.new(b"grafana-shared-secret", body, hashlib.sha256).hexdigest()
    before = alerting.snapshot()
    bad = alerting.client.post(
        f"/ingest/{key}/grafana", content=body, headers={"X-Grafana-Alerting-Signature": "0" * 64}
    )
    assert bad.status_code == 401 and bad.json()["title"] == "Bad signature"
    missing = alerting.client.post(f"/ingest/{key}/grafana", content=body)
    assert missing.status_code == 401
    assert alerting.snapshot() == before
    good = alerting.client.post(
        f"/ingest/{key}/grafana", content=body, headers={"X-Grafana-Alerting-Signature": signature}
    )
    assert good.status_code == 202 and good.json()["incidents"] == ["INC-1"]


def test_sentry_metric_alert_triggers_and_resolves(alerting: RunningApp) -> None:
    key = create_integration(alerting, "sentry", signing_secret="sentry-client-secret")

    def send(action: str) -> Any:
        body = json.dumps(
            {
                "action": action,
                "installation": {"uuid": "7a485448-a9e2-4c85-8a3c-4f44175783c9"},
                "data": {
                    "metric_alert": {"id": "1234", "alert_rule": {"name": "Error spike"}},
                    "description_title": "Error spike: 512 errors in 5 minutes",
                    "description_text": "Critical threshold crossed",
                    "web_url": "https://sentry.io/organizations/acme/alerts/rules/details/1234/",
                },
                "actor": {"type": "application", "id": "sentry", "name": "Sentry"},
            }
        ).encode()
        signature = hmac.new(b"sentry-client-secret", body, hashlib.sha256).hexdigest()
        headers = {"Sentry-Hook-Resource": "metric_alert", "Sentry-Hook-Signature": signature}
        return alerting.client.post(f"/ingest/{key}/sentry", content=body, headers=headers)

    assert send("critical").status_code == 202
    assert incident(alerting)["severity_label"] == "SEV-1"  # critical -> sev1 via source_severities
    assert send("resolved").status_code == 202
    assert incident(alerting)["status"] == "monitoring"


def test_generic_json_with_a_mapping(alerting: RunningApp) -> None:
    mapping = {
        "summary": "{{ body.check }} failed on {{ body.host }}",
        "dedup_key": "$.id",
        "status": "$.state",
        "severity": "$.level",
    }
    key = create_integration(alerting, "generic", mapping=mapping)
    sent = {"id": "chk-9", "check": "HTTP", "host": "web-3", "state": "CRITICAL", "level": "warning"}
    response = alerting.client.post(f"/ingest/{key}/generic", json=sent)
    assert response.status_code == 202
    assert incident(alerting)["title"] == "HTTP failed on web-3" and incident(alerting)["severity_label"] == "SEV-3"
    response = alerting.client.post(f"/ingest/{key}/generic", json={**sent, "state": "OK"})
    assert response.json()["alerts"][0]["result"] == "resolved"
    bad = alerting.call(
        "POST",
        "/api/v1/integrations",
        who="admin",
        json={"key": "bad", "name": "Bad", "kind": "generic", "service": "api", "mapping": {"summary": "$.[["}},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "mapping"


# ---- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{nope", "body"),
        (b'"a string"', "body"),
        (json.dumps({**am_notification(am_alert("z")), "version": "3"}).encode(), "version"),
        (json.dumps({**am_notification(am_alert("z")), "alerts": []}).encode(), "alerts"),
        (json.dumps(am_notification({**am_alert("z"), "fingerprint": ""})).encode(), "alerts[0].fingerprint"),
        (json.dumps(am_notification({**am_alert("z"), "status": "burning"})).encode(), "alerts[0].status"),
        (json.dumps(am_notification({**am_alert("z"), "labels": {"a": 1}})).encode(), "alerts[0].labels.a"),
    ],
)
def test_bad_alertmanager_payloads_get_400_naming_the_field_and_store_nothing(
    alerting: RunningApp, content: bytes, field: str
) -> None:
    key = create_integration(alerting, "alertmanager")
    before = alerting.snapshot()
    response = alerting.client.post(
        f"/ingest/{key}/alertmanager", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]], response.json()
    assert alerting.snapshot() == before


def test_unknown_key_wrong_format_and_oversize_body(alerting: RunningApp) -> None:
    key = create_integration(alerting, "alertmanager")
    body = am_notification(am_alert("k"))
    before = alerting.snapshot()
    assert alerting.client.post(f"/ingest/{'0' * 32}/alertmanager", json=body).status_code == 404
    wrong = alerting.client.post(f"/ingest/{key}/grafana", json=body)
    assert wrong.status_code == 404 and "/ingest/{key}/alertmanager" in wrong.json()["detail"]
    assert alerting.client.post(f"/ingest/{key}/nagios", json=body).status_code == 404
    huge = {**body, "commonAnnotations": {"blob": "x" * (2 * 1024 * 1024)}}
    assert alerting.client.post(f"/ingest/{key}/alertmanager", json=huge).status_code == 413
    assert alerting.snapshot() == before
    assert alerting.call("POST", "/api/v1/integrations", who="responder", json={}).status_code == 403
    duplicate = alerting.call(
        "POST",
        "/api/v1/integrations",
        who="admin",
        json={"key": "alertmanager", "name": "x", "kind": "alertmanager", "service": "api"},
    )
    assert duplicate.status_code == 409
    unknown_service = alerting.call(
        "POST",
        "/api/v1/integrations",
        who="admin",
        json={"key": "n", "name": "n", "kind": "alertmanager", "service": "nope"},
    )
    assert unknown_service.status_code == 422 and unknown_service.json()["errors"][0]["field"] == "service"


def test_store_down_answers_503_so_senders_retry_and_nothing_is_half_written(
    alerting: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    key = create_integration(alerting, "alertmanager")
    pd_key = create_integration(alerting, "events_v2")
    pd_event = {
        "routing_key": pd_key,
        "event_action": "trigger",
        "dedup_key": "pd-1",
        "payload": {"summary": "s", "source": "s", "severity": "info"},
    }
    body = am_notification(am_alert("d1"))
    # Warm the key cache: with the store down, only the write can fail.
    post_am(alerting, key, am_notification(am_alert("warm")))
    assert alerting.client.post("/v2/enqueue", json={**pd_event, "dedup_key": "warm"}).status_code == 202
    before = alerting.snapshot()
    database = alerting.warroom.db
    working = database.engine
    # Nothing listens on port 9: every connection is refused, as when the database host is down.
    database.engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none", pool_pre_ping=False)
    try:
        response = alerting.client.post(f"/ingest/{key}/alertmanager", json=body)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert alerting.client.post("/v2/enqueue", json=pd_event).status_code == 503
    finally:
        database.engine.dispose()
        database.engine = working
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors and all(key not in record.getMessage() for record in errors)  # secrets stay out of logs
    assert "/ingest/{key}/{kind}" in errors[0].getMessage()
    for record in errors:
        record.expected = True  # type: ignore[attr-defined]
    assert alerting.snapshot() == before
    # The senders retry once the store is back: accepted, and counted once.
    assert post_am(alerting, key, body)["alerts"][0]["result"] == "attached"
    assert alerting.client.post("/v2/enqueue", json=pd_event).status_code == 202
    stored = alerting.call("GET", "/api/v1/alerts", params={"integration": "events-v2"}).json()["items"]
    assert [a["dedup_key"] for a in stored] == ["pd-1", "warm"]
