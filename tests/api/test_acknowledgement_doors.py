"""A paged person acknowledges through each door: SMS reply, phone keypad, Slack button, signed link.

The real application on a manual clock pages through its webhook channel to a loopback receiver; the
doors are called as Twilio and Slack call them, signed with their own libraries over the public URL.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx2
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from tests.harness.app import RunningApp, fixture_playbook, start_app
from tests.harness.paging import PAGE_SECRET, Pager
from tests.harness.webhook_receiver import WebhookReceiver
from warroom.clock import ManualClock
from warroom.notify.ack_links import AckClaim, sign
from warroom.playbook.schema import Playbook
from warroom.playbook.schema.common import Method
from warroom.playbook.schema.oncall import ContactMethod
from warroom.store.tables import delivery_attempts, outbox, pages

PUBLIC = "https://warroom.example"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
SLACK_SECRET = "slack-signing-secret-for-tests"
ALICE_PHONE, ALICE_SLACK, BOB_PHONE = "+15550100", "U0ALICE", "+15550199"
TUESDAY = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)  # alice holds the first weekly shift of `primary`


def doors_playbook() -> Playbook:
    """The minimal fixture: alice is on call (sms, Slack), bob is the next level."""
    base = fixture_playbook("minimal")
    methods = {
        "alice": [
            ContactMethod(method=Method.SMS, address="+1 555 0100"),
            ContactMethod(method=Method.CHAT, address=ALICE_SLACK),
        ],
        "bob": [ContactMethod(method=Method.SMS, address=BOB_PHONE)],
    }
    people = [person.model_copy(update={"contact_methods": methods[person.key]}) for person in base.people]
    return base.model_copy(update={"people": people})


@contextmanager
def doors_app(database_url: str, **settings: Any) -> Iterator[tuple[RunningApp, Pager]]:
    values: dict[str, Any] = {
        "twilio_auth_token": TWILIO_TOKEN,
        "twilio_account_sid": "AC00000000000000000000000000000000",
        "slack_signing_secret": SLACK_SECRET,
        "public_url": PUBLIC + "/",
        **settings,
    }
    with WebhookReceiver() as receiver:
        app = start_app(
            database_url,
            playbook=doors_playbook(),
            clock=ManualClock(TUESDAY),
            page_webhook_url=receiver.url_for("/pages"),
            page_webhook_secret=PAGE_SECRET,
            **{key: value for key, value in values.items() if value is not None},
        )
        try:
            yield app, Pager(app, receiver)
        finally:
            app.client.close()
            app.warroom.close()


def page_alice(app: RunningApp, pager: Pager, title: str = "Checkout down") -> str:
    response = app.call("POST", "/api/v1/incidents", json={"title": title, "severity": "sev1"})
    assert response.status_code == 201, response.text
    pager.tick()
    pager.expect_people("alice")
    ref: str = response.json()["id"]
    return ref


def incident(app: RunningApp, ref: str) -> dict[str, Any]:
    body: dict[str, Any] = app.call("GET", f"/api/v1/incidents/{ref}").json()
    return body


def acknowledged_by(app: RunningApp, ref: str) -> str | None:
    return incident(app, ref)["acknowledged_by"]  # type: ignore[no-any-return]


def link_for(app: RunningApp, person: str = "alice", lifetime: timedelta = timedelta(hours=1)) -> str:
    """A signed link for the person's real page row."""
    with app.warroom.db.read() as connection:
        page = connection.execute(select(pages).where(pages.c.person == person)).one()
    return sign(app.warroom.ack_key, AckClaim(page.id, person, page.incident_id, app.clock.now() + lifetime))


def as_bob(token: str) -> str:
    """The link with its claim rewritten to name bob, alice's signature kept: a forgery."""
    payload, mac = token.split(".")
    claim = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = json.dumps({**claim, "u": "bob"}, separators=(",", ":")).encode()
    return f"{base64.urlsafe_b64encode(forged).rstrip(b'=').decode()}.{mac}"


