"""/api/v1/incidents/{ref}/postmortem and /api/v1/postmortems over HTTP: JSON or Markdown, edits with their
revision, the review actions, the lists; viewers read, responders change; errors are problem+json."""

from __future__ import annotations

from datetime import timedelta

from tests.harness.scripted_incident import RESOLVED, IncidentScript
from tests.postmortems.helpers import resolved_incident, running

BASE = "/api/v1/incidents/INC-1/postmortem"


def test_reading_and_editing_over_http(database_url: str) -> None:
    with running(database_url, "energy-audit") as app:
        script = IncidentScript(app.warroom, app.clock)
        script.play(until=RESOLVED - timedelta(minutes=1))
        missing = app.call("GET", BASE, "viewer")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert "has no postmortem yet" in missing.json()["detail"]
        script.play()

        view = app.call("GET", BASE, "viewer").json()
        assert (view["incident"], view["state"], view["revision"], view["owner"]) == ("INC-1", "draft", 1, "engineer1")
        assert view["due_at"] == "2026-03-07T15:00:00Z" and view["overdue"] is False
        assert [r["key"] for r in view["reports"]] == ["leadership-summary"]
        assert "why 1" in view["placeholders"] and "submit" in view["allowed_actions"]

        markdown = app.call("GET", BASE, "viewer", headers={"Accept": "text/markdown"})
        assert markdown.headers["content-type"].startswith("text/markdown") and markdown.headers["etag"] == '"1"'
        assert markdown.text == view["markdown"]

        assert app.call("PUT", BASE, "viewer", json={"markdown": "x", "revision": 1}).status_code == 403
        bad = app.call("PUT", BASE, json={"markdown": "", "revision": 0, "extra": 1})
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {"markdown", "revision", "extra"}

        edited = app.call("PUT", BASE, json={"markdown": "# Done\n\nAll written.\n", "revision": 1})
        assert edited.status_code == 200 and edited.json()["revision"] == 2
        stale = app.call("PUT", BASE, json={"markdown": "# Mine\n", "revision": 1})
        assert stale.status_code == 409 and stale.json()["current_revision"] == 2
        assert "the current revision is 2" in stale.json()["detail"]


def test_review_actions_and_lists_over_http(database_url: str) -> None:
    with running(database_url) as app:
        resolved_incident(app)
        refused = app.call("POST", f"{BASE}/publish")
        assert refused.status_code == 409 and refused.json()["allowed"] == [
            "edit",
            "assign_owner",
            "submit",
            "regenerate",
        ]
        assert "submit it for review first" in refused.json()["detail"]
        skip = app.call("POST", f"{BASE}/skip", json={"reason": "busy"})
        assert skip.status_code == 409 and "cannot be skipped" in skip.json()["detail"]
        assert app.call("POST", f"{BASE}/skip", json={}).json()["errors"][0]["field"] == "reason"
        assert app.call("POST", f"{BASE}/regenerate").status_code == 422
        assert app.call("POST", f"{BASE}/regenerate", json={"revision": 1}).status_code == 200
        assert app.call("POST", f"{BASE}/owner", json={"owner": "bob"}).json()["owner"] == "bob"
        assert app.call("POST", f"{BASE}/submit", "viewer").status_code == 403
        assert app.call("POST", f"{BASE}/submit").json()["state"] == "in_review"
        placeholders = app.call("POST", f"{BASE}/publish")
        assert placeholders.status_code == 409 and "why 1" in placeholders.json()["placeholders"]
        back = app.call("POST", f"{BASE}/send-back", json={"reason": "fill the whys"})
        assert back.json()["state"] == "draft"

        listed = app.call("GET", "/api/v1/postmortems?state=draft", "viewer").json()
        assert [(i["incident"], i["state"], i["owner"]) for i in listed] == [("INC-1", "draft", "bob")]
        assert app.call("GET", "/api/v1/postmortems?state=published", "viewer").json() == []
        assert app.call("GET", "/api/v1/postmortems?overdue=true", "viewer").json() == []
        wrong = app.call("GET", "/api/v1/postmortems?state=done", "viewer")
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "state.0"
        app.clock.set(RESOLVED + timedelta(hours=48))
        overdue = app.call("GET", "/api/v1/postmortems?overdue=true", "viewer").json()
        assert [(i["incident"], i["overdue"]) for i in overdue] == [("INC-1", True)]
        assert app.call("GET", "/api/v1/postmortems?overdue=false", "viewer").json() == []
        assert app.call("GET", "/api/v1/incidents/INC-9/postmortem", "viewer").status_code == 404
