"""The status page through its doors: public JSON, HTML and Atom without a token; the admin API with one;
subscribers by e-mail (a real SMTP server) and webhook (a loopback receiver, through the real sender)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select

from tests.harness.app import RunningApp
from tests.harness.smtp_server import SmtpServer
from tests.harness.webhook_receiver import WebhookReceiver
from tests.status.harness import ENDPOINTS, component_codes, indicator, schema_errors, status_app
from warroom.errors import Conflict
from warroom.store.tables import delivery_attempts, outbox

ATOM = "{http://www.w3.org/2005/Atom}"


def declare(app: RunningApp, title: str, **fields: object) -> int:
    response = app.call("POST", "/api/v1/incidents", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return int(response.json()["number"])


def open_public(app: RunningApp, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "Checkout errors")
    body.setdefault("body", "We are looking into errors at checkout.")
    response = app.call("POST", "/api/v1/status/incidents", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


class _Page(HTMLParser):
    """What a browser would show: the text of the page, by element id where one is set."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in ("br", "meta", "link", "input"):
            self._open.append(dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in ("br", "meta", "link", "input"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())
            for element_id in filter(None, self._open):
                self.by_id.setdefault(element_id, []).append(data.strip())


def parse_html(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def public_surfaces(app: RunningApp) -> dict[str, str]:
    """Every public endpoint, page and feed, and the page of every public incident they name."""
    found = {}
    codes: set[str] = set()
    for endpoint in ENDPOINTS:
        response = app.client.get(f"/api/v2/{endpoint}")
        assert response.status_code == 200
        found[endpoint] = response.text
        body = response.json()
        for key in ("incidents", "scheduled_maintenances"):
            codes.update(item["id"] for item in body.get(key, []))
    for path in ("/status", "/status/history.atom"):
        response = app.client.get(path)
        assert response.status_code == 200
        found[path] = response.text
    for code in codes:
        response = app.client.get(f"/status/incidents/{code}")
        assert response.status_code == 200
        found[code] = response.text
    return found


# ---- doors and input -------------------------------------------------------------------------------


def test_public_surfaces_need_no_token_and_the_admin_api_does(database_url: str) -> None:
    with status_app(database_url) as app:
        for endpoint in ENDPOINTS:
            response = app.client.get(f"/api/v2/{endpoint}")
            assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
        assert app.client.get("/status").headers["content-type"].startswith("text/html")
        assert app.client.get("/status/history.atom").headers["content-type"].startswith("application/atom+xml")
        assert app.client.get("/api/v1/status/components").status_code == 401
        body = {"name": "x", "body": "y"}
        assert app.call("POST", "/api/v1/status/incidents", who="viewer", json=body).status_code == 403
        assert app.call("GET", "/api/v1/status/subscribers", who="responder").status_code == 403
        assert app.call("GET", "/api/v1/status/subscribers", who="admin").json() == []


def test_bad_input_names_each_field_and_changes_nothing(database_url: str) -> None:
    with status_app(database_url) as app:
        before = app.snapshot()
        response = app.call(
            "POST",
            "/api/v1/status/incidents",
            json={"name": "X", "body": "Y", "impact": "huge", "components": {"nope": "major_outage", "api": "down"}},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["impact", "components.nope", "components.api"]
        assert "one of operational, under_maintenance" in response.json()["errors"][2]["reason"]
        start = app.clock.now() + timedelta(hours=1)
        response = app.call(
            "POST",
            "/api/v1/status/maintenances",
            json={"name": "M", "body": "B", "scheduled_for": start.isoformat(), "scheduled_until": start.isoformat()},
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "scheduled_until"
        response = app.call("POST", "/api/v1/status/incidents", json={"name": "", "body": "B", "colour": "red"})
        assert {e["field"] for e in response.json()["errors"]} == {"name", "colour"}
        assert app.call("PATCH", "/api/v1/status/components/nope", json={"status": "major_outage"}).status_code == 404
        response = app.call("PATCH", "/api/v1/status/components/group:Platform", json={"status": "major_outage"})
        assert response.status_code == 422 and "follows its components" in response.json()["detail"]
        assert (
            app.call(
                "POST", "/api/v1/status/incidents/zzzzzzzzzzzz/updates", json={"status": "resolved", "body": "x"}
            ).status_code
            == 404
        )
        assert app.client.get("/status/incidents/zzzzzzzzzzzz").status_code == 404
        assert app.snapshot() == before


def test_linking_a_private_incident_is_refused_saying_why(database_url: str) -> None:
    with status_app(database_url) as app:
        private = declare(app, "Key material exposed", private=True)
        response = app.call(
            "POST", "/api/v1/status/incidents", json={"name": "N", "body": "B", "incident": f"INC-{private}"}
        )
        assert response.status_code == 409
        assert response.json()["detail"].startswith(f"INC-{private} is private;")
        # Someone who may not see it is told no more than that it does not exist.
        response = app.call(
            "POST",
            "/api/v1/status/incidents",
            who="outsider",
            json={"name": "N", "body": "B", "incident": f"INC-{private}"},
        )
        assert response.status_code == 404
        public = declare(app, "Payments flapping")
        created = open_public(app, incident=f"INC-{public}")
        assert created["incident"] == f"INC-{public}"
        code = created["code"]
        assert (
            app.call("PUT", f"/api/v1/status/incidents/{code}/link", json={"incident": f"INC-{private}"}).status_code
            == 409
        )
        # The linked incident turned private: posting for it is refused too.
        assert app.call("PATCH", f"/api/v1/incidents/INC-{public}", json={"private": True}).is_success
        response = app.call(
            "POST", f"/api/v1/status/incidents/{code}/updates", json={"status": "identified", "body": "B"}
        )
        assert response.status_code == 409


def test_nothing_of_a_private_incident_reaches_any_public_surface(database_url: str) -> None:
    with status_app(database_url) as app:
        private = declare(app, "Vault credentials exfiltrated", private=True, summary="attacker used AKIA-7731 key")
        note = app.call("POST", f"/api/v1/incidents/INC-{private}/notes", json={"text": "rotate hsm-7 before noon"})
        assert note.status_code == 201
        with pytest.raises(Conflict), app.warroom.db.transaction() as tx:
            app.warroom.status_page.post_for_incident(
                tx,
                incident_id=private,
                status="investigating",
                body="Refused words about the vault",
                name="Vault trouble",
                impact="critical",
                components={"database": "major_outage"},
                actor="alice",
                now=app.clock.now(),
            )
        refused = app.call(
            "POST",
            "/api/v1/status/incidents",
            json={"name": "Other refused name", "body": "Other refused words", "incident": f"INC-{private}"},
        )
        assert refused.status_code == 409
        # An ordinary linked incident and a maintenance, so that every surface has something to show.
        internal = declare(app, "Payment provider flapping (internal)")
        with app.warroom.db.transaction() as tx:
            app.warroom.status_page.post_for_incident(
                tx,
                incident_id=internal,
                status="identified",
                body="Payments are delayed.",
                name="Payments delayed",
                impact=None,
                components={"api": "degraded_performance"},
                actor="alice",
                now=app.clock.now(),
            )
        start = app.clock.now() + timedelta(hours=2)
        maintenance = {
            "name": "Upgrade",
            "body": "Planned.",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=1)).isoformat(),
        }
        assert app.call("POST", "/api/v1/status/maintenances", json=maintenance).status_code == 201

        surfaces = public_surfaces(app)
        assert len(surfaces) == len(ENDPOINTS) + 2 + 2  # and the pages of the two public items
        secrets = [
            "Vault credentials exfiltrated",
            "AKIA-7731",
            "rotate hsm-7",
            "Refused words about the vault",
            "Vault trouble",
            "Other refused",
            "Payment provider flapping",
            f"INC-{private}",
            f"INC-{internal}",
            "INC-",
        ]
        for where, text in surfaces.items():
            for secret in secrets:
                assert secret not in text, f"{secret!r} on {where}"
        assert "Payments delayed" in surfaces["/status"] and "Payments are delayed." in surfaces["/status/history.atom"]


# ---- HTML and Atom ---------------------------------------------------------------------------------


def test_the_html_page_shows_status_components_and_incidents_escaped(database_url: str) -> None:
    with status_app(database_url) as app:
        created = open_public(
            app,
            name="<script>alert(1)</script> Login failing",
            body="Users <b>cannot</b> log in & retry.",
            components={"web": "major_outage"},
        )
        page = parse_html(app.client.get("/status").text)
        assert "script" not in page.tags and "b" not in page.tags
        assert page.by_id["status"] == ["Partial System Outage"]
        rows = page.by_id["components"]
        assert rows[:6] == ["Platform", "Major outage", "Public API", "(REST and webhooks)", "Operational", "Web app"]
        assert "<script>alert(1)</script> Login failing" in page.by_id[created["code"]]
        assert "- Users <b>cannot</b> log in & retry." in page.by_id[created["code"]]

        shortlink = app.client.get(created["shortlink"].removeprefix("https://status.example.com"))
        detail = parse_html(shortlink.text)
        assert detail.by_id["name"] == ["<script>alert(1)</script> Login failing"]
        assert detail.by_id["updates"][0] == "Investigating"


def test_the_atom_feed_lists_incidents_and_maintenances_with_their_updates(database_url: str) -> None:
    with status_app(database_url) as app:
        first = open_public(app, name="API <slow>")
        app.clock.advance(timedelta(minutes=10))
        app.call("POST", f"/api/v1/status/incidents/{first['code']}/resolve", json={"body": "Fast & fine again."})
        start = app.clock.now() + timedelta(days=1)
        body = {
            "name": "Upgrade",
            "body": "Planned work.",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=1)).isoformat(),
        }
        second = app.call("POST", "/api/v1/status/maintenances", json=body).json()

        feed = ET.fromstring(app.client.get("/status/history.atom").content)
        assert feed.tag == f"{ATOM}feed"
        assert feed.findtext(f"{ATOM}title") == "Minimal team Status - Incident History"
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["Upgrade", "API <slow>"]
        links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
        assert links == [second["shortlink"], first["shortlink"]]
        content = parse_html(entries[1].findtext(f"{ATOM}content") or "")
        assert content.text[:3] == ["Jan 5, 2026 - 10:10 CET", "Resolved", "- Fast & fine again."]
        assert entries[1].findtext(f"{ATOM}updated") == "2026-01-05T09:10:00.000Z"
        assert "SCHEDULED EVENT" in (entries[0].findtext(f"{ATOM}content") or "")


