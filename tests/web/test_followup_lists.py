"""The postmortem and action-item lists: filters, links to the postmortem page, status changes from the list."""

from __future__ import annotations

from datetime import timedelta

from tests.web.pages import create_account, declare, sign_in, web_app
from warroom.auth.actors import SYSTEM, AccessRole, Actor
from warroom.incidents.commands import DeclareIncident
from warroom.postmortems.action_item_models import ActionItemFilter, NewActionItem
from warroom.postmortems.postmortem_models import PostmortemFilter

SCRIPT = "<script>alert(1)</script>"


def test_the_postmortem_list_filters_by_state_and_overdue_and_links_to_the_page(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, "Checkout down", severity="sev1")
        app.client.post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "resolved"})
        (summary,) = app.warroom.postmortems.search(SYSTEM, PostmortemFilter())
        page = app.client.get("/postmortems")
        assert page.status_code == 200
        assert f'href="/incidents/{ref}/postmortem"' in page.text and "Checkout down" in page.text
        assert app.client.get(f"/incidents/{ref}/postmortem").status_code == 200  # the link works
        assert ref in app.client.get(f"/postmortems?state={summary.state.value}").text
        assert ref not in app.client.get("/postmortems?state=published").text
        assert ref not in app.client.get("/postmortems?overdue=yes").text
        assert summary.due_at is not None
        app.clock.advance(summary.due_at - app.clock.now() + timedelta(minutes=1))
        sign_in(app.client)  # the session outlived its absolute lifetime
        overdue = app.client.get("/postmortems?overdue=yes").text
        assert ref in overdue and "overdue" in overdue
        assert [p.incident for p in app.warroom.postmortems.overdue(SYSTEM)] == [ref]
        assert ref not in app.client.get("/postmortems?overdue=no").text
        assert app.client.get("/postmortems?state=bogus").status_code == 422


def test_action_items_filter_and_change_status_from_the_list(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, "Checkout down", severity="sev1")
        post = app.client.post
        post(f"/incidents/{ref}/action-items", data={"csrf_token": csrf, "title": "Add a canary", "owner": "engineer2",
                                                     "due": "1d"})  # fmt: skip
        post(
            f"/incidents/{ref}/action-items", data={"csrf_token": csrf, "title": "Write runbook", "owner": "engineer3"}
        )
        items = {item.title: item for item in app.warroom.action_items.search(SYSTEM, ActionItemFilter())}
        canary, runbook = items["Add a canary"], items["Write runbook"]
        page = app.client.get("/action-items").text
        assert "Add a canary" in page and "Write runbook" in page
        assert f'href="/incidents/{ref}/postmortem#action-items"' in page
        mine = app.client.get("/action-items?owner=engineer3").text
        assert "Write runbook" in mine and "Add a canary" not in mine
        app.clock.advance(timedelta(days=2))
        csrf = sign_in(app.client)  # the session outlived its absolute lifetime
        late = app.client.get("/action-items?overdue=yes").text
        assert "Add a canary" in late and "Write runbook" not in late

        answer = post(
            f"/action-items/{canary.id}/status",
            data={"csrf_token": csrf, "status": "in_progress", "back_overdue": "yes"},
        )
        assert answer.status_code == 200 and answer.url.path == "/action-items"
        assert "overdue=yes" in str(answer.url)  # back to the same filtered list
        assert app.warroom.action_items.get(SYSTEM, canary.id).status == "in_progress"
        assert "Add a canary" in app.client.get("/action-items?status=in_progress").text
        post(f"/action-items/{runbook.id}/status", data={"csrf_token": csrf, "status": "wont_do", "note": "obsolete"})
        assert app.warroom.action_items.get(SYSTEM, runbook.id).status == "wont_do"
        closed = app.client.get("/action-items?status=wont_do").text
        assert "Write runbook" in closed and "Add a canary" not in closed
        _, events = app.warroom.incidents.timeline(SYSTEM, ref)
        assert any("obsolete" in event.text for event in events)  # the service's timeline event


def test_refused_status_changes_name_the_field_and_change_nothing(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        create_account(app, "vera", role=AccessRole.VIEWER, person=None)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, "Checkout down", severity="sev1")
        item = app.warroom.action_items.create(SYSTEM, ref, NewActionItem(title="Add a canary"))
        before = app.snapshot()
        post = app.client.post
        no_reason = post(f"/action-items/{item.id}/status", data={"csrf_token": csrf, "status": "wont_do"})
        assert no_reason.status_code == 400 and "note:" in no_reason.text and "Add a canary" in no_reason.text
        unknown = post(f"/action-items/{item.id}/status", data={"csrf_token": csrf, "status": "finished"})
        assert unknown.status_code == 400 and "status:" in unknown.text
        same = post(f"/action-items/{item.id}/status", data={"csrf_token": csrf, "status": "open"})
        assert same.status_code == 409
        missing = post("/action-items/9999/status", data={"csrf_token": csrf, "status": "done"})
        assert missing.status_code == 404
        forged = post(f"/action-items/{item.id}/status", data={"status": "done"})
        assert forged.status_code == 403 and "CSRF" in forged.text
        assert app.snapshot() == before

        app.client.cookies.clear()
        viewer_csrf = sign_in(app.client, "vera")
        before = app.snapshot()  # with the viewer's session
        listing = app.client.get("/action-items").text
        assert "Add a canary" in listing and f'action="/action-items/{item.id}/status"' not in listing
        refused = post(f"/action-items/{item.id}/status", data={"csrf_token": viewer_csrf, "status": "done"})
        assert refused.status_code == 403 and "responder" in refused.text
        assert app.snapshot() == before


def test_private_items_stay_private_and_text_is_escaped(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "vera", role=AccessRole.VIEWER, person=None)
        secops = Actor("secops", AccessRole.RESPONDER)
        secret = app.warroom.incidents.declare(secops, DeclareIncident(title="Secret breach", private=True,
                                                                        severity="sev2"))  # fmt: skip
        app.warroom.action_items.create(secops, secret.id, NewActionItem(title="Rotate the leaked keys"))
        public = app.warroom.incidents.declare(secops, DeclareIncident(title=SCRIPT, severity="sev2"))
        app.warroom.action_items.create(secops, public.id, NewActionItem(title=SCRIPT, owner=SCRIPT))
        sign_in(app.client, "vera")
        for path in ("/action-items", "/postmortems", f"/action-items?owner={SCRIPT}"):
            page = app.client.get(path)
            assert page.status_code == 200, path
            assert (
                SCRIPT not in page.text
                and "Rotate the leaked keys" not in page.text
                and "Secret breach" not in page.text
            )
        assert "&lt;script&gt;" in app.client.get("/action-items").text
