"""The v2 JSON validates against schemas written from Statuspage's documented shapes, and means what it means."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.harness.app import RunningApp
from tests.status.harness import ENDPOINTS, indicator, schema_errors, status_app


def get(app: RunningApp, endpoint: str) -> Any:
    response = app.client.get(f"/api/v2/{endpoint}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def call(app: RunningApp, method: str, path: str, json: dict[str, Any]) -> dict[str, Any]:
    response = app.call(method, path, json=json)
    assert response.is_success, response.text
    body: dict[str, Any] = response.json()
    return body


def maintenance(app: RunningApp, name: str, starts_in: timedelta, hours: int, components: list[str]) -> str:
    start = app.clock.now() + starts_in
    body = {
        "name": name,
        "body": f"{name}: planned work.",
        "scheduled_for": start.isoformat(),
        "scheduled_until": (start + timedelta(hours=hours)).isoformat(),
        "components": components,
    }
    return str(call(app, "POST", "/api/v1/status/maintenances", body)["code"])


def ids(body: dict[str, Any], key: str) -> list[str]:
    return [item["id"] for item in body[key]]


def busy_page(app: RunningApp) -> dict[str, str]:
    """Every kind of thing the page can show at once."""
    codes = {}
    old = call(
        app,
        "POST",
        "/api/v1/status/incidents",
        {"name": "Old blip", "body": "Looking.", "components": {"web": "degraded_performance"}},
    )
    call(app, "POST", f"/api/v1/status/incidents/{old['code']}/resolve", {"body": "Gone."})
    codes["resolved"] = old["code"]
    app.clock.advance(timedelta(minutes=5))
    now = call(
        app,
        "POST",
        "/api/v1/status/incidents",
        {"name": "API errors", "body": "Looking.", "components": {"api": "partial_outage"}},
    )
    call(app, "POST", f"/api/v1/status/incidents/{now['code']}/updates", {"status": "identified", "body": "Found it."})
    codes["open"] = now["code"]
    bare = call(
        app, "POST", "/api/v1/status/incidents", {"name": "Slow sign-ups", "body": "Some users.", "impact": "minor"}
    )
    codes["bare"] = bare["code"]
    codes["upcoming"] = maintenance(app, "Mail relay swap", timedelta(days=1), 1, ["email"])
    codes["active"] = maintenance(app, "Database upgrade", timedelta(minutes=1), 2, ["database"])
    codes["done"] = maintenance(app, "Tiny change", timedelta(minutes=1), 1, [])
    app.clock.advance(timedelta(minutes=1))
    app.warroom.engine.run_due()
    call(app, "POST", f"/api/v1/status/maintenances/{codes['done']}/updates", {"status": "completed", "body": "Done."})
    return codes


@pytest.mark.parametrize("busy", [False, True], ids=["empty", "busy"])
def test_every_endpoint_validates_against_its_schema(database_url: str, busy: bool) -> None:
    with status_app(database_url) as app:
        if busy:
            busy_page(app)
        for endpoint in ENDPOINTS:
            assert schema_errors(endpoint, get(app, endpoint)) == [], endpoint


def test_the_schemas_refuse_what_statuspage_would_not_send(database_url: str) -> None:
    with status_app(database_url) as app:
        busy_page(app)
        summary = get(app, "summary.json")
        renamed = {**summary, "status": {"indicator": "none", "desc": "All Systems Operational"}}
        assert schema_errors("summary.json", renamed)
        component = dict(summary["components"][0])
        component["status"] = "down"
        assert schema_errors("components.json", {"page": summary["page"], "components": [component]})
        incident = dict(summary["incidents"][0])
        del incident["shortlink"]
        assert schema_errors("incidents.json", {"page": summary["page"], "incidents": [incident]})
        extra = {**summary["incidents"][0], "internal_ref": "INC-1"}
        assert schema_errors("incidents.json", {"page": summary["page"], "incidents": [extra]})
        maintenance = {**summary["scheduled_maintenances"][0], "scheduled_until": None}
        assert schema_errors(
            "scheduled-maintenances.json", {"page": summary["page"], "scheduled_maintenances": [maintenance]}
        )
        page = {**summary["page"], "updated_at": "2026-01-05 09:00"}
        assert schema_errors("status.json", {"page": page, "status": summary["status"]})


def test_each_list_holds_what_statuspage_puts_in_it(database_url: str) -> None:
    with status_app(database_url) as app:
        codes = busy_page(app)
        assert ids(get(app, "incidents.json"), "incidents") == [codes["bare"], codes["open"], codes["resolved"]]
        assert ids(get(app, "incidents/unresolved.json"), "incidents") == [codes["bare"], codes["open"]]
        assert ids(get(app, "scheduled-maintenances/upcoming.json"), "scheduled_maintenances") == [codes["upcoming"]]
        assert ids(get(app, "scheduled-maintenances/active.json"), "scheduled_maintenances") == [codes["active"]]
        assert set(ids(get(app, "scheduled-maintenances.json"), "scheduled_maintenances")) == {
            codes["upcoming"],
            codes["active"],
            codes["done"],
        }
        summary = get(app, "summary.json")
        assert summary["page"] == get(app, "status.json")["page"]
        assert summary["status"] == get(app, "status.json")["status"]
        assert summary["components"] == get(app, "components.json")["components"]
        assert summary["incidents"] == get(app, "incidents/unresolved.json")["incidents"]
        assert ids(summary, "scheduled_maintenances") == [codes["active"], codes["upcoming"]]
        # The open incident: newest update first, affected components in Statuspage's words.
        (open_incident,) = [i for i in summary["incidents"] if i["id"] == codes["open"]]
        assert [u["status"] for u in open_incident["incident_updates"]] == ["identified", "investigating"]
        assert open_incident["incident_updates"][1]["affected_components"][0]["new_status"] == "partial_outage"
        assert open_incident["incident_updates"][0]["affected_components"] is None
        assert open_incident["impact"] == "major"
        assert [c["name"] for c in open_incident["components"]] == ["Public API"]
        assert open_incident["shortlink"] == f"https://status.example.com/status/incidents/{codes['open']}"
        # A component in partial outage among several, and an incident declared "minor" by hand.
        assert summary["status"] == {"indicator": "minor", "description": "Minor Service Outage"}


def test_groups_nest_one_level_and_show_their_worst_member(database_url: str) -> None:
    with status_app(database_url) as app:
        call(app, "PATCH", "/api/v1/status/components/web", {"status": "partial_outage"})
        body = get(app, "components.json")
        by_name = {c["name"]: c for c in body["components"]}
        platform = by_name["Platform"]
        assert platform["group"] is True and platform["group_id"] is None and platform["status"] == "partial_outage"
        assert platform["components"] == [by_name["Public API"]["id"], by_name["Web app"]["id"]]
        assert by_name["Web app"]["group_id"] == platform["id"] and by_name["Database"]["group_id"] is None
        assert [c["name"] for c in body["components"]] == [
            "Platform",
            "Public API",
            "Web app",
            "Database",
            "Integrations",
            "E-mail delivery",
        ]
        assert {c["page_id"] for c in body["components"]} == {body["page"]["id"]}


def test_page_identity(database_url: str) -> None:
    with status_app(database_url, status_page_name="Acme Status") as app:
        page = get(app, "status.json")["page"]
        assert page["name"] == "Acme Status"
        assert page["url"] == "https://status.example.com/status"
        assert page["time_zone"] == "Europe/Berlin"  # the playbook's
        assert get(app, "summary.json")["page"]["id"] == page["id"]
    with status_app(database_url) as app:  # the same store: the same page id, kept
        assert get(app, "status.json")["page"]["id"] == page["id"]
        assert get(app, "status.json")["page"]["name"] == "Minimal team"  # the playbook's name by default


def test_status_moves_none_minor_major_critical_with_the_components(database_url: str) -> None:
    with status_app(database_url) as app:

        def component(key: str, status: str) -> tuple[str, str]:
            call(app, "PATCH", f"/api/v1/status/components/{key}", {"status": status})
            return indicator(app)

        assert indicator(app) == ("none", "All Systems Operational")
        assert component("api", "degraded_performance") == ("minor", "Partially Degraded Service")
        assert component("web", "partial_outage") == ("minor", "Minor Service Outage")
        assert component("api", "major_outage") == ("major", "Partial System Outage")
        for key in ("web", "database"):
            assert component(key, "major_outage") == ("major", "Partial System Outage")
        assert component("email", "major_outage") == ("critical", "Major System Outage")
        for key in ("api", "web", "database", "email"):
            component(key, "degraded_performance")
        assert indicator(app) == ("minor", "Degraded System Service")
        for key in ("api", "web", "database"):
            component(key, "operational")
        assert component("email", "under_maintenance") == ("maintenance", "Service Under Maintenance")
        assert component("email", "operational") == ("none", "All Systems Operational")


def test_a_page_with_one_component_reads_it_directly(database_url: str) -> None:
    from tests.status.harness import COMPONENTS, status_playbook

    with status_app(database_url, playbook=status_playbook([COMPONENTS[2]])) as app:
        call(app, "PATCH", "/api/v1/status/components/database", {"status": "partial_outage"})
        assert indicator(app) == ("major", "Partial System Outage")
        call(app, "PATCH", "/api/v1/status/components/database", {"status": "major_outage"})
        assert indicator(app) == ("critical", "Major System Outage")


def test_incidents_json_holds_the_50_most_recent(database_url: str) -> None:
    with status_app(database_url) as app:
        names = []
        for number in range(52):
            app.clock.advance(timedelta(minutes=1))
            names.append(f"Blip {number}")
            code = call(
                app,
                "POST",
                "/api/v1/status/incidents",
                {"name": names[-1], "body": "x", "deliver_notifications": False},
            )["code"]
            call(app, "POST", f"/api/v1/status/incidents/{code}/resolve", {})
        listed = [i["name"] for i in get(app, "incidents.json")["incidents"]]
        assert listed == list(reversed(names))[:50]
