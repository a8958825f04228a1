"""Slash commands end to end: Slack-signed (slack_sdk's own signer) and Mattermost forms into the real app.

The app runs the GreenLang preset (P0..P3, a time-matrix escalation) on a manual clock. Some tests link
Slack users to playbook people by adding their Slack user id as a `chat` contact method.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Connection, select

from tests.harness.app import RunningApp, start_app
from tests.harness.webhook_receiver import WebhookReceiver
from warroom.api.routers import chat_commands
from warroom.auth.actors import Actor
from warroom.chat.rooms import record_room
from warroom.incidents.lifecycle import Status
from warroom.playbook.loader import load_preset
from warroom.playbook.schema import Playbook
from warroom.store.tables import outbox

SLACK_SECRET = "slack-signing-secret-for-chat-tests"
MATTERMOST_TOKEN = "mattermost-command-token-for-tests"
IC_SLACK, ENGINEER_SLACK = "U0IC", "U0ENG1"
_triggers = itertools.count(1)


def linked_greenlang(acknowledgement_chain: bool = False) -> Playbook:
    """GreenLang with two people linked to Slack users; optionally its P0 policy as an acknowledgement chain."""
    data = load_preset("greenlang").model_dump(mode="json", by_alias=True, exclude_unset=True)
    links = {"incident-commander": IC_SLACK, "oncall-engineer-1": ENGINEER_SLACK}
    for person in data["people"]:
        if person["key"] in links:
            person["contact_methods"].append({"method": "chat", "address": links[person["key"]]})
    if acknowledgement_chain:
        policy = next(p for p in data["escalation_policies"] if p["key"] == "p0-matrix")
        policy["kind"] = "acknowledgement"
        policy["levels"] = [
            {"targets": [{"person": "incident-commander"}], "timeout": "5m"},
            {"targets": [{"person": "engineering-lead"}], "timeout": "10m"},
            {"targets": [{"person": "cto"}]},
        ]
    return Playbook.model_validate(data)


class Chat:
    def __init__(self, app: RunningApp) -> None:
        self.app = app

    def form(self, text: str, command: str = "/incident", **fields: str) -> bytes:
        values = {
            "token": "deprecated-verification-token",
            "team_id": "T0GREEN",
            "team_domain": "greenlang",
            "channel_id": fields.pop("channel_id", "C0GENERAL"),
            "channel_name": "general",
            "user_id": fields.pop("user_id", "U0ALICE"),
            "user_name": fields.pop("user_name", "alice"),
            "command": command,
            "text": text,
            "api_app_id": "A0WARROOM",
            "response_url": fields.pop("response_url", "https://hooks.slack.invalid/commands/T0GREEN/1/x"),
            "trigger_id": f"{next(_triggers)}.trigger",
            **fields,
        }
        return urlencode(values).encode()

    def signed(self, raw: bytes, secret: str = SLACK_SECRET, at: datetime | None = None) -> dict[str, str]:
        timestamp = str(int((at or self.app.clock.now()).timestamp()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=raw)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}

    def post(self, raw: bytes, headers: dict[str, str], path: str = "/hooks/slack/commands") -> httpx2.Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
        return self.app.client.post(path, content=raw, headers=headers)

    def slack(self, text: str, command: str = "/incident", **fields: str) -> dict[str, Any]:
        raw = self.form(text, command, **fields)
        response = self.post(raw, self.signed(raw))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body: dict[str, Any] = response.json()
        assert set(body) == {"response_type", "text"}
        return body

    def incident(self, ref: str) -> dict[str, Any]:
        response = self.app.call("GET", f"/api/v1/incidents/{ref}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def timeline(self, ref: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.app.call("GET", f"/api/v1/incidents/{ref}/timeline").json()
        return result

    def escalations(self, ref: str) -> dict[str, Any]:
        result: dict[str, Any] = self.app.call("GET", f"/api/v1/incidents/{ref}/escalations").json()
        return result

    def unchanged_but_the_replay_guard(self) -> dict[str, Any]:
        snapshot = self.app.snapshot()
        snapshot.pop("chat_replays")
        return snapshot


@contextmanager
def chat_app(database_url: str, playbook: Playbook | None = None) -> Iterator[Chat]:
    app = start_app(
        database_url,
        playbook=playbook,
        preset=None if playbook else "greenlang",
        slack_signing_secret=SLACK_SECRET,
        mattermost_command_token=MATTERMOST_TOKEN,
    )
    try:
        yield Chat(app)
    finally:
        app.client.close()
        app.warroom.close()


def test_declare_status_update_role_and_close(database_url: str) -> None:
    with chat_app(database_url, linked_greenlang()) as chat:
        reply = chat.slack('declare "P0: Complete service outage"')
        assert reply["response_type"] == "in_channel"
        assert reply["text"].startswith("INC-1 declared: [P0] Complete service outage")
        assert "Paging: " in reply["text"] and "incident-commander" in reply["text"]
        incident = chat.incident("INC-1")
        assert (incident["severity"], incident["title"], incident["created_by"]) == (
            "p0",
            "Complete service outage",
            "slack:alice",
        )

        reply = chat.slack('status INC-1 identified "bad deploy & rollback"')
        assert reply == {"response_type": "in_channel", "text": "INC-1 is now identified: bad deploy &amp; rollback"}
        reply = chat.slack('update #1 "error rate back under 1%"', user_id=IC_SLACK, user_name="renamed")
        assert reply["text"] == "INC-1 update from incident-commander: error rate back under 1%"
        reply = chat.slack(f"role INC-1 scribe <@{ENGINEER_SLACK}|eng1>")
        assert reply["text"] == "INC-1: Scribe is now On-Call Engineer 1 (oncall-engineer-1)"
        reply = chat.slack('role INC-1 "tech lead" @incident-commander')
        assert reply["text"] == "INC-1: Technical Lead is now Incident Commander (incident-commander)"
        reply = chat.slack('close INC-1 "Resolved: rolled back v2.3"')
        assert reply["text"] == "INC-1 resolved by slack:alice: Resolved: rolled back v2.3"

        incident = chat.incident("INC-1")
        assert incident["status"] == "resolved"
        assert {(r["role"], r["person"]) for r in incident["roles"]} >= {
            ("scribe", "oncall-engineer-1"),
            ("technical_lead", "incident-commander"),
        }
        events = {(e["kind"], e["actor"], e["text"]) for e in chat.timeline("INC-1")}
        assert ("status_changed", "slack:alice", "Status investigating -> identified: bad deploy & rollback") in events
        assert ("note", "incident-commander", "error rate back under 1%") in events
        assert ("status_changed", "slack:alice", "Status identified -> resolved: Resolved: rolled back v2.3") in events


def test_declare_without_a_severity_takes_triage_and_bad_input_changes_nothing(database_url: str) -> None:
    with chat_app(database_url) as chat:
        reply = chat.slack('create "Brief description"')
        assert reply["text"].startswith("INC-1 declared: [P1] Brief description\nSeverity P1 is triage's suggestion")
        assert chat.incident("INC-1")["severity_needs_confirmation"] is True

        before = chat.unchanged_but_the_replay_guard()
        for text, expected in (
            ('declare "SEV9: what"', "unknown severity 'SEV9'; this playbook has P0, P1, P2, P3"),
            ("status INC-1 fixed", "unknown status 'fixed'"),
            ("status INC-99 resolved", "Nothing changed: no incident INC-99"),
            ("status INC-1 closed", "Nothing changed: "),
            ("role INC-1 janitor @bob", "unknown role 'janitor'; this playbook has IC, Tech Lead, Comms, scribe"),
            ("role INC-1 ic <@U0NOBODY>", "Slack user U0NOBODY is not linked to a person in the playbook"),
            ("update it's down", "close every quote"),
            ('update "no incident named"', "Which incident? Name it"),
            ('declare "' + "x" * 301 + '"', "Nothing changed: title: String should have at most 300 characters"),
        ):
            reply = chat.slack(text)
            assert reply["response_type"] == "ephemeral", text
            assert expected in reply["text"], (text, reply["text"])
        assert chat.unchanged_but_the_replay_guard() == before


def test_help_and_empty_text_are_the_usage(database_url: str) -> None:
    with chat_app(database_url) as chat:
        for text in ("help", ""):
            reply = chat.slack(text)
            assert reply["response_type"] == "ephemeral"
            assert "/incident declare" in reply["text"] and "/incident ack [INC-42]" in reply["text"]
            assert "A severity (P0, P1, P2, P3)" in reply["text"]


def test_commands_in_a_war_room_act_on_its_incident(database_url: str) -> None:
    with chat_app(database_url) as chat:
        chat.slack('declare "P2: search slow"')
        chat.slack('declare "P2: docs down"')
        with chat.app.warroom.db.transaction() as tx:
            record_room(tx, 2, "slack", "C0WAR2", "inc-2-docs-down", chat.app.clock.now())
        reply = chat.slack('update "CDN purge running"', channel_id="C0WAR2")
        assert reply["text"] == "INC-2 update from slack:alice: CDN purge running"
        # An explicit reference wins over the room.
        reply = chat.slack("status #1 monitoring", channel_id="C0WAR2")
        assert reply["text"] == "INC-1 is now monitoring"
        assert chat.incident("INC-2")["status"] == "investigating"
        # The room belongs to Slack: the same channel id from Mattermost is not it.
        raw = chat.form('update "from mattermost"', channel_id="C0WAR2", token=MATTERMOST_TOKEN)
        response = chat.post(raw, {}, "/hooks/mattermost/commands")
        assert "Which incident?" in response.json()["text"]


def test_escalate_pages_the_next_level(database_url: str) -> None:
    with chat_app(database_url) as chat:
        chat.slack('declare "P0: API returning 100% errors"')
        reply = chat.slack('escalate incident-1 "need architectural decisions"', command="/pd")
        assert reply["text"] == (
            "INC-1 escalated by slack:alice: need architectural decisions\n"
            "Paged engineering-lead (level 2 of P0 escalation matrix)"
        )
        state = chat.escalations("INC-1")
        assert state["escalations"][0]["level"] == 2
        assert [p["person"] for p in state["pages"] if p["level"] == 2] == ["engineering-lead"]


def test_page_pages_anyone_the_playbook_names_about_the_incident(database_url: str) -> None:
    with chat_app(database_url, linked_greenlang()) as chat:
        chat.slack('declare "P1: error rate 25%"')
        with chat.app.warroom.db.transaction() as tx:
            record_room(tx, 1, "slack", "C0WAR1", "inc-1", chat.app.clock.now())
        # The war room's incident; the role is nobody's yet, so its default (the IC person) is paged.
        reply = chat.slack('incident-commander "need you"', command="/page", channel_id="C0WAR1")
        assert reply["response_type"] == "in_channel"
        assert reply["text"] == "INC-1: paged incident-commander by slack:alice: need you"
        reply = chat.slack('page INC-1 legal "possible breach"')
        assert reply["text"] == "INC-1: paged legal by slack:alice: possible breach"
        reply = chat.slack(f"page #1 <@{ENGINEER_SLACK}|eng1>")  # a linked Slack user is their person
        assert reply["text"] == "INC-1: paged oncall-engineer-1 by slack:alice"
        manual = [(p["level"], p["person"]) for p in chat.escalations("INC-1")["pages"] if p["policy"] == "manual"]
        assert manual == [(1, "incident-commander"), (2, "legal"), (3, "oncall-engineer-1")]
        events = [e["text"] for e in chat.timeline("INC-1") if e["kind"] == "paged" and e["actor"] == "slack:alice"]
        assert "Paged legal (Legal Counsel) by slack:alice: possible breach" in events

        before = chat.unchanged_but_the_replay_guard()
        for text, expected in (
            ("page INC-1 nobody-here", "Nothing changed: target: no role, team, schedule or person 'nobody-here'"),
            ('page INC-1 <@U0NOBODY> "x"', "Slack user U0NOBODY is not linked to a person in the playbook"),
            ('page INC-9 legal "x"', "Nothing changed: no incident INC-9"),
        ):
            reply = chat.slack(text)
            assert reply["response_type"] == "ephemeral", text
            assert expected in reply["text"], (text, reply["text"])
        assert chat.unchanged_but_the_replay_guard() == before


def test_page_without_an_incident_declares_it_from_the_message_first(database_url: str) -> None:
    """GreenLang: `/page incident-commander "P0: [Brief description]"` comes before any declaration."""
    with chat_app(database_url) as chat:
        before = chat.unchanged_but_the_replay_guard()
        for text, expected in (
            ("incident-commander", 'give the message to declare one: /page incident-commander "P0: what is wrong"'),
            ('nobody-here "P0: down"', "Nothing changed: target: no role, team, schedule or person 'nobody-here'"),
            ('ic "P9: down"', "Nothing changed: unknown severity 'P9'; this playbook has P0, P1, P2, P3"),
        ):
            reply = chat.slack(text, command="/page")
            assert reply["response_type"] == "ephemeral", text
            assert expected in reply["text"], (text, reply["text"])
        assert chat.unchanged_but_the_replay_guard() == before

        reply = chat.slack('incident-commander "P0: [Brief description]"', command="/page")
        assert reply["response_type"] == "in_channel"
        lines = reply["text"].split("\n")
        assert lines[0] == "INC-1 declared: [P0] [Brief description]"
        assert lines[1].startswith("Paging: ") and "incident-commander" in lines[1]  # the P0 matrix at 0 minutes
        assert lines[-1] == "Paged incident-commander by slack:alice"
        incident = chat.incident("INC-1")
        assert (incident["severity"], incident["title"]) == ("p0", "[Brief description]")
        manual = [p["person"] for p in chat.escalations("INC-1")["pages"] if p["policy"] == "manual"]
        assert manual == ["incident-commander"]


def test_ack_as_the_linked_person_stops_the_acknowledgement_chain(database_url: str) -> None:
    with chat_app(database_url, linked_greenlang(acknowledgement_chain=True)) as chat:
        chat.slack('declare "P0: database completely unavailable"')
        assert chat.escalations("INC-1")["escalations"][0]["state"] == "running"

        before = chat.unchanged_but_the_replay_guard()
        reply = chat.slack("ack INC-1", user_id="U0STRANGER", user_name="mallory")
        assert reply["response_type"] == "ephemeral"
        assert "Add your Slack user id (U0STRANGER) as a `chat` contact method" in reply["text"]
        assert chat.unchanged_but_the_replay_guard() == before

        reply = chat.slack("ack", user_id=IC_SLACK, user_name="ic")  # latest unanswered page
        assert reply == {
            "response_type": "in_channel",
            "text": "INC-1 acknowledged by incident-commander: database completely unavailable",
        }
        incident = chat.incident("INC-1")
        assert incident["acknowledged_by"] == "incident-commander"
        state = chat.escalations("INC-1")
        assert state["escalations"][0]["state"] == "acknowledged"
        chat.app.clock.advance(timedelta(minutes=30))
        chat.app.warroom.engine.run_due()
        assert [p["person"] for p in chat.escalations("INC-1")["pages"]] == ["incident-commander"]
        events = [e for e in chat.timeline("INC-1") if e["kind"] == "page_acknowledged"]
        assert events[0]["after"] == {"person": "incident-commander", "via": "slack"}


def test_private_incidents_are_invisible_to_chat_callers(database_url: str) -> None:
    with chat_app(database_url) as chat:
        response = chat.app.call(
            "POST", "/api/v1/incidents", json={"title": "breach", "severity": "p1", "private": True}
        )
        assert response.status_code == 201
        reply = chat.slack('update INC-1 "what is this"')
        assert reply == {"response_type": "ephemeral", "text": "Nothing changed: no incident INC-1"}


def test_unverified_stale_and_replayed_requests_change_nothing(database_url: str) -> None:
    with chat_app(database_url) as chat:
        raw = chat.form('declare "P0: should not exist"')
        good = chat.signed(raw)
        before = chat.app.snapshot()
        cases = {
            "wrong secret": chat.signed(raw, secret="not-the-secret"),
            "tampered body": chat.signed(raw + b"&x=1"),
            "missing headers": {},
            "only a timestamp": {"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]},
        }
        for name, headers in cases.items():
            response = chat.post(raw, headers)
            assert response.status_code == 401, name
            assert response.headers["content-type"] == "application/problem+json"
            assert SLACK_SECRET not in response.text
        assert chat.app.snapshot() == before

        chat.app.clock.advance(timedelta(minutes=6))
        stale = chat.post(raw, good)
        assert stale.status_code == 401 and "stale" in stale.json()["detail"]
        assert chat.app.snapshot() == before

        fresh = chat.form('declare "P2: once"')
        headers = chat.signed(fresh)
        assert chat.post(fresh, headers).status_code == 200
        after_first = chat.app.snapshot()
        replay = chat.post(fresh, headers)
        assert replay.status_code == 409 and "replay" in replay.json()["detail"]
        assert chat.app.snapshot() == after_first
        assert chat.incident("INC-1")["title"] == "once"


def test_mattermost_token_right_and_wrong(database_url: str) -> None:
    with chat_app(database_url) as chat:
        before = chat.app.snapshot()
        for token in ("wrong-token", ""):
            raw = chat.form('declare "P3: typo"', token=token)
            response = chat.post(raw, {}, "/hooks/mattermost/commands")
            assert response.status_code == 401
            assert MATTERMOST_TOKEN not in response.text
        assert chat.app.snapshot() == before
        raw = chat.form('declare "P3: typo on the pricing page"', token=MATTERMOST_TOKEN, user_name="bob")
        response = chat.post(raw, {}, "/hooks/mattermost/commands")
        assert response.status_code == 200
        assert response.json() == {
            "response_type": "in_channel",
            "text": "INC-1 declared: [P3] typo on the pricing page",
        }
        assert chat.incident("INC-1")["created_by"] == "mattermost:bob"
        assert chat.post(raw, {}, "/hooks/mattermost/commands").status_code == 409


class SlowOpening:
    """An incident hook that holds the declaring transaction open until released."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        assert self.release.wait(10), "the test never released the slow hook"

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None: ...

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None: ...

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None: ...

    def progress(self, tx: Connection, number: int, now: datetime) -> None: ...


