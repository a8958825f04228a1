"""A template sent to a status-page audience is published there at once and meets its clock; a private
incident never reaches it (SEMANTICS: security incidents are private from the start)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness.app import RunningApp, start_app
from warroom.clock import ManualClock

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
INVESTIGATING = {"issue_description": "failed sign-ins", "specific_impact": "errors when logging in"}
PUBLIC = [
    "/api/v2/status.json",
    "/api/v2/summary.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/status",
    "/status/history.atom",
]


@pytest.fixture
def energy(database_url: str) -> Iterator[RunningApp]:
    app = start_app(database_url, preset="energy-audit", clock=ManualClock(T0), public_url="https://warroom.example")
    yield app
    app.client.close()
    app.warroom.close()


def declare(app: RunningApp, **extra: Any) -> str:
    response = app.call(
        "POST",
        "/api/v1/incidents",
        json={"title": "OIDC redirect loop after config push", "severity": "sev1", "services": ["auth"], **extra},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def public_text(app: RunningApp) -> str:
    pages = []
    for path in PUBLIC:
        response = app.client.get(path)
        assert response.status_code == 200, (path, response.text)
        pages.append(response.text)
    return "\n".join(pages)


def test_a_status_page_message_is_published_and_meets_the_clock(energy: RunningApp) -> None:
    ref = declare(energy)
    assert energy.client.get("/api/v2/status.json").json()["status"]["indicator"] == "none"
    energy.clock.set(T0 + timedelta(minutes=7))
    sent = energy.call(
        "POST",
        "/api/v1/comms/send",
        json={
            "incident": ref,
            "template": "status-investigating",
            "fields": INVESTIGATING,
            "status_page": {"name": "Sign-in problems", "components": {"login": "major_outage"}},
        },
    )
    assert sent.status_code == 201, sent.text
    [public] = energy.client.get("/api/v2/incidents/unresolved.json").json()["incidents"]
    assert public["name"] == "Sign-in problems" and public["status"] == "investigating"
    assert "We are currently investigating reports of failed sign-ins." in public["incident_updates"][0]["body"]
    indicator = energy.client.get("/api/v2/status.json").json()["status"]["indicator"]
    assert indicator in ("minor", "major", "critical")
    # Internal words never reach the public page: the title and the INC ref stay inside.
    text = public_text(energy)
    assert "OIDC redirect loop" not in text and ref not in text

    clock = next(
        c
        for c in energy.call("GET", f"/api/v1/incidents/{ref}/comms").json()["clocks"]
        if c["key"] == "status-page-investigating"
    )
    assert clock["state"] == "met" and clock["met_at"].startswith("2026-03-05T14:07:00")


def test_a_status_page_message_needs_a_public_name_and_changes_nothing_without_one(energy: RunningApp) -> None:
    ref = declare(energy)
    before = energy.snapshot()
    response = energy.call(
        "POST",
        "/api/v1/comms/send",
        json={"incident": ref, "template": "status-investigating", "fields": INVESTIGATING},
    )
    assert response.status_code == 422 and "name" in response.text
    assert energy.snapshot() == before


def test_a_private_incident_never_reaches_the_status_page(energy: RunningApp) -> None:
    ref = declare(energy, private=True, title="Leaked admin credentials in CI logs")
    before = energy.snapshot()
    refused = energy.call(
        "POST",
        "/api/v1/comms/send",
        json={
            "incident": ref,
            "template": "status-investigating",
            "fields": INVESTIGATING,
            "status_page": {"name": "Sign-in problems"},
        },
    )
    assert refused.status_code == 409 and "private" in refused.text
    assert energy.snapshot() == before
    text = public_text(energy)
    assert "Leaked admin credentials" not in text and ref not in text and "Sign-in problems" not in text
    # The private incident owes no public post: its status-page clock is waived, not breached.
    clock = next(
        c
        for c in energy.call("GET", f"/api/v1/incidents/{ref}/comms").json()["clocks"]
        if c["key"] == "status-page-investigating"
    )
    assert clock["state"] == "waived"
