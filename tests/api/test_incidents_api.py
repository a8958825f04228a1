"""The incident API end to end, on SQLite and PostgreSQL, on a manual clock."""

from __future__ import annotations

from datetime import timedelta

from tests.harness.app import RunningApp


def declare(app: RunningApp, **body: object) -> dict:
    body.setdefault("title", "Checkout failing")
    response = app.call("POST", "/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_declare_with_facts_takes_triage_suggestion(running: RunningApp) -> None:
    incident = declare(running, impact={"error_rate_pct": 12})
    assert incident["id"] == "INC-1"
    assert incident["severity"] == "sev1"
    assert incident["triage_reason"] == "error rate 12% > 5% -> SEV-1"
    assert incident["status"] == "investigating"
    assert incident["severity_needs_confirmation"] is False


def test_no_rule_matched_takes_default_and_is_flagged(running: RunningApp) -> None:
    incident = declare(running, impact={"error_rate_pct": 5})
    assert incident["severity"] == "sev2"
    assert incident["triage_reason"] == "no rule matched -> SEV-2"
    assert incident["severity_needs_confirmation"] is True


def test_full_lifecycle_stamps_and_durations(running: RunningApp) -> None:
    start = running.clock.now()
    incident = declare(running, severity="SEV-1", started_at=(start - timedelta(minutes=10)).isoformat())
    ref = incident["id"]
    running.clock.advance(timedelta(minutes=4))
    assert running.call("POST", f"/api/v1/incidents/{ref}/acknowledge").status_code == 200
    running.clock.advance(timedelta(minutes=6))
    assert running.call("POST", f"/api/v1/incidents/{ref}/status", json={"status": "identified"}).status_code == 200
    running.clock.advance(timedelta(minutes=10))
    body = running.call("POST", f"/api/v1/incidents/{ref}/status", json={"status": "monitoring"}).json()
    assert body["mitigated_at"] is not None
    running.clock.advance(timedelta(minutes=30))
    body = running.call("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": "rolled back"}).json()
    assert body["status"] == "resolved"
    assert body["durations"] == {
        "duration_seconds": 60 * 60,  # resolved - started
        "time_to_detect_seconds": 10 * 60,  # detected - started
        "time_to_acknowledge_seconds": 4 * 60,  # acknowledged - triggered
        "time_to_mitigate_seconds": 20 * 60,  # mitigated - detected
        "time_to_resolve_seconds": 50 * 60,  # resolved - detected
    }
    body = running.call("POST", f"/api/v1/incidents/{ref}/close").json()
    assert body["status"] == "closed" and body["can_reopen"] is True
    body = running.call("POST", f"/api/v1/incidents/{ref}/reopen", json={"reason": "it came back"}).json()
    assert body["status"] == "investigating" and body["resolved_at"] is None
    kinds = [e["kind"] for e in running.call("GET", f"/api/v1/incidents/{ref}/timeline").json()]
    assert kinds == [
        "declared",
        "paged",  # the severity's escalation policy pages the on-call at once
        "acknowledged",
        "status_changed",
        "status_changed",
        "status_changed",
        "status_changed",
        "reopened",
        "paged",  # reopened: the policies run again
    ]


