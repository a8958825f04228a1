"""The communication door: bad input is refused with what was wrong and where, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness.app import RunningApp, start_app


@pytest.fixture
def greenlang(database_url: str) -> Iterator[RunningApp]:
    app = start_app(database_url, preset="greenlang", public_url="https://warroom.example")
    yield app
    app.client.close()
    app.warroom.close()


def declare(app: RunningApp) -> str:
    response = app.call("POST", "/api/v1/incidents", json={"title": "Dashboard slow", "severity": "p2"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"template": "nope"}, 422, "template", "unknown template 'nope'"),
        ({"template": "incident-update", "body": "x"}, 422, "body", "not both"),
        ({"template": "incident-update", "channel": "nowhere"}, 422, "channel", "unknown channel 'nowhere'"),
        ({}, 422, "template", "give a template key or a free-text body"),
        ({"template": "incident-update", "fields": {"Bad Name": "x"}}, 422, "fields.Bad Name", ""),
        ({"template": "incident-update", "surprise": 1}, 422, "surprise", ""),
        (
            {
                "template": "customer-initial",
                "fields": {
                    "whats_happening": "a",
                    "features_affected": "b",
                    "current_status": "c",
                    "what_you_should_do": "d",
                    "next_update": "e",
                },
            },
            422,
            "channel",
            "WARROOM_AUDIENCE_RECIPIENTS",
        ),
    ],
)
def test_bad_messages_are_refused_and_change_nothing(
    greenlang: RunningApp, body: dict[str, Any], status: int, field: str, words: str
) -> None:
    ref = declare(greenlang)
    before = greenlang.snapshot()
    response = greenlang.call("POST", "/api/v1/comms/send", json={"incident": ref, **body})
    assert response.status_code == status, response.text
    problem = response.json()
    fields = [e["field"] for e in problem.get("errors", [])]
    assert any(field in f for f in fields), problem
    assert words in response.text
    assert greenlang.snapshot() == before


def test_every_missing_value_is_named_at_once(greenlang: RunningApp) -> None:
    ref = declare(greenlang)
    before = greenlang.snapshot()
    response = greenlang.call(
        "POST", "/api/v1/comms/send", json={"incident": ref, "template": "incident-update", "fields": {"eta": "1h"}}
    )
    assert response.status_code == 422
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == ["fields.current_actions", "fields.next_steps"]
    assert greenlang.snapshot() == before
    preview = greenlang.call(
        "POST", "/api/v1/comms/preview", json={"incident": ref, "template": "incident-update", "fields": {"eta": "1h"}}
    ).json()
    assert preview["ready"] is False and preview["missing"] == ["current_actions", "next_steps"]
    assert preview["body"] is None


def test_a_missing_incident_value_is_shown_before_sending(greenlang: RunningApp) -> None:
    ref = declare(greenlang)
    preview = greenlang.call(
        "POST",
        "/api/v1/comms/preview",
        json={"incident": ref, "template": "incident-close", "fields": {}},
    ).json()
    assert preview["ready"] is False and any("resolution" in p for p in preview["problems"])


def test_viewers_preview_but_do_not_send(greenlang: RunningApp) -> None:
    ref = declare(greenlang)
    body = {"incident": ref, "channel": "war-room", "body": "Investigating slow dashboard loads."}
    assert greenlang.call("POST", "/api/v1/comms/preview", who="viewer", json=body).status_code == 200
    assert greenlang.call("POST", "/api/v1/comms/send", who="viewer", json=body).status_code == 403


def test_the_on_call_handoff_needs_no_incident_but_other_messages_do(greenlang: RunningApp) -> None:
    fields = {
        "from_name": "Ana",
        "to_name": "Ben",
        "open_incidents": "none",
        "ongoing_issues": "none",
        "recent_incidents": "INC-4 (P2)",
        "upcoming": "DB maintenance Thu",
        "notes": "quiet week",
    }
    sent = greenlang.call("POST", "/api/v1/comms/send", json={"template": "oncall-handoff", "fields": fields})
    assert sent.status_code == 201, sent.text
    assert sent.json()["incident"] is None and "Ana" in sent.json()["body"]
    free = greenlang.call("POST", "/api/v1/comms/send", json={"channel": "war-room", "body": "hello"})
    assert free.status_code == 422 and "incident" in free.text


def test_templates_and_channels_are_listed_with_what_they_ask_for(greenlang: RunningApp) -> None:
    templates = {t["key"]: t for t in greenlang.call("GET", "/api/v1/comms/templates").json()}
    assert templates["incident-update"]["required_fields"] == ["current_actions", "next_steps", "eta"]
    channels = {c["key"]: c for c in greenlang.call("GET", "/api/v1/comms/channels").json()}
    assert channels["status-page"]["kind"] == "status_page"