def twilio_post(app: RunningApp, path: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> httpx2.Response:
    """POST as Twilio does: form fields, signed over the public URL it called."""
    signature = RequestValidator(token).compute_signature(PUBLIC + path, params)
    return app.client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def sms(app: RunningApp, body: str, sender: str = ALICE_PHONE) -> httpx2.Response:
    params = {"MessageSid": "SM" + "1" * 32, "From": sender, "To": "+15559999", "Body": body}
    return twilio_post(app, "/hooks/twilio/sms", params)


def twiml(response: httpx2.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return response.text


def assert_escalation_stopped(app: RunningApp, pager: Pager, ref: str, via: str) -> None:
    """Past level 1's 5-minute timeout nobody else is paged, and the timeline says who answered how."""
    pager.tick(6)
    pager.expect_nothing()
    events = app.call("GET", f"/api/v1/incidents/{ref}/timeline").json()
    assert any(e["kind"] == "page_acknowledged" and e["text"] == f"alice acknowledged {ref} by {via}" for e in events)


def test_an_sms_reply_acknowledges_and_stops_the_escalation(database_url: str) -> None:
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        reply = twiml(sms(app, f"Ack {ref}"))
        assert reply.endswith(f"<Response><Message>Acknowledged {ref}: Checkout down</Message></Response>")
        assert acknowledged_by(app, ref) == "alice"
        assert_escalation_stopped(app, pager, ref, "sms")


def test_ack_alone_acknowledges_the_latest_page_and_the_control_escalates(database_url: str) -> None:
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        pager.tick(5)  # nobody answered: level 2 pages bob (the control for the test above)
        pager.expect_people("bob")
        assert "Acknowledged" in twiml(sms(app, "a", sender="+1 (555) 0199"))
        assert acknowledged_by(app, ref) == "bob"


def test_sms_requests_that_must_change_nothing(database_url: str) -> None:
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        before = app.snapshot()
        assert "does not know this number" in twiml(sms(app, f"ack {ref}", sender="+15550777"))
        assert "ack 42" in twiml(sms(app, "help"))
        assert "Not understood" in twiml(sms(app, "on my way"))
        assert "INC-99 does not exist" in twiml(sms(app, "ack 99"))
        params = {"From": ALICE_PHONE, "Body": f"ack {ref}"}
        unsigned = app.client.post("/hooks/twilio/sms", data=params)
        assert unsigned.status_code == 403 and "missing" in unsigned.json()["detail"]
        assert twilio_post(app, "/hooks/twilio/sms", params, token="not-the-auth-token").status_code == 403
        # Signed for our bind address instead of the public URL Twilio calls: refused.
        local = RequestValidator(TWILIO_TOKEN).compute_signature("http://testserver/hooks/twilio/sms", params)
        assert (
            app.client.post("/hooks/twilio/sms", data=params, headers={"X-Twilio-Signature": local}).status_code == 403
        )
        tampered = {**params, "Body": "ack 99"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + "/hooks/twilio/sms", params)
        refused = app.client.post("/hooks/twilio/sms", data=tampered, headers={"X-Twilio-Signature": signature})
        assert refused.status_code == 403 and TWILIO_TOKEN not in refused.text
        assert app.snapshot() == before
        resolved = app.call("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": "false alarm"})
        assert resolved.status_code == 200, resolved.text
        before = app.snapshot()
        assert f"{ref} is resolved; nothing to acknowledge" in twiml(sms(app, f"ack {ref}"))
        assert app.snapshot() == before


def test_twilio_doors_refuse_when_no_auth_token_is_configured(database_url: str) -> None:
    with doors_app(database_url, twilio_auth_token=None) as (app, pager):
        ref = page_alice(app, pager)
        before = app.snapshot()
        for path in ("/hooks/twilio/sms", "/hooks/twilio/status", f"/hooks/twilio/voice/{link_for(app)}"):
            response = twilio_post(app, path, {"From": ALICE_PHONE, "Body": f"ack {ref}", "Digits": "1"})
            assert response.status_code == 403 and "not configured" in response.json()["detail"], path
        assert app.snapshot() == before


def test_a_signed_link_shows_a_form_on_get_and_acknowledges_on_post(database_url: str) -> None:
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager, title="<script>alert(1)</script> & checkout")
        token = link_for(app)
        before = app.snapshot()
        shown = app.client.get(f"/ack/{token}")  # what a mail scanner's prefetch does
        assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
        assert '<form method="post">' in shown.text and f"Acknowledge {ref} as alice?" in shown.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; checkout" in shown.text and "<script>" not in shown.text
        assert shown.headers["cache-control"] == "no-store" and shown.headers["referrer-policy"] == "no-referrer"
        assert app.snapshot() == before and acknowledged_by(app, ref) is None
        done = app.client.post(f"/ack/{token}")  # ntfy's "http" action: a POST with no body
        assert done.status_code == 200 and f"Acknowledged {ref}: &lt;script&gt;" in done.text
        assert acknowledged_by(app, ref) == "alice"
        again = app.client.post(f"/ack/{token}", headers={"Accept": "application/json"})
        assert again.status_code == 200
        assert again.json() == {
            "incident": ref,
            "person": "alice",
            "first": False,
            "text": f"{ref} was already acknowledged by alice; your notifications for it stop",
        }
        assert_escalation_stopped(app, pager, ref, "link")


