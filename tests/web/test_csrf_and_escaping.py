"""A form posted without its CSRF token is refused and changes nothing; user text is inert on every page."""

from __future__ import annotations

import pytest

from tests.web.pages import create_account, declare, sign_in, web_app

SCRIPT = "<script>alert(1)</script>"


def _posts(ref: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/declare", {"title": "forged"}),
        ("/declare/triage", {"fact.all_users_affected": "yes"}),
        (f"/incidents/{ref}/acknowledge", {}),
        (f"/incidents/{ref}/status", {"status": "resolved"}),
        (f"/incidents/{ref}/severity", {"severity": "sev4", "reason": "forged"}),
        (f"/incidents/{ref}/roles", {"role": "incident_commander", "person": "mallory"}),
        (f"/incidents/{ref}/notes", {"text": "forged"}),
        (f"/incidents/{ref}/timeline/1/pin", {"pinned": "1"}),
        (f"/incidents/{ref}/messages/send", {"template": "status-resolved"}),
        (f"/incidents/{ref}/checklists/tick", {"list_key": "phase:detection", "item": "0"}),
        (f"/incidents/{ref}/escalate", {"reason": "forged"}),
        (f"/incidents/{ref}/page", {"target": "engineer2", "message": "forged"}),
        (f"/incidents/{ref}/comms/approve", {}),
        (f"/incidents/{ref}/comms/breach", {}),
        (f"/incidents/{ref}/comms/regulator-notice", {"reference": "forged"}),
        (f"/incidents/{ref}/comms/waive", {"deadline": "status_page", "reason": "forged"}),
        (f"/incidents/{ref}/action-items", {"title": "forged"}),
        (f"/incidents/{ref}/postmortem", {"markdown": "forged", "revision": "1"}),
        ("/oncall/overrides", {"schedule": "primary", "person": "engineer3", "starts_at": "2026-01-06T09:00"}),
        ("/oncall/overrides/primary/1/remove", {}),
        ("/oncall/feeds", {"schedule": "primary"}),
        ("/status-admin/components/login", {"status": "major_outage"}),
        ("/status-admin/incidents", {"name": "forged", "body": "forged"}),
        ("/status-admin/maintenances", {"name": "forged", "body": "forged"}),
        ("/action-items/1/status", {"status": "done"}),
        ("/signout", {}),
    ]


@pytest.mark.parametrize("token", [None, "0" * 64], ids=["missing", "wrong"])
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(database_url: str, token: str | None) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, **{"fact.all_users_affected": "yes"})
        app.client.post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "resolved"})
        before = app.snapshot()
        for path, data in _posts(ref):
            sent = data if token is None else {**data, "csrf_token": token}
            answer = app.client.post(path, data=sent, follow_redirects=False)
            assert answer.status_code == 403, path
            assert "CSRF" in answer.text
        assert app.snapshot() == before
        assert app.client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_the_htmx_header_carries_the_token_too(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        answer = app.client.post(
            "/declare/triage", data={"fact.all_users_affected": "yes"}, headers={"X-CSRF-Token": csrf}
        )
        assert answer.status_code == 200 and "all users affected" in answer.text


def test_user_text_is_escaped_on_every_page(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(
            app.client, csrf, SCRIPT, summary=SCRIPT, impact_statement=SCRIPT, **{"fact.all_users_affected": "yes"}
        )
        client = app.client
        client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "text": SCRIPT, "pinned": "1"})
        client.post(
            f"/incidents/{ref}/roles", data={"csrf_token": csrf, "role": "incident_commander", "person": SCRIPT}
        )
        client.post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "resolved", "note": SCRIPT})
        client.post(f"/incidents/{ref}/action-items", data={"csrf_token": csrf, "title": SCRIPT, "owner": SCRIPT})
        oncall_form = {"schedule": "primary", "person": "engineer3", "note": SCRIPT, "csrf_token": csrf}
        oncall_form.update(starts_at="2026-01-06T09:00", ends_at="2026-01-07T09:00")
        client.post("/oncall/overrides", data=oncall_form)
        preview = client.post(
            f"/incidents/{ref}/messages/preview",
            data={"csrf_token": csrf, "template": "incident-update", "field.what_we_know": SCRIPT},
        )
        refused = client.post(
            f"/incidents/{ref}/severity", data={"csrf_token": csrf, "severity": SCRIPT, "reason": "x"}
        )
        assert refused.status_code == 400
        client.post("/status-admin/incidents", data={"csrf_token": csrf, "name": SCRIPT, "body": SCRIPT})
        pages = [
            client.get("/"),
            client.get("/incidents"),
            client.get(f"/incidents?q={SCRIPT}"),
            client.get(f"/incidents/{ref}"),
            client.get(f"/incidents/{ref}/postmortem"),
            client.get("/oncall"),
            client.get("/alerts"),
            client.get(f"/alerts?q={SCRIPT}"),
            client.get("/playbook"),
            client.get("/reports"),
            client.get(f"/reports?period={SCRIPT}"),
            client.get("/status-admin"),
            client.get("/postmortems"),
            client.get("/action-items"),
            client.get(f"/action-items?owner={SCRIPT}"),
            client.get("/fragments/open-incidents"),
            client.post(f"/incidents/{ref}/comms/breach", data={"csrf_token": csrf, "at": SCRIPT, "note": SCRIPT}),
            preview,
            refused,
        ]
        for page in pages:
            assert page.status_code in (200, 400), page.url
            assert SCRIPT not in page.text, page.url
            assert "alert(1)" not in page.text or "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, page.url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/incidents/{ref}").text