def test_invalid_transition_names_allowed_ones(running: RunningApp) -> None:
    ref = declare(running)["id"]
    response = running.call("POST", f"/api/v1/incidents/{ref}/status", json={"status": "closed"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["allowed"] == ["identified", "monitoring", "resolved"]


def test_severity_change_keeps_reason_and_declared_label(running: RunningApp) -> None:
    ref = declare(running, severity="sev2")["id"]
    body = running.call(
        "POST", f"/api/v1/incidents/{ref}/severity", json={"severity": "SEV-1", "reason": "all users now affected"}
    ).json()
    assert body["severity_label"] == "SEV-1"
    assert body["declared_severity_label"] == "SEV-2"
    events = running.call("GET", f"/api/v1/incidents/{ref}/timeline").json()
    [event] = [e for e in events if e["kind"] == "severity_changed"]
    assert event["before"] == {"severity": "sev2", "label": "SEV-2"}
    assert event["after"]["reason"] == "all users now affected"
    assert "upgraded SEV-2 -> SEV-1" in event["text"]


def test_roles_notes_pins_and_exports(running: RunningApp) -> None:
    ref = declare(running)["id"]
    body = running.call("PUT", f"/api/v1/incidents/{ref}/roles/incident_commander", json={"person": "alice"}).json()
    assert body["roles"][0]["person"] == "alice" and "alice" in body["participants"]
    bad = running.call("PUT", f"/api/v1/incidents/{ref}/roles/janitor", json={"person": "bob"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "role"
    note = running.call("POST", f"/api/v1/incidents/{ref}/notes", json={"text": "=cmd|' /C calc'!A0, rolled back"})
    assert note.status_code == 201
    pinned = running.call("POST", f"/api/v1/incidents/{ref}/timeline/{note.json()['id']}/pin", json={"pinned": True})
    assert pinned.json()["pinned"] is True
    markdown = running.call("GET", f"/api/v1/incidents/{ref}/timeline?format=md").text
    assert "| Incident Commander: alice | responder |" in markdown
    csv_text = running.call("GET", f"/api/v1/incidents/{ref}/timeline?format=csv").text
    assert csv_text.splitlines()[0] == "id,incident,at,actor,kind,text,before,after,pinned"
    assert "'=cmd" in csv_text  # formula neutralised
    body = running.call("DELETE", f"/api/v1/incidents/{ref}/roles/incident_commander").json()
    assert body["roles"] == []


def test_list_filters_and_pagination(running: RunningApp) -> None:
    for index in range(5):
        declare(running, title=f"incident {index}", severity="sev1" if index % 2 else "sev2")
        running.clock.advance(timedelta(hours=1))
    page = running.call("GET", "/api/v1/incidents?limit=2").json()
    assert [item["id"] for item in page["items"]] == ["INC-5", "INC-4"]
    page2 = running.call("GET", f"/api/v1/incidents?limit=2&cursor={page['next_cursor']}").json()
    assert [item["id"] for item in page2["items"]] == ["INC-3", "INC-2"]
    sev1 = running.call("GET", "/api/v1/incidents?severity=sev1").json()["items"]
    assert {item["id"] for item in sev1} == {"INC-2", "INC-4"}
    running.call("POST", "/api/v1/incidents/INC-1/resolve")
    resolved = running.call("GET", "/api/v1/incidents?status=resolved").json()["items"]
    assert [item["id"] for item in resolved] == ["INC-1"]
    since = (running.clock.now() - timedelta(hours=2, minutes=30)).isoformat().replace("+00:00", "Z")
    recent = running.call("GET", "/api/v1/incidents", params={"since": since}).json()["items"]
    assert [item["id"] for item in recent] == ["INC-5", "INC-4"]


def test_private_incident_hidden_from_outsiders(running: RunningApp) -> None:
    ref = declare(running, title="Credential leak", private=True)["id"]
    assert running.call("GET", f"/api/v1/incidents/{ref}", who="outsider").status_code == 404
    assert running.call("GET", "/api/v1/incidents", who="outsider").json()["items"] == []
    assert running.call("GET", f"/api/v1/incidents/{ref}/timeline", who="outsider").status_code == 404
    assert running.call("GET", "/api/v1/incidents?q=leak", who="viewer").json()["items"] == []
    assert running.call("GET", f"/api/v1/incidents/{ref}", who="admin").status_code == 200
    assert running.call("GET", f"/api/v1/incidents/{ref}").status_code == 200  # the declarer participates
    running.call("POST", f"/api/v1/incidents/{ref}/participants", json={"name": "outsider"})
    assert running.call("GET", f"/api/v1/incidents/{ref}", who="outsider").status_code == 200


def test_security_breach_is_private_from_the_start(database_url: str) -> None:
    from tests.harness.app import start_app

    app = start_app(database_url, preset="greenlang")
    try:
        body = app.call(
            "POST", "/api/v1/incidents", json={"title": "Exfiltration", "impact": {"security_breach": True}}
        )
        assert body.status_code == 201, body.text
        assert body.json()["private"] is True
        assert body.json()["severity_label"] == "P0"
    finally:
        app.warroom.close()


def test_update_records_before_and_after(running: RunningApp) -> None:
    ref = declare(running, title="old")["id"]
    body = running.call("PATCH", f"/api/v1/incidents/{ref}", json={"title": "new", "tags": ["db"]}).json()
    assert body["title"] == "new" and body["tags"] == ["db"]
    event = running.call("GET", f"/api/v1/incidents/{ref}/timeline").json()[-1]
    assert event["before"] == {"tags": [], "title": "old"} and event["after"] == {"tags": ["db"], "title": "new"}
    other = declare(running, title="dupe")["id"]
    body = running.call("PATCH", f"/api/v1/incidents/{other}", json={"duplicate_of": ref}).json()
    assert body["duplicate_of"] == ref


def test_audit_log_records_every_mutation(running: RunningApp) -> None:
    ref = declare(running)["id"]
    running.call("POST", f"/api/v1/incidents/{ref}/acknowledge")
    entries = running.call("GET", "/api/v1/audit?subject=incident:1", who="admin").json()
    assert [e["action"] for e in entries] == ["incident.acknowledge", "incident.declare"]
    assert running.call("GET", "/api/v1/audit", who="responder").status_code == 403


def test_playbook_and_triage_endpoints(running: RunningApp) -> None:
    body = running.call("GET", "/api/v1/playbook", who="viewer").json()
    assert body["playbook"]["name"] == "Minimal team"
    answer = running.call("POST", "/api/v1/triage", who="viewer", json={"impact": {"all_users_affected": True}}).json()
    assert answer == {
        "severity": "sev1",
        "severity_label": "SEV-1",
        "reason": "all users affected -> SEV-1",
        "needs_confirmation": False,
    }


def test_health(running: RunningApp) -> None:
    assert running.client.get("/healthz").json() == {"status": "ok"}
    assert running.client.get("/readyz").status_code == 200
    assert running.client.get("/openapi.json").json()["info"]["title"] == "Warroom"


def test_service_filter_pages_correctly(database_url: str) -> None:
    from tests.harness.app import start_app

    app = start_app(database_url, preset="energy-audit")
    try:
        services = [s["key"] for s in app.call("GET", "/api/v1/playbook").json()["playbook"]["services"]][:2]
        assert len(services) == 2
        for index in range(6):
            body = {"title": f"i{index}", "severity": "sev3", "services": [services[index % 2]]}
            assert app.call("POST", "/api/v1/incidents", json=body).status_code == 201
        page = app.call("GET", "/api/v1/incidents", params={"service": services[0], "limit": 2}).json()
        assert [item["id"] for item in page["items"]] == ["INC-5", "INC-3"] and page["next_cursor"] == "3"
        rest = app.call("GET", "/api/v1/incidents", params={"service": services[0], "cursor": "3"}).json()
        assert [item["id"] for item in rest["items"]] == ["INC-1"] and rest["next_cursor"] is None
    finally:
        app.warroom.close()