# ---- subscribers -----------------------------------------------------------------------------------


def _link(text: str, kind: str) -> str:
    match = re.search(rf"https://status\.example\.com(/status/subscriptions/[^/\s]+/{kind})", text)
    assert match, text
    return match.group(1)


def test_email_subscribers_confirm_then_hear_of_incidents_and_can_leave(database_url: str) -> None:
    with (
        SmtpServer("plain") as smtp,
        status_app(
            database_url,
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            smtp_security="none",
            smtp_from="Status <status@example.com>",
        ) as app,
    ):
        answer = app.client.post("/status/subscribe", json={"email": "ann@example.org"})
        assert answer.status_code == 202
        again = app.client.post("/status/subscribe", data={"email": "ann@example.org"})  # the HTML form
        assert again.status_code == 202 and "text/html" in again.headers["content-type"]
        app.warroom.sender.deliver_due()
        (confirmation,) = smtp.wait_for(1)  # asking twice sends one confirmation
        assert confirmation.envelope_to == ["ann@example.org"]
        assert confirmation.message["Subject"] == "[Minimal team] Confirm your subscription"
        confirm = _link(confirmation.message.get_content(), "confirm")

        open_public(app, name="Not yet subscribed")  # before confirming: nothing is sent
        app.warroom.sender.deliver_due()
        shown = app.client.get(confirm)  # a mail scanner's GET confirms nothing
        assert shown.status_code == 200 and "a***@example.org" in shown.text
        assert app.call("GET", "/api/v1/status/subscribers", who="admin").json()[0]["confirmed"] is False
        assert app.client.post(confirm).status_code == 200
        assert app.call("GET", "/api/v1/status/subscribers", who="admin").json()[0]["confirmed"] is True

        created = open_public(
            app, name="Login failing", body="Users cannot log in.", components={"web": "major_outage"}
        )
        app.warroom.sender.deliver_due()
        mails = smtp.wait_for(2)
        assert len(mails) == 2
        update = mails[1].message
        assert update["Subject"] == "[Minimal team] Investigating: Login failing"
        text = update.get_content()
        assert "Users cannot log in." in text and "Web app (Major outage)" in text
        assert created["shortlink"] in text
        unsubscribe = _link(text, "unsubscribe")

        assert app.client.post(unsubscribe, headers={"Accept": "application/json"}).json()["active"] is False
        app.call("POST", f"/api/v1/status/incidents/{created['code']}/resolve", json={})
        app.warroom.sender.deliver_due()
        assert len(smtp.received) == 2
        assert app.client.post(confirm).status_code == 409  # a cancelled subscription is not revived by its old link
        assert app.client.post("/status/subscriptions/not-a-real-token-at-all-xx/confirm").status_code == 404


