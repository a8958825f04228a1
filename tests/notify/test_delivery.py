"""Delivery end to end: the real application pages through its real channels to loopback fakes.

A manual clock moves; `tick()` runs the engine and the sender; each fake then holds exactly what arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.harness.delivery import DeliveryRun, delivery_app
from warroom.store.tables import delivery_attempts, outbox, timeline_events

T0 = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # a Saturday, 03:00 UTC


def ledger(run: DeliveryRun, **where: object) -> list[tuple[str, str, int]]:
    """(idempotency key, outcome, attempt) of every delivery attempt of the messages matching `where`."""
    query = select(outbox.c.idempotency_key, delivery_attempts.c.outcome, delivery_attempts.c.attempt).join(
        outbox, outbox.c.id == delivery_attempts.c.outbox_id
    )
    for column, value in where.items():
        query = query.where(outbox.c[column] == value)
    with run.app.warroom.db.read() as connection:
        return [tuple(row) for row in connection.execute(query.order_by(delivery_attempts.c.id))]  # type: ignore[misc]


def timeline(run: DeliveryRun, number: int, kind: str) -> list[str]:
    with run.app.warroom.db.read() as connection:
        return list(
            connection.execute(
                select(timeline_events.c.text)
                .where(timeline_events.c.incident_id == number, timeline_events.c.kind == kind)
                .order_by(timeline_events.c.id)
            ).scalars()
        )


def test_a_sev1_reaches_slack_push_sms_and_phone_by_the_persons_own_rules(database_url: str) -> None:
    with delivery_app(database_url, start=T0) as run:
        slack, twilio, ntfy = run.providers.slack, run.providers.twilio, run.providers.ntfy
        number = run.declare("Database down", "sev1")

        # The war room, named by the playbook's rule in UTC, and the first message posted into it.
        (created,) = slack.calls("conversations.create")
        assert created["name"] == "incident-20261205-database-down"
        room = slack.channel_named("incident-20261205-database-down")
        assert room is not None
        posts = [call for call in slack.calls("chat.postMessage") if call["channel"] == room.id]
        assert len(posts) == 1 and f"INC-{number}" in posts[0]["text"]
        assert timeline(run, number, "war_room_opened") == ["War room #incident-20261205-database-down opened"]

        # Ana's rules: push at once, SMS after 1 minute, a call after 3 (all allowed by SEV-1).
        (push,) = [request.json for request in ntfy.requests()]
        assert push["topic"] == "ana-pager" and push["priority"] == 5
        assert push["title"] == f"[SEV-1] INC-{number}: Database down"
        assert push["actions"][0]["url"].startswith("https://warroom.example/ack/")
        assert ntfy.requests()[0].header("Authorization") == "Bearer tk_harness_ntfy_token_a8f0"
        assert twilio.messages() == [] and twilio.calls() == []

        run.tick(59)
        assert twilio.messages() == []
        run.tick(1)
        (sms,) = twilio.messages()
        assert sms["To"] == "+15550101" and sms["From"] == "+15550000"
        assert f"INC-{number}" in sms["Body"] and f"ack {number}" in sms["Body"]
        assert sms["StatusCallback"] == "https://warroom.example/hooks/twilio/status"

        run.tick(120)
        (call,) = twilio.calls()
        assert call["To"] == "+15550101"
        assert "<Gather" in call["Twiml"] and "https://warroom.example/hooks/twilio/voice/" in call["Twiml"]
        assert len(ntfy.requests()) == 1 and len(twilio.messages()) == 1


def test_an_acknowledgement_stops_what_was_still_to_reach_the_person(database_url: str) -> None:
    with delivery_app(database_url, start=T0) as run:
        number = run.declare("Checkout failing", "sev1")
        run.tick(30)
        acked = run.app.call("POST", f"/api/v1/incidents/INC-{number}/acknowledge")
        assert acked.status_code == 200, acked.text
        run.tick(600)
        assert run.providers.twilio.messages() == [] and run.providers.twilio.calls() == []
        assert len(run.providers.ntfy.requests()) == 1
        outcomes = {key.split(":")[3]: outcome for key, outcome, _ in ledger(run, incident_id=number, recipient="ana")}
        assert outcomes == {"push": "sent"}  # the SMS and the call were cancelled before they were due
        with run.app.warroom.db.read() as connection:
            rows = connection.execute(select(outbox.c.method, outbox.c.state).where(outbox.c.recipient == "ana"))
            states = {method: state for method, state in rows}
        assert states == {"push": "sent", "sms": "cancelled", "phone": "cancelled"}


def test_email_reaches_a_real_smtp_server_with_starttls_and_auth(database_url: str) -> None:
    with delivery_app(database_url, start=T0) as run:
        number = run.declare("Reports delayed", "sev2")
        (mail,) = run.providers.smtp.received
        assert mail.tls and mail.authenticated_as == "pager"
        assert mail.envelope_to == ["ben@example.com"]
        assert mail.message["Subject"] == f"[SEV-2] INC-{number}: Reports delayed"
        assert mail.message["X-Warroom-Incident"] == f"INC-{number}"
        text = mail.message.get_content()
        assert "Reports delayed" in text and "https://warroom.example/ack/" in text
        # SEV-2 also pages by chat: a Slack direct message with an Acknowledge button.
        (dm,) = run.providers.slack.calls("chat.postMessage")
        assert dm["channel"] == "U0BEN"
        assert any(block.get("type") == "actions" for block in dm["blocks"])


def test_slack_failing_three_times_delivers_exactly_once_with_every_attempt_on_the_ledger(database_url: str) -> None:
    with delivery_app(database_url, start=T0) as run:
        slack = run.providers.slack
        slack.fail_next(3, status=500)
        number = run.declare("Search down", "sev1")
        assert slack.calls("conversations.create") == [] or slack.channel_named("incident-20261205-search-down") is None
        for wait in (30, 60, 120):  # backoff: 30 s, 1 min, 2 min
            run.tick(wait)
        assert slack.channel_named("incident-20261205-search-down") is not None
        run.tick(600)
        rooms = [c for c in slack.calls("conversations.create") if c["name"].startswith("incident-20261205-search")]
        created = [c for c in slack.channels.values() if c.name.startswith("incident-20261205-search")]
        assert len(created) == 1, "one war room, however many attempts"
        assert len(rooms) == 4  # three refused, one created
        assert [(o, a) for _, o, a in ledger(run, incident_id=number, channel="slack")] == [
            ("failed", 1),
            ("failed", 2),
            ("failed", 3),
            ("sent", 4),
        ]
        assert len(timeline(run, number, "war_room_opened")) == 1


def test_a_provider_down_ten_minutes_reaches_the_person_by_the_next_method(database_url: str) -> None:
    with delivery_app(database_url, start=T0) as run:
        twilio, smtp = run.providers.twilio, run.providers.smtp
        twilio.down(True)
        number = run.declare("Queue backlog", "sev3")  # SEV-3 pages Ben by SMS only
        run.tick(30)
        assert smtp.received == []
        run.tick(60)  # the third failed attempt: the configured attempts are spent
        (mail,) = smtp.received
        assert mail.envelope_to == ["ben@example.com"] and f"INC-{number}" in mail.message["Subject"]
        assert timeline(run, number, "delivery_failed") == [
            "Could not reach ben by sms (Twilio: HTTP 503); trying email next"
        ] or "trying email next" in timeline(run, number, "delivery_failed")[0]
        for _ in range(10):
            run.tick(60)
        twilio.down(False)
        run.tick(600)
        # Nothing lost, nothing doubled: one e-mail, no late SMS once Twilio is back.
        assert len(smtp.received) == 1 and twilio.messages() == []
        assert [o for _, o, _ in ledger(run, incident_id=number, method="sms")] == ["failed"] * 3
        metrics = run.app.client.get("/metrics").text
        assert 'warroom_deliveries_total{channel="sms",outcome="gave_up"}' in metrics


def test_pages_to_one_person_within_the_window_go_as_one_bundle(database_url: str) -> None:
    with delivery_app(database_url, start=T0) as run:
        twilio = run.providers.twilio
        first = run.declare("Disk 91% on db-1", "sev3")
        run.tick(10)
        second = run.declare("Disk 92% on db-2", "sev3")
        third = run.declare("Disk 93% on db-3", "sev3")
        assert len(twilio.messages()) == 1  # Ben's phone does not buzz three times in ten seconds
        run.tick(19)
        assert len(twilio.messages()) == 1
        run.tick(1)  # 30 s after the first: the rest go together
        bundle = twilio.messages()[1]["Body"]
        assert f"INC-{second}" in bundle and f"INC-{third}" in bundle and f"INC-{first}" not in bundle
        assert bundle.startswith("2 pages for you")
        with run.app.warroom.db.read() as connection:
            rows = connection.execute(select(outbox.c.state, outbox.c.bundled_into).where(outbox.c.method == "sms"))
            states = sorted((state, into is not None) for state, into in rows)
        assert states == [("sent", False), ("sent", False), ("sent", True)]


def test_a_channel_rate_limit_defers_without_spending_attempts(database_url: str) -> None:
    with delivery_app(database_url, start=T0, rate_limits={"sms": 1}, bundle_window_seconds=0) as run:
        twilio = run.providers.twilio
        run.declare("One", "sev3")
        run.declare("Two", "sev3")
        assert len(twilio.messages()) == 1
        run.tick(59)
        assert len(twilio.messages()) == 1
        run.tick(1)
        assert len(twilio.messages()) == 2
        assert [o for _, o, _ in ledger(run, method="sms")] == ["sent", "sent"]
