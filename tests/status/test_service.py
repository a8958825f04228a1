"""StatusPageService: components follow the playbook, posting for an internal incident, privacy, maintenances."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.harness.app import RunningApp
from tests.status.harness import component_codes, indicator, status_app, status_playbook
from warroom.errors import Conflict, InvalidInput
from warroom.playbook.schema import Component
from warroom.status.indicator import UNDER_MAINTENANCE
from warroom.status.maintenances import COMPLETED, STARTED
from warroom.store.tables import timeline_events


def declare(app: RunningApp, title: str = "Checkout failing", **fields: object) -> int:
    response = app.call("POST", "/api/v1/incidents", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return int(response.json()["number"])


def post(app: RunningApp, number: int, status: str, body: str, name: str | None = None, **extra: object):  # type: ignore[no-untyped-def]
    service = app.warroom.status_page
    with app.warroom.db.transaction() as tx:
        return service.post_for_incident(
            tx,
            incident_id=number,
            status=status,
            body=body,
            name=name,
            impact=extra.get("impact"),  # type: ignore[arg-type]
            components=extra.get("components", {}),  # type: ignore[arg-type]
            actor="alice",
            now=app.clock.now(),
        )


def public_statuses(app: RunningApp) -> dict[str, str]:
    body = app.client.get("/api/v2/components.json").json()
    return {item["name"]: item["status"] for item in body["components"]}


def test_components_follow_the_playbook_new_ones_operational_removed_ones_hidden(database_url: str) -> None:
    with status_app(database_url) as app:
        assert app.call("PATCH", "/api/v1/status/components/api", json={"status": "degraded_performance"}).is_success
        codes = component_codes(app)
        changed = [*status_playbook().components[:1], Component(key="cdn", name="CDN", group="Platform")]
        changed += status_playbook().components[2:]
        app.warroom.playbooks.activate(status_playbook(changed), app.clock)

        assert public_statuses(app) == {
            "Platform": "degraded_performance",
            "Public API": "degraded_performance",  # kept its status
            "CDN": "operational",  # new: operational
            "Database": "operational",
            "Integrations": "operational",
            "E-mail delivery": "operational",
        }
        listed = {c["key"]: c for c in app.call("GET", "/api/v1/status/components").json()}
        assert listed["web"]["hidden"] is True and listed["web"]["code"] == codes["web"]

        # Back in the playbook: visible again, under the same public id.
        app.warroom.playbooks.activate(status_playbook(), app.clock)
        assert component_codes(app)["web"] == codes["web"]
        assert "Web app" in public_statuses(app) and "CDN" not in public_statuses(app)


def test_posting_for_an_incident_creates_then_updates_one_public_incident(database_url: str) -> None:
    with status_app(database_url) as app:
        number = declare(app)
        with pytest.raises(InvalidInput) as refused:
            post(app, number, "investigating", "We see errors")
        assert refused.value.problems[0].field == "name"

        first = post(
            app, number, "investigating", "Checkout errors", name="Checkout errors", components={"api": "major_outage"}
        )
        assert first.incident == f"INC-{number}" and first.impact == "critical" and first.monitoring_at is None
        assert indicator(app) == ("major", "Partial System Outage")  # one of four components down, impact critical
        app.clock.advance(timedelta(minutes=10))
        second = post(app, number, "monitoring", "A fix is out", components={"api": "degraded_performance"})
        assert second.code == first.code and second.monitoring_at == app.clock.now()
        assert [u.status for u in second.updates] == ["monitoring", "investigating"]
        assert second.impact == "critical"  # an incident keeps the worst impact it had
        app.clock.advance(timedelta(minutes=20))
        done = post(app, number, "resolved", "Fixed")
        assert done.resolved_at == app.clock.now()
        # Resolving puts the components it touched back to operational.
        assert done.updates[0].affected_components == [
            {
                "code": first.components[0],
                "name": "Public API",
                "old_status": "degraded_performance",
                "new_status": "operational",
            }
        ]
        assert indicator(app) == ("none", "All Systems Operational")

        with app.warroom.db.read() as connection:
            events = list(
                connection.execute(
                    select(timeline_events.c.kind, timeline_events.c.text).where(
                        timeline_events.c.incident_id == number, timeline_events.c.kind == "status_page_updated"
                    )
                )
            )
        assert [text for _, text in events] == [
            "Status page (investigating): Checkout errors: Checkout errors",
            "Status page (monitoring): Checkout errors: A fix is out",
            "Status page (resolved): Checkout errors: Fixed",
        ]


def test_a_private_incident_is_refused_and_nothing_changes(database_url: str) -> None:
    with status_app(database_url) as app:
        number = declare(app, "Credential leak", private=True)
        before = app.snapshot()
        with pytest.raises(Conflict) as refused:
            post(
                app, number, "investigating", "Something is wrong", name="Something", components={"api": "major_outage"}
            )
        assert refused.value.detail.startswith(f"INC-{number} is private;")
        assert app.snapshot() == before


def test_bad_input_names_each_field_and_changes_nothing(database_url: str) -> None:
    with status_app(database_url) as app:
        number = declare(app)
        before = app.snapshot()
        with pytest.raises(InvalidInput) as refused:
            post(
                app,
                number,
                "fixed",
                " ",
                name="X",
                impact="huge",
                components={"nope": "down", "api": "broken", "Platform": "x"},
            )
        fields = [problem.field for problem in refused.value.problems]
        assert fields == ["status", "body", "impact", "components.nope", "components.api", "components.Platform"]
        assert app.snapshot() == before


def test_a_maintenance_starts_and_completes_on_the_clock(database_url: str) -> None:
    with status_app(database_url) as app:
        start = app.clock.now() + timedelta(hours=1)
        body = {
            "name": "Database upgrade",
            "body": "We will upgrade the database.",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=2)).isoformat(),
            "components": ["database"],
        }
        created = app.call("POST", "/api/v1/status/maintenances", json=body)
        assert created.status_code == 201, created.text
        code = created.json()["code"]
        upcoming = app.client.get("/api/v2/scheduled-maintenances/upcoming.json").json()["scheduled_maintenances"]
        assert [m["id"] for m in upcoming] == [code] and upcoming[0]["impact"] == "maintenance"
        assert indicator(app) == ("none", "All Systems Operational")

        app.clock.advance(timedelta(minutes=59, seconds=59))
        app.warroom.engine.run_due()
        assert app.client.get("/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"] == []
        app.clock.advance(timedelta(seconds=1))
        app.warroom.engine.run_due()
        active = app.client.get("/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"]
        assert [(m["id"], m["status"]) for m in active] == [(code, "in_progress")]
        assert active[0]["incident_updates"][0]["body"] == STARTED
        assert public_statuses(app)["Database"] == "under_maintenance"
        assert indicator(app) == ("maintenance", UNDER_MAINTENANCE)

        backwards = app.call(
            "POST", f"/api/v1/status/maintenances/{code}/updates", json={"status": "scheduled", "body": "x"}
        )
        assert backwards.status_code == 409
        verifying = app.call(
            "POST", f"/api/v1/status/maintenances/{code}/updates", json={"status": "verifying", "body": "Checking."}
        )
        assert verifying.json()["status"] == "verifying"

        app.clock.advance(timedelta(hours=2))
        app.warroom.engine.run_due()
        done = app.call("GET", f"/api/v1/status/maintenances/{code}").json()
        assert done["status"] == "completed" and done["resolved_at"] is not None
        assert done["updates"][0]["body"] == COMPLETED
        assert [u["status"] for u in done["updates"]] == ["completed", "verifying", "in_progress", "scheduled"]
        assert public_statuses(app)["Database"] == "operational"
        assert indicator(app) == ("none", "All Systems Operational")
        assert app.client.get("/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"] == []


def test_completing_a_maintenance_early_stops_its_clock(database_url: str) -> None:
    with status_app(database_url) as app:
        start = app.clock.now() + timedelta(minutes=30)
        body = {
            "name": "Mail relay swap",
            "body": "Swapping relays.",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=1)).isoformat(),
            "components": ["email"],
        }
        code = app.call("POST", "/api/v1/status/maintenances", json=body).json()["code"]
        cancelled = app.call(
            "POST", f"/api/v1/status/maintenances/{code}/updates", json={"status": "completed", "body": "Not needed."}
        )
        assert cancelled.json()["status"] == "completed"
        app.clock.advance(timedelta(hours=2))
        assert app.warroom.engine.run_due() == 0
        updates = app.call("GET", f"/api/v1/status/maintenances/{code}").json()["updates"]
        assert [u["status"] for u in updates] == ["completed", "scheduled"]
        assert public_statuses(app)["E-mail delivery"] == "operational"
