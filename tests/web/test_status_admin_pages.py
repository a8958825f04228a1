"""Status page admin: component statuses, public incidents and maintenances through the forms and the service;
viewers read; refusals change nothing; a private incident never shows here as public wording."""

from __future__ import annotations

from datetime import timedelta

from tests.harness.app import RunningApp
from tests.web.pages import create_account, declare, sign_in, web_app
from warroom.auth.actors import SYSTEM, AccessRole, Actor
from warroom.incidents.commands import DeclareIncident, UpdateIncident
from warroom.status.vocabulary import Kind

SECRET = "Payroll export leaked to a partner"


def _component(app: RunningApp, key: str) -> str:
    return next(c.status for c in app.warroom.status_page.components(SYSTEM) if c.key == key)


def test_a_responder_runs_the_status_page_through_the_forms(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, "Checkout down", severity="sev2")
        post = app.client.post
        page = app.client.get("/status-admin")
        assert page.status_code == 200 and 'href="/status"' in page.text and "Login (authentication)" in page.text

        answer = post("/status-admin/components/login", data={"csrf_token": csrf, "status": "partial_outage"})
        assert answer.status_code == 200 and answer.url.path == "/status-admin"
        assert _component(app, "login") == "partial_outage"

        opened = post(
            "/status-admin/incidents",
            data={
                "csrf_token": csrf,
                "name": "Login errors",
                "body": "Some users cannot sign in.",
                "status": "investigating",
                "impact": "",
                "incident": ref,
                "component.login": "major_outage",
                "component.reports": "",
            },
        )
        assert opened.status_code == 200, opened.text
        (public,) = app.warroom.status_page.incidents(SYSTEM, Kind.INCIDENT)
        assert public.name == "Login errors" and public.incident == ref and public.status == "investigating"
        assert _component(app, "login") == "major_outage" and _component(app, "reports") == "operational"
        assert f'href="/incidents/{ref}"' in opened.text and "Some users cannot sign in." in opened.text

        post(
            f"/status-admin/incidents/{public.code}/updates",
            data={"csrf_token": csrf, "status": "identified", "body": "Fix rolling out.", "component.login": ""},
        )
        assert app.warroom.status_page.get(SYSTEM, public.code).status == "identified"
        post(
            f"/status-admin/incidents/{public.code}/resolve",
            data={"csrf_token": csrf, "body": "", "component.login": "operational"},
        )
        resolved = app.warroom.status_page.get(SYSTEM, public.code)
        assert resolved.status == "resolved" and resolved.updates[0].body == "This incident has been resolved."
        assert _component(app, "login") == "operational"

        start = app.clock.now() + timedelta(days=1)
        scheduled = post(
            "/status-admin/maintenances",
            data={
                "csrf_token": csrf,
                "name": "Database upgrade",
                "body": "Neon maintenance window.",
                "scheduled_for": start.strftime("%Y-%m-%dT%H:%M"),
                "scheduled_until": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                "components": ["neon", "job-management"],
            },
        )
        assert scheduled.status_code == 200, scheduled.text
        (maintenance,) = app.warroom.status_page.incidents(SYSTEM, Kind.MAINTENANCE)
        assert maintenance.status == "scheduled" and len(maintenance.components) == 2
        assert maintenance.scheduled_for == start.replace(second=0, microsecond=0)  # read as UTC
        post(
            f"/status-admin/maintenances/{maintenance.code}/updates",
            data={"csrf_token": csrf, "status": "in_progress", "body": "Started early."},
        )
        assert app.warroom.status_page.get(SYSTEM, maintenance.code).status == "in_progress"
        public_page = app.client.get("/status").text
        assert "Database upgrade" in public_page and ref not in public_page


def test_refusals_name_the_field_and_change_nothing(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        app.client.get("/status-admin")  # components synced before the snapshot
        before = app.snapshot()
        post = app.client.post
        bad_status = post("/status-admin/components/login", data={"csrf_token": csrf, "status": "on_fire"})
        assert bad_status.status_code == 400 and "status" in bad_status.text
        unknown = post("/status-admin/components/nope", data={"csrf_token": csrf, "status": "major_outage"})
        assert unknown.status_code == 404 and "no component" in unknown.text
        empty = post("/status-admin/incidents", data={"csrf_token": csrf, "name": "Kept name", "body": ""})
        assert empty.status_code == 400 and "body" in empty.text and 'value="Kept name"' in empty.text
        bad_component = post(
            "/status-admin/incidents",
            data={"csrf_token": csrf, "name": "x", "body": "y", "component.nope": "major_outage"},
        )
        assert bad_component.status_code == 400 and "components" in bad_component.text
        backwards = post(
            "/status-admin/maintenances",
            data={"csrf_token": csrf, "name": "m", "body": "b", "scheduled_for": "2030-01-02T10:00",
                  "scheduled_until": "2030-01-02T09:00"},
        )  # fmt: skip
        assert backwards.status_code == 400 and "scheduled_until" in backwards.text
        missing = post("/status-admin/incidents/XYZ/updates", data={"csrf_token": csrf, "status": "identified",
                                                                     "body": "b"})  # fmt: skip
        assert missing.status_code == 404
        forged = post("/status-admin/components/login", data={"status": "major_outage"})
        assert forged.status_code == 403 and "CSRF" in forged.text
        assert app.snapshot() == before


def test_viewers_read_and_may_not_change(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "vera", role=AccessRole.VIEWER, person=None)
        csrf = sign_in(app.client, "vera")
        page = app.client.get("/status-admin")
        assert page.status_code == 200 and "Login (authentication)" in page.text
        assert 'action="/status-admin/components/login"' not in page.text and "Open a public incident" not in page.text
        before = app.snapshot()
        for path, data in [
            ("/status-admin/components/login", {"status": "major_outage"}),
            ("/status-admin/incidents", {"name": "n", "body": "b"}),
            ("/status-admin/maintenances", {"name": "n", "body": "b"}),
        ]:
            answer = app.client.post(path, data={"csrf_token": csrf, **data})
            assert answer.status_code == 403 and "responder" in answer.text, path
        assert app.snapshot() == before


def test_a_private_incident_never_shows_here_as_public_wording(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        create_account(app, "vera", role=AccessRole.VIEWER, person=None)
        csrf = sign_in(app.client)
        secops = Actor("secops", AccessRole.RESPONDER)
        private = app.warroom.incidents.declare(secops, DeclareIncident(title=SECRET, severity="sev2", private=True))
        before = app.snapshot()
        refused = app.client.post(
            "/status-admin/incidents",
            data={"csrf_token": csrf, "name": "Data issue", "body": "Investigating.", "incident": private.id},
        )
        assert refused.status_code in (404, 409) and SECRET not in refused.text
        assert app.snapshot() == before

        public_ref = app.warroom.incidents.declare(secops, DeclareIncident(title="Reports slow", severity="sev3")).id
        app.client.post(
            "/status-admin/incidents",
            data={"csrf_token": csrf, "name": "Slow reports", "body": "Looking into it.", "incident": public_ref},
        )
        app.warroom.incidents.update(secops, public_ref, UpdateIncident(private=True))  # turned private later
        app.client.cookies.clear()
        sign_in(app.client, "vera")
        page = app.client.get("/status-admin").text
        assert "Slow reports" in page and "Looking into it." in page
        assert public_ref not in page and "Reports slow" not in page and SECRET not in page