def test_a_slow_command_answers_at_once_and_replies_later_through_the_outbox(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat_commands, "REPLY_WITHIN", 0.2)
    with chat_app(database_url) as chat, WebhookReceiver() as receiver:
        slow = SlowOpening()
        chat.app.warroom.incidents.hooks.append(slow)
        response_url = receiver.url_for("/commands/T0GREEN/1/later")
        raw = chat.form('declare "P2: slow to open"', response_url=response_url)
        started = time.monotonic()
        response = chat.post(raw, chat.signed(raw))
        assert time.monotonic() - started < 2
        assert response.json() == {"response_type": "ephemeral", "text": "Working on it…"}
        slow.release.set()

        deadline = time.monotonic() + 5
        while (row := _response_row(chat)) is None and time.monotonic() < deadline:
            time.sleep(0.02)  # waiting for the worker thread's transaction, not for time to pass
        assert row is not None, "the later reply never reached the outbox"
        assert row.address == response_url and row.channel == "response_url"
        assert row.idempotency_key.startswith("response:")
        assert row.body == {
            "kind": "response",
            "response_type": "in_channel",
            "text": "INC-1 declared: [P2] slow to open\nPaging: oncall-engineer-1",
        }
        if "response_url" in chat.app.warroom.sender.channels:
            chat.app.warroom.sender.deliver_due()
            posted = receiver.wait_for(lambda r: r.path == "/commands/T0GREEN/1/later", timeout=5)
            assert posted[0].json["text"] == row.body["text"]


def _response_row(chat: Chat) -> Any:
    with chat.app.warroom.db.read() as connection:
        return connection.execute(select(outbox).where(outbox.c.channel == "response_url")).first()