def test_expired_tampered_and_resolved_links_are_refused(database_url: str) -> None:
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        token = link_for(app, lifetime=timedelta(minutes=2))
        tampered = as_bob(token)
        before = app.snapshot()
        for bad, reason in ((tampered, "not genuine"), ("not-a-token", "malformed")):
            for method in ("GET", "POST"):
                refused = app.client.request(method, f"/ack/{bad}")
                assert refused.status_code == 400 and reason in refused.text, (method, reason)
        as_json = app.client.post(f"/ack/{tampered}", headers={"Accept": "application/json"})
        assert as_json.status_code == 400 and as_json.headers["content-type"] == "application/problem+json"
        assert as_json.json()["errors"] == [{"field": "token", "reason": "this acknowledgement link is not genuine"}]
        app.clock.advance(timedelta(minutes=2))  # the engine does not run: only the link ages
        expired = app.client.post(f"/ack/{token}")
        assert expired.status_code == 400 and "expired at" in expired.text
        assert app.snapshot() == before
        fresh = link_for(app)
        assert app.call("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": "fixed"}).status_code == 200
        before = app.snapshot()
        for method in ("GET", "POST"):
            late = app.client.request(method, f"/ack/{fresh}")
            assert late.status_code == 409 and f"{ref} is resolved; nothing to acknowledge" in late.text, method
        assert app.snapshot() == before


def test_the_phone_keypad_acknowledges_with_1(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        token = link_for(app)
        path = f"/hooks/twilio/voice/{token}"
        call = {"CallSid": "CA" + "2" * 32, "From": "+15559999", "To": ALICE_PHONE}
        before = app.snapshot()
        prompt = twiml(twilio_post(app, path, call))
        assert '<Gather method="POST" numDigits="1"' in prompt and f"paging you for {ref}. Press 1" in prompt
        assert "<Say>Not acknowledged. Press 1 to acknowledge.</Say>" in twiml(
            twilio_post(app, path, {**call, "Digits": "7"})
        )
        wrong = twilio_post(app, path, {**call, "Digits": "1"}, token="not-the-auth-token")
        assert wrong.status_code == 403
        forged = twiml(twilio_post(app, f"/hooks/twilio/voice/{as_bob(token)}", {**call, "Digits": "1"}))
        assert "not genuine" in forged
        assert app.snapshot() == before
        done = twiml(twilio_post(app, path, {**call, "Digits": "1"}))
        assert f"<Say>Acknowledged {ref}: Checkout down</Say>" in done
        assert acknowledged_by(app, ref) == "alice"
        assert_escalation_stopped(app, pager, ref, "phone")
    # Our own log lines (the test client's httpx lines print its URLs; the server runs without access logs).
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("warroom"))
    assert "page_acknowledged" in logged and token not in logged and TWILIO_TOKEN not in logged


def button_click(user: str, value: str, response_url: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEAM"},
        "team": {"id": "T0TEAM", "domain": "example"},
        "response_url": response_url,
        "actions": [{"action_id": "acknowledge", "block_id": "page", "type": "button", "value": value}],
    }


