"""Each page answers 200 and shows what it should; its forms change state through the services."""

from __future__ import annotations

from datetime import timedelta

from tests.web.pages import create_account, declare, sign_in, web_app
from warroom.auth.actors import SYSTEM


def test_declare_asks_the_playbooks_triage_questions_and_says_why(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        form = app.client.get("/declare")
        assert "Are all users affected?" in form.text
        assert "Is payment processing failing and affecting revenue?" in form.text  # the playbook's own fact
        answer = app.client.post("/declare/triage", data={"csrf_token": csrf, "fact.all_users_affected": "yes"})
        assert "SEV-1" in answer.text and "all users affected" in answer.text
        ref = declare(app.client, csrf, "Checkout down", **{"fact.all_users_affected": "yes"})
        view = app.warroom.incidents.get(SYSTEM, ref)
        assert view.severity_label == "SEV-1"


def test_a_refused_declaration_names_the_field_and_stores_nothing(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        before = app.snapshot()
        answer = app.client.post("/declare", data={"csrf_token": csrf, "title": "", "summary": "kept"})
        assert answer.status_code == 400 and "title" in answer.text and "kept" in answer.text
        answer = app.client.post("/declare", data={"csrf_token": csrf, "title": "x", "severity": "SEV-9"})
        assert answer.status_code == 400 and "unknown severity" in answer.text
        assert app.snapshot() == before


def test_the_dashboard_shows_open_incidents_by_severity_with_clocks_and_who_is_on_call(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        first = declare(app.client, csrf, "Minor glitch", severity="sev4")
        second = declare(app.client, csrf, "Everything down", severity="sev1")
        app.clock.advance(timedelta(minutes=12))
        page = app.client.get("/").text
        assert page.index("Everything down") < page.index("Minor glitch")  # most severe first
        assert "12 min" in page and "Next update due" in page  # clocks, server-rendered
        assert "On call now" in page and "engineer" in page
        app.client.post(f"/incidents/{second}/status", data={"csrf_token": csrf, "status": "resolved"})
        fragment = app.client.get("/fragments/open-incidents").text
        assert first in fragment and second not in fragment


def test_the_incident_page_runs_the_incident(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, "Checkout down", **{"fact.all_users_affected": "yes"})
        post = app.client.post
        page = app.client.get(f"/incidents/{ref}").text
        assert "paged" in page.lower() and "engineer1" in page
        assert post(f"/incidents/{ref}/acknowledge", data={"csrf_token": csrf}).status_code == 200
        post(f"/incidents/{ref}/roles", data={"csrf_token": csrf, "role": "incident_commander", "person": "me"})
        post(f"/incidents/{ref}/severity", data={"csrf_token": csrf, "severity": "sev2", "reason": "only EU"})
        post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "text": "rollback started", "pinned": "1"})
        view, events = app.warroom.incidents.timeline(SYSTEM, ref)
        assert view.acknowledged_by == "engineer1"
        assert {(r.role, r.person) for r in view.roles} >= {("incident_commander", "engineer1")}
        assert view.severity == "sev2"
        note = next(e for e in events if e.text == "rollback started")
        assert note.pinned
        post(f"/incidents/{ref}/timeline/{note.id}/pin", data={"csrf_token": csrf, "pinned": "0"})
        assert not next(e for e in app.warroom.incidents.timeline(SYSTEM, ref)[1] if e.id == note.id).pinned

        fields = {
            "field.what_we_know": "bad deploy",
            "field.what_we_are_doing": "rolling back",
            "field.next_update": "15m",
        }
        preview = post(
            f"/incidents/{ref}/messages/preview", data={"csrf_token": csrf, "template": "incident-update", **fields}
        )
        assert "rolling back" in preview.text and "#incidents" in preview.text
        assert not app.warroom.communication.status(SYSTEM, ref).communications  # a preview sends nothing
        post(f"/incidents/{ref}/messages/send", data={"csrf_token": csrf, "template": "incident-update", **fields})
        assert len(app.warroom.communication.status(SYSTEM, ref).communications) == 1

        missing = post(f"/incidents/{ref}/messages/send", data={"csrf_token": csrf, "template": "incident-update"})
        assert missing.status_code == 400 and "what_we_know" in missing.text
        bad = post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "sideways"})
        assert bad.status_code == 400 and "status" in bad.text

        post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "resolved", "note": "fixed"})
        page = app.client.get(f"/incidents/{ref}").text
        assert f"/incidents/{ref}/postmortem" in page


def test_the_postmortem_page_edits_with_the_revision_and_adds_action_items(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, "Checkout down", severity="sev1")
        app.client.post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "resolved"})
        page = app.client.get(f"/incidents/{ref}/postmortem")
        assert page.status_code == 200 and "Action items" in page.text
        revision = app.warroom.postmortems.get(SYSTEM, ref).revision
        saved = app.client.post(
            f"/incidents/{ref}/postmortem",
            data={"csrf_token": csrf, "markdown": "# What happened\n", "revision": str(revision)},
        )
        assert saved.status_code == 200
        assert app.warroom.postmortems.get(SYSTEM, ref).markdown.startswith("# What happened")
        stale = app.client.post(
            f"/incidents/{ref}/postmortem", data={"csrf_token": csrf, "markdown": "# Stale", "revision": str(revision)}
        )
        assert stale.status_code == 409 and "# Stale" in stale.text  # the draft is kept to copy from
        app.client.post(
            f"/incidents/{ref}/action-items", data={"csrf_token": csrf, "title": "Canary deploys", "due": "2w"}
        )
        assert "Canary deploys" in app.client.get(f"/incidents/{ref}/postmortem").text


def test_the_incident_list_searches_and_pages(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        for index in range(52):
            declare(app.client, csrf, f"Checkout {index}" if index % 2 else f"Login {index}", severity="sev4")
        first = app.client.get("/incidents").text
        assert "INC-52" in first and "cursor=" in first
        search = app.client.get("/incidents?q=login").text
        assert "Login 50" in search and "Checkout 51" not in search
