"""The alerts pages: the list with filters, newest first, paged; one alert with its labels, details and links."""

from __future__ import annotations

from typing import Any

from tests.harness.alerting import am_alert, am_notification, create_integration
from tests.harness.app import RunningApp
from tests.web.pages import create_account, sign_in, web_app
from warroom.alerts.service import AlertFilter
from warroom.auth.actors import SYSTEM, AccessRole

SCRIPT = "<script>alert(1)</script>"


def _send(app: RunningApp, key: str, *alerts: dict[str, Any]) -> None:
    answer = app.client.post(f"/ingest/{key}/alertmanager", json=am_notification(*alerts))
    assert answer.status_code == 202, answer.text


def _rows(html: str) -> int:
    return html.count('<tr><td><a href="/alerts/')


def test_the_list_filters_by_status_service_and_text_newest_first_with_incident_links(database_url: str) -> None:
    with web_app(database_url) as app:
        key = create_integration(app, "alertmanager")
        create_integration(app, "alertmanager", key="db-am", service="database")
        _send(app, key, am_alert("a1"), am_alert("a2"))
        _send(app, key, am_alert("a1", "resolved"))
        create_account(app)
        sign_in(app.client)
        everything = app.warroom.alerts.search(SYSTEM, AlertFilter(limit=50)).items
        assert len(everything) == 2 and everything[0].incident
        page = app.client.get("/alerts").text
        assert _rows(page) == 2
        assert page.index(f'href="/alerts/{everything[0].id}"') < page.index(f'href="/alerts/{everything[1].id}"')
        assert f'href="/incidents/{everything[0].incident}"' in page
        open_ = app.client.get("/alerts?status=open").text
        resolved = app.client.get("/alerts?status=resolved").text
        assert _rows(open_) == 1 and _rows(resolved) == 1 and "api-a2" in open_ and "api-a1" in resolved
        assert _rows(app.client.get("/alerts?service=database").text) == 0
        assert _rows(app.client.get("/alerts?service=api").text) == 2
        assert _rows(app.client.get("/alerts?q=api-a2").text) == 1
        assert _rows(app.client.get("/alerts?q=&status=&service=").text) == 2  # the form's "any"
        refused = app.client.get("/alerts?status=bogus")
        assert refused.status_code == 400 and "status: one of open" in refused.text


def test_the_list_pages_by_cursor(database_url: str) -> None:
    with web_app(database_url) as app:
        key = create_integration(app, "alertmanager")
        _send(app, key, *[am_alert(f"f{n}") for n in range(55)])
        create_account(app)
        sign_in(app.client)
        first = app.client.get("/alerts").text
        assert _rows(first) == 50 and "Older alerts" in first
        link = first.split('<p><a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        second = app.client.get(link).text
        assert _rows(second) == 5 and "Older alerts" not in second


def test_one_alert_shows_labels_details_links_event_count_and_times(database_url: str) -> None:
    with web_app(database_url) as app:
        key = create_integration(app, "alertmanager")
        _send(app, key, am_alert("a1", team="payments"))
        _send(app, key, am_alert("a1", team="payments"))
        create_account(app, role=AccessRole.VIEWER, person=None)
        sign_in(app.client)
        [alert] = app.warroom.alerts.search(SYSTEM, AlertFilter()).items
        page = app.client.get(f"/alerts/{alert.id}")
        assert page.status_code == 200
        text = page.text
        assert "payments" in text and "HighErrorRate" in text
        assert "<dt>Events</dt><dd>2</dd>" in text
        assert 'href="http://prometheus:9090/graph?g0.expr=rate"' in text
        assert "2026-01-05 08:55 UTC" in text  # started (startsAt)
        assert f'href="/incidents/{alert.incident}"' in text
        assert app.client.get("/alerts/99999").status_code == 404


def test_payload_text_is_inert_and_a_javascript_link_is_not_a_link(database_url: str) -> None:
    with web_app(database_url) as app:
        key = app.call(
            "POST",
            "/api/v1/integrations",
            who="admin",
            json={"key": "ev", "name": "Events", "kind": "events_v2", "service": "api"},
        ).json()["secret_key"]
        event = {
            "routing_key": key,
            "event_action": "trigger",
            "payload": {
                "summary": SCRIPT,
                "source": SCRIPT,
                "severity": "critical",
                "custom_details": {"note": SCRIPT},
            },
            "links": [{"href": "javascript:alert(1)", "text": SCRIPT}],
        }
        answer = app.client.post("/v2/enqueue", json=event)
        assert answer.status_code == 202, answer.text
        create_account(app)
        sign_in(app.client)
        [alert] = app.warroom.alerts.search(SYSTEM, AlertFilter()).items
        for page in (
            app.client.get("/alerts"),
            app.client.get(f"/alerts/{alert.id}"),
            app.client.get(f"/alerts?q={SCRIPT}"),
        ):
            assert page.status_code == 200
            assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
            assert 'href="javascript:' not in page.text