def test_subscribing_by_email_needs_smtp_and_a_real_address(database_url: str) -> None:
    with status_app(database_url) as app:
        assert app.client.post("/status/subscribe", json={"email": "ann@example.org"}).status_code == 409
        response = app.client.post("/status/subscribe", json={"email": "not an address", "webhook": "ftp://x"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["email", "webhook"]
        assert "<form" not in app.client.get("/status").text  # the page offers no sign-up it cannot confirm


def test_webhook_subscribers_get_statuspage_payloads_through_the_sender(database_url: str) -> None:
    with WebhookReceiver() as receiver, status_app(database_url) as app:
        codes = component_codes(app)
        everything = app.call(
            "POST", "/api/v1/status/subscribers", who="admin", json={"webhook": receiver.url_for("/all")}
        )
        assert everything.status_code == 201 and everything.json()["confirmed"] is True
        only_email = {"webhook": receiver.url_for("/email-only"), "components": [codes["email"]]}
        assert app.call("POST", "/api/v1/status/subscribers", who="admin", json=only_email).status_code == 201

        created = open_public(app, name="API errors", components={"api": "partial_outage"})
        app.warroom.sender.deliver_due()
        incident, change = sorted(
            receiver.wait_for(lambda r: r.path == "/all", count=2), key=lambda r: "incident" not in r.json
        )
        body = incident.json
        assert set(body) == {"meta", "page", "incident"}
        assert body["meta"]["unsubscribe"].startswith("https://status.example.com/status/subscriptions/")
        assert body["page"] == {
            "id": app.client.get("/api/v2/status.json").json()["page"]["id"],
            "status_indicator": "minor",
            "status_description": "Minor Service Outage",
        }
        assert body["incident"]["id"] == created["code"] and body["incident"]["incident_updates"][0]["body"]
        page = app.client.get("/api/v2/status.json").json()["page"]
        assert schema_errors("incidents.json", {"page": page, "incidents": [body["incident"]]}) == []
        assert set(change.json) == {"meta", "page", "component_update", "component"}
        assert change.json["component_update"]["old_status"] == "operational"
        assert change.json["component_update"]["new_status"] == "partial_outage"
        assert change.json["component"]["id"] == codes["api"] == change.json["component_update"]["component_id"]
        assert receiver.requests("/email-only") == []  # it asked for e-mail delivery's changes only

        # Unsubscribing by the payload's own link stops them.
        assert (
            app.client.post(body["meta"]["unsubscribe"].removeprefix("https://status.example.com")).status_code == 200
        )
        app.call("PATCH", "/api/v1/status/components/email", json={"status": "degraded_performance"})
        app.warroom.sender.deliver_due()
        (only,) = receiver.wait_for(lambda r: r.path == "/email-only")
        assert only.json["component"]["name"] == "E-mail delivery"
        assert len(receiver.requests("/all")) == 2


def test_a_failing_webhook_is_retried_and_a_gone_one_given_up(database_url: str) -> None:
    with WebhookReceiver() as receiver, status_app(database_url) as app:
        for path in ("/flaky", "/gone"):
            app.call("POST", "/api/v1/status/subscribers", who="admin", json={"webhook": receiver.url_for(path)})
        receiver.respond_with(500, 410)  # flaky first (subscriber 1), then gone
        open_public(app, name="Blip")
        app.warroom.sender.deliver_due()
        assert [r.status for r in receiver.requests()] == [500, 410]
        app.clock.advance(timedelta(seconds=30))
        app.warroom.sender.deliver_due()
        assert [(r.path, r.status) for r in receiver.requests()][-1] == ("/flaky", 200)
        with app.warroom.db.read() as connection:
            rows = connection.execute(
                select(outbox.c.address, outbox.c.state, delivery_attempts.c.outcome)
                .join(delivery_attempts, delivery_attempts.c.outbox_id == outbox.c.id)
                .where(outbox.c.channel == "subscriber_webhook")
                .order_by(delivery_attempts.c.id)
            )
            ledger = [(address.rsplit("/", 1)[1], state, outcome) for address, state, outcome in rows]
        assert ledger == [("flaky", "sent", "failed"), ("gone", "failed", "failed"), ("flaky", "sent", "sent")]


def test_open_incident_with_a_declared_impact_and_no_components_shows_on_the_page(database_url: str) -> None:
    with status_app(database_url) as app:
        created = open_public(app, impact="major")
        assert indicator(app) == ("major", "Partial System Outage")
        app.call("POST", f"/api/v1/status/incidents/{created['code']}/resolve", json={})
        assert indicator(app) == ("none", "All Systems Operational")