def slack_post(
    app: RunningApp, payload: dict[str, Any], secret: str = SLACK_SECRET, signed_at: datetime | None = None
) -> httpx2.Response:
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int((signed_at or app.clock.now()).timestamp()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    return app.client.post("/hooks/slack/interactive", content=body, headers=headers)


def responses(app: RunningApp) -> list[tuple[str, str | None, dict[str, Any]]]:
    with app.warroom.db.read() as connection:
        rows = connection.execute(select(outbox).where(outbox.c.channel == "response_url").order_by(outbox.c.id))
        return [(row.idempotency_key, row.address, row.body) for row in rows]


def test_the_slack_button_acknowledges_and_answers_through_the_outbox(database_url: str) -> None:
    with WebhookReceiver() as slack, doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        response_url = slack.url_for("/actions/T0TEAM/1/response")
        before = app.snapshot()
        click = button_click(ALICE_SLACK, ref, response_url)
        assert slack_post(app, click, secret="not-the-secret").status_code == 401
        stale = slack_post(app, click, signed_at=app.clock.now() - timedelta(minutes=6))
        assert stale.status_code == 401 and "stale" in stale.json()["detail"]
        odd = slack_post(app, {**click, "actions": [{"action_id": "snooze", "value": ref}]})
        assert odd.status_code == 422 and odd.json()["errors"][0]["field"] == "payload.actions"
        assert app.snapshot() == before
        answered = slack_post(app, click)
        assert answered.status_code == 200 and answered.content == b""
        assert acknowledged_by(app, ref) == "alice"
        [(key, address, body)] = responses(app)
        assert key.startswith("slack-action:") and address == response_url
        assert body == {"kind": "response", "text": f"Acknowledged {ref}: Checkout down", "response_type": "ephemeral"}
        replayed = slack_post(app, click)  # same second, same body: the same signed request
        assert replayed.status_code == 409 and len(responses(app)) == 1
        assert_escalation_stopped(app, pager, ref, "slack")
        delivered = slack.wait_for(lambda request: request.path.endswith("/response"), count=1)
        assert delivered[0].json["text"] == f"Acknowledged {ref}: Checkout down"


def test_an_unknown_slack_user_is_told_how_to_be_known(database_url: str) -> None:
    with doors_app(database_url) as (app, pager):
        ref = page_alice(app, pager)
        answered = slack_post(app, button_click("U0STRANGER", ref, "https://hooks.slack.com/actions/T0TEAM/2/x"))
        assert answered.status_code == 200
        [(_, _, body)] = responses(app)
        assert "U0STRANGER" in body["text"] and "`chat` contact methods" in body["text"]
        assert acknowledged_by(app, ref) is None


def test_status_callbacks_reach_the_sender(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with doors_app(database_url) as (app, pager):
        page_alice(app, pager)
        before = app.snapshot()
        unknown = twilio_post(
            app, "/hooks/twilio/status", {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"}
        )
        assert unknown.status_code == 204  # no message has this id: the real sender records nothing
        assert app.snapshot() == before
        calls: list[tuple[str, str, str | None]] = []

        def recorder(provider_id: str, status: str, error: str | None) -> bool:
            calls.append((provider_id, status, error))
            return provider_id.startswith("SM")  # the call is unknown: answered 204 all the same

        monkeypatch.setattr(app.warroom.sender, "provider_status", recorder)
        sms_failed = {
            "MessageSid": "SM1",
            "MessageStatus": "undelivered",
            "ErrorCode": "30003",
            "ErrorMessage": "Unreachable",
        }
        assert twilio_post(app, "/hooks/twilio/status", sms_failed).status_code == 204
        assert (
            twilio_post(app, "/hooks/twilio/status", {"CallSid": "CA1", "CallStatus": "no-answer"}).status_code == 204
        )
        assert twilio_post(app, "/hooks/twilio/status", {"CallSid": "CA1"}).status_code == 400
        assert twilio_post(app, "/hooks/twilio/status", sms_failed, token="forged").status_code == 403
        assert calls == [("SM1", "undelivered", "30003: Unreachable"), ("CA1", "no-answer", None)]


class FakeTwilioRest:
    """Twilio's REST API on loopback, the part the SMS channel uses: each created Message answers 201 and a sid."""

    def __init__(self) -> None:
        self.created: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                sid = f"SM{len(fake.created) + 1:032d}"
                fake.created.append({**form, "path": self.path, "sid": sid})
                answer = json.dumps({"sid": sid, "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeTwilioRest:
        Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_an_undelivered_sms_callback_is_recorded_and_falls_back(database_url: str) -> None:
    """The whole loop through Twilio's wire: the SMS page goes out with our status callback URL, Twilio reports it
    undelivered, the ledger records it and the page goes to alice's next contact method."""
    with FakeTwilioRest() as twilio, doors_app(database_url, twilio_api_url=twilio.url, twilio_from="+1555") as doors:
        app, pager = doors
        response = app.call("POST", "/api/v1/incidents", json={"title": "Checkout down", "severity": "sev1"})
        assert response.status_code == 201, response.text
        pager.tick()
        pager.expect_nothing()  # alice's SMS went to Twilio, not to the page webhook
        [sent] = twilio.created
        assert sent["path"].endswith("/Messages.json") and sent["To"] == "+1 555 0100"
        assert sent["StatusCallback"] == f"{PUBLIC}/hooks/twilio/status"
        sid = sent["sid"]
        failed = {
            "MessageSid": sid,
            "MessageStatus": "undelivered",
            "ErrorCode": "30003",
            "ErrorMessage": "Unreachable",
        }
        assert twilio_post(app, "/hooks/twilio/status", failed).status_code == 204
        with app.warroom.db.read() as connection:
            ledger = connection.execute(
                select(delivery_attempts.c.outcome, delivery_attempts.c.error).where(
                    delivery_attempts.c.provider_id == sid
                )
            ).all()
        assert ("undelivered", "30003: Unreachable") in [tuple(row) for row in ledger]
        pager.tick()
        pager.expect(("alice", "chat"))  # no Slack bot here: the chat page goes to the page webhook
        assert "Acknowledged INC-1" in twiml(sms(app, sent["Body"].rsplit("'", 2)[1]))  # "Reply 'ack 1' to ..."
