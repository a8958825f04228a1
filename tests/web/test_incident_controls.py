"""The incident page's controls: checklists, escalate, page, security communication; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

from tests.harness.alerting import am_alert, am_notification, create_integration
from tests.harness.app import RunningApp
from tests.web.pages import create_account, declare, sign_in, web_app
from warroom.alerts.service import AlertFilter
from warroom.auth.actors import SYSTEM, AccessRole
from warroom.incidents.commands import AddParticipant, DeclareIncident
from warroom.incidents.service import parse_ref


def _post(app: RunningApp, path: str, csrf: str, **data: str) -> tuple[int, str]:
    answer = app.client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
    return answer.status_code, answer.text


def _security_incident(app: RunningApp, approver: str = "oncall-engineer-1") -> str:
    command = DeclareIncident(
        title="Customer records exposed", impact={"security_breach": True}, roles={"security_lead": approver}
    )
    return app.warroom.incidents.declare(SYSTEM, command).id


def test_checklist_items_are_ticked_and_unticked_on_the_page(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, severity="sev1")
        page = app.client.get(f"/incidents/{ref}").text
        assert 'id="phase-detection"' in page and "current" in page and "Checklist (0/" in page
        assert 'id="phase-response-sev2"' not in page  # a phase of another severity
        status, _ = _post(app, f"/incidents/{ref}/checklists/tick", csrf, list_key="role:incident_commander", item="0")
        assert status == 303
        state = app.warroom.checklists.state(SYSTEM, ref)
        assert state.roles[0].items[0].done_by == "engineer1"
        page = app.client.get(f"/incidents/{ref}").text
        assert "Checklist (1/" in page and "checklist_ticked" in page and "Ticked Incident Lead" in page
        status, _ = _post(
            app, f"/incidents/{ref}/checklists/tick", csrf, list_key="role:incident_commander", item="0", done="0"
        )
        assert status == 303 and not app.warroom.checklists.state(SYSTEM, ref).roles[0].items[0].done


def test_escalate_now_and_page_someone_from_the_page(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, severity="sev1")
        number = parse_ref(ref)
        _, before = app.warroom.escalations.state(number)
        status, _ = _post(app, f"/incidents/{ref}/escalate", csrf, reason="primary is on a plane")
        assert status == 303
        escalations, after = app.warroom.escalations.state(number)
        assert len(after) > len(before) and escalations[0].level >= 1
        status, _ = _post(app, f"/incidents/{ref}/page", csrf, target="engineer3", message="need the DB expert")
        assert status == 303
        _, paged = app.warroom.escalations.state(number)
        assert any(p.person == "engineer3" for p in paged)
        page = app.client.get(f"/incidents/{ref}").text
        assert "engineer3" in page and "Escalate now" in page


def test_refused_controls_name_the_field_and_change_nothing(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        ref = declare(app.client, csrf, severity="sev1")
        before = app.snapshot()
        refusals = [
            ("checklists/tick", {"list_key": "phase:nope", "item": "0"}, 404, "list_key"),
            ("checklists/tick", {"list_key": "phase:detection", "item": "99"}, 400, "item_index"),
            ("checklists/tick", {"list_key": "phase:detection", "item": "x"}, 400, "item"),
            ("escalate", {"reason": ""}, 400, "reason"),
            ("page", {"target": "nobody-known", "message": "help"}, 400, "target"),
            ("page", {"target": "engineer3", "message": ""}, 400, "message"),
            ("comms/approve", {}, 409, "nothing waits for approval"),
            ("comms/regulator-notice", {"reference": "ICO 1"}, 409, "flag the personal-data breach first"),
            ("comms/breach", {"at": "yesterday"}, 400, "at"),
            ("comms/waive", {"deadline": "nope", "reason": "n/a"}, 404, "nope"),
            ("comms/waive", {"deadline": "nope", "reason": ""}, 400, "reason"),
        ]
        for path, data, code, words in refusals:
            status, text = _post(app, f"/incidents/{ref}/{path}", csrf, **data)
            assert status == code and words in text, (path, status, text[:200])
            assert 'class="error"' in text and "Checkout failing" in text  # the page again, with the reason
        assert app.snapshot() == before


def test_a_viewer_sees_the_page_but_every_control_is_refused(database_url: str) -> None:
    with web_app(database_url, preset="greenlang") as app:
        create_account(app, "vic", AccessRole.VIEWER, person=None)
        ref = _security_incident(app)
        csrf = sign_in(app.client, "vic")
        app.warroom.incidents.add_participant(SYSTEM, ref, AddParticipant(name="vic"))  # private: let the viewer see it
        assert app.client.get(f"/incidents/{ref}").status_code == 200
        before = app.snapshot()
        for path, data in [
            ("checklists/tick", {"list_key": "phase:detection", "item": "0"}),
            ("escalate", {"reason": "x"}),
            ("page", {"target": "oncall-engineer-2", "message": "x"}),
            ("comms/approve", {}),
            ("comms/breach", {}),
            ("comms/regulator-notice", {"reference": "x"}),
            ("comms/waive", {"deadline": "initial_notification", "reason": "x"}),
        ]:
            status, text = _post(app, f"/incidents/{ref}/{path}", csrf, **data)
            assert status == 403 and "responder" in text, path
        assert app.snapshot() == before


def test_the_security_panel_approves_flags_records_the_notice_and_waives(database_url: str) -> None:
    with web_app(database_url, preset="greenlang") as app:
        create_account(app, "ana", person="oncall-engineer-1")
        create_account(app, "bob", person="oncall-engineer-2")
        ref = _security_incident(app)
        app.warroom.incidents.add_participant(SYSTEM, ref, AddParticipant(name="oncall-engineer-2"))
        plain = app.warroom.incidents.declare(SYSTEM, DeclareIncident(title="Slow dashboard", severity="p3")).id
        csrf = sign_in(app.client, "bob")
        assert 'id="security"' not in app.client.get(f"/incidents/{plain}").text
        page = app.client.get(f"/incidents/{ref}").text
        assert 'id="security"' in page and "awaits approval" in page
        # Only the security lead approves: bob is refused and nothing changes.
        before = app.snapshot()
        status, text = _post(app, f"/incidents/{ref}/comms/approve", csrf)
        assert status == 403 and "only the" in text
        assert app.snapshot() == before

        app.client.post("/signout", data={"csrf_token": csrf})
        csrf = sign_in(app.client, "ana")
        assert _post(app, f"/incidents/{ref}/comms/approve", csrf, note="wording checked")[0] == 303
        app.clock.advance(timedelta(minutes=10))
        detected = (app.clock.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
        assert _post(app, f"/incidents/{ref}/comms/breach", csrf, at=detected, note="PII in logs")[0] == 303
        assert _post(app, f"/incidents/{ref}/comms/regulator-notice", csrf, reference="ICO case 42")[0] == 303
        view = app.warroom.incidents.get(SYSTEM, ref)
        assert view.comms_approved_by == "oncall-engineer-1"
        assert (
            view.personal_data_breach_at is not None
            and view.personal_data_breach_at.strftime("%Y-%m-%dT%H:%M") == detected
        )
        comms = app.warroom.communication.status(SYSTEM, ref)
        waivable = next(
            c for c in comms.clocks if c.met_at is None and c.state != "waived" and c.key != "regulator_notice"
        )
        assert _post(app, f"/incidents/{ref}/comms/waive", csrf, deadline=waivable.key, reason="no customers")[0] == 303
        comms = app.warroom.communication.status(SYSTEM, ref)
        assert next(c for c in comms.clocks if c.key == waivable.key).state == "waived"
        page = app.client.get(f"/incidents/{ref}").text
        assert "approved by" in page and "Personal-data breach flagged" in page and "ICO case 42" in page


def test_an_unknown_or_private_incident_is_an_html_404(database_url: str) -> None:
    with web_app(database_url, preset="greenlang") as app:
        create_account(app, "bob", person="oncall-engineer-2")
        private = _security_incident(app)  # private from the start; bob takes no part in it
        csrf = sign_in(app.client, "bob")
        for path in ("/incidents/INC-999", f"/incidents/{private}", "/incidents/<script>alert(1)"):
            answer = app.client.get(path)
            assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html"), path
            assert "Not found" in answer.text and "Customer records" not in answer.text
            assert "<script>alert(1)" not in answer.text
        before = app.snapshot()
        status, text = _post(app, f"/incidents/{private}/escalate", csrf, reason="x")
        assert status == 404 and "Customer records" not in text
        assert app.snapshot() == before


def test_a_resolved_incident_shows_how_long_it_lasted_with_its_alerts_and_runbooks(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        key = create_integration(app, "alertmanager")
        answer = app.client.post(f"/ingest/{key}/alertmanager", json=am_notification(am_alert("a1")))
        assert answer.status_code == 202, answer.text
        alert = app.warroom.alerts.search(SYSTEM, AlertFilter(limit=1)).items[0]
        assert alert.incident is not None
        ref = alert.incident
        page = app.client.get(f"/incidents/{ref}").text
        assert "Scenario 1: High Error Rate Alert" in page and "Check Grafana for failing endpoints" in page
        assert alert.summary in page and 'id="lasted"' not in page
        app.clock.advance(timedelta(minutes=95))
        app.client.post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "resolved"})
        app.clock.advance(timedelta(hours=5))  # a lasted span does not keep counting
        page = app.client.get(f"/incidents/{ref}").text
        # Duration = resolved - started; the alert says impact began 5 minutes before it reached us.
        assert 'id="lasted"' in page and "1h 40m" in page and "Since start" not in page
