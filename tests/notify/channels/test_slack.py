"""The Slack channel against the fake Slack: posts, the incoming webhook, error classes and war rooms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.harness.fake_slack import BOT_USER, FakeSlack
from tests.harness.server import free_port
from tests.notify.channels import outbox_message
from warroom.notify.channels import DeliveryFailed
from warroom.notify.channels.slack import SlackChannel
from warroom.notify.outbox import Message

TOKEN = "xoxb-1234-secret-bot-token"
PAGE = {"kind": "page", "text": "Checkout is failing: 5xx > 20%", "incident": "INC-42", "ack": True}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def channel(slack: FakeSlack) -> Iterator[SlackChannel]:
    bot = SlackChannel(slack.api_url.rstrip("/"), TOKEN, None, timeout=5)  # the missing "/" is added
    yield bot
    bot.close()


def _failure(channel: SlackChannel, message: Message) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        channel.deliver(message)
    assert TOKEN not in str(caught.value)
    return caught.value


def _war_room(name: str = "inc-42-checkout", invite: Any = ("U0ALICE", "U0BOB"), key: str = "room:42") -> Message:
    body = {"kind": "war_room", "text": "War room for INC-42", "name": name, "invite": list(invite)}
    body["incident"] = "INC-42"
    return outbox_message("slack", None, body, key=key)


# ---- posts ---------------------------------------------------------------------------------------------------------


def test_a_page_is_posted_with_an_acknowledge_button(slack: FakeSlack, channel: SlackChannel) -> None:
    general = slack.add_channel("incidents")

    delivered = channel.deliver(outbox_message("slack", general, PAGE))

    [call] = slack.calls("chat.postMessage")
    assert call["channel"] == general and call["text"] == "Checkout is failing: 5xx &gt; 20%"
    section, actions = call["blocks"]
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": "Checkout is failing: 5xx &gt; 20%"}}
    [button] = actions["elements"]
    assert button["action_id"] == "acknowledge" and button["value"] == "INC-42" and button["style"] == "primary"
    assert button["text"] == {"type": "plain_text", "text": "Acknowledge"}
    assert slack.received[0].headers["authorization"] == f"Bearer {TOKEN}"
    [posted] = slack.channels[general].messages
    assert delivered.provider_id == posted["ts"]


def test_a_post_without_ack_has_no_button_and_a_user_id_is_a_direct_message(
    slack: FakeSlack, channel: SlackChannel
) -> None:
    delivered = channel.deliver(outbox_message("slack", "U0ALICE", {"kind": "post", "text": "Update: mitigated"}))

    [call] = slack.calls("chat.postMessage")
    assert [block["type"] for block in call["blocks"]] == ["section"]
    assert delivered.detail["channel"] == "DU0ALICE"


@pytest.mark.parametrize(
    "error",
    ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed", "account_inactive",
     "invalid_blocks", "msg_too_long", "restricted_action"],
)
def test_errors_retrying_cannot_fix_are_permanent(slack: FakeSlack, channel: SlackChannel, error: str) -> None:
    slack.fail_next(error=error)

    failure = _failure(channel, outbox_message("slack", "C0INCIDENTS", PAGE))

    assert failure.permanent and error in str(failure)


def test_a_real_unknown_channel_and_a_wrong_token_are_permanent(slack: FakeSlack) -> None:
    good = SlackChannel(slack.api_url, TOKEN, None)
    assert "channel_not_found" in str(failure := _failure(good, outbox_message("slack", "#nowhere", PAGE)))
    assert failure.permanent

    wrong = SlackChannel(slack.api_url, "xoxb-wrong-token", None)
    with pytest.raises(DeliveryFailed) as caught:
        wrong.deliver(outbox_message("slack", "#nowhere", PAGE))
    assert caught.value.permanent and "invalid_auth" in str(caught.value)
    assert "xoxb-wrong-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("script", "retry_after"),
    [
        ({"error": "internal_error"}, None),
        ({"error": "fatal_error"}, None),
        ({"status": 429, "retry_after": 7}, 7.0),
        ({"status": 503}, None),
    ],
)
def test_rate_limits_and_server_errors_are_transient(
    slack: FakeSlack, channel: SlackChannel, script: dict[str, Any], retry_after: float | None
) -> None:
    slack.fail_next(**script)

    failure = _failure(channel, outbox_message("slack", "C0INCIDENTS", PAGE))

    assert not failure.permanent and failure.retry_after == retry_after


def test_an_unreachable_slack_is_transient() -> None:
    channel = SlackChannel(f"http://127.0.0.1:{free_port()}/api/", TOKEN, None, timeout=2)

    failure = _failure(channel, outbox_message("slack", "C0INCIDENTS", PAGE))

    assert not failure.permanent and "chat.postMessage" in str(failure)


# ---- the incoming webhook ------------------------------------------------------------------------------------------


def test_without_a_bot_token_posts_go_to_the_incoming_webhook(slack: FakeSlack) -> None:
    channel = SlackChannel(slack.api_url, None, slack.webhook_url)

    delivered = channel.deliver(outbox_message("slack", "#incidents", PAGE))

    [call] = slack.calls("incoming_webhook")
    assert call["text"] == "Checkout is failing: 5xx &gt; 20%"
    assert call["blocks"][1]["elements"][0]["value"] == "INC-42"
    assert delivered.provider_id is None


@pytest.mark.parametrize(
    ("status", "error", "permanent"),
    [
        (400, "invalid_payload", True),
        (403, "action_prohibited", True),
        (404, "channel_not_found", True),
        (410, "channel_is_archived", True),
        (500, "rollup_error", False),
    ],
)
def test_incoming_webhook_errors(slack: FakeSlack, status: int, error: str, permanent: bool) -> None:
    channel = SlackChannel(slack.api_url, None, slack.webhook_url)
    slack.fail_next(method="incoming_webhook", status=status, error=error)

    failure = _failure(channel, outbox_message("slack", "#incidents", PAGE))

    assert failure.permanent is permanent and error in str(failure)
    assert slack.webhook_url not in str(failure) and "s3cr3tW3bh00kP4th" not in str(failure)


def test_incoming_webhook_rate_limit_and_outage(slack: FakeSlack) -> None:
    channel = SlackChannel(slack.api_url, None, slack.webhook_url)
    slack.fail_next(method="incoming_webhook", status=429, error="rate_limited", retry_after=30)
    assert _failure(channel, outbox_message("slack", "#incidents", PAGE)).retry_after == 30.0

    unreachable = f"http://127.0.0.1:{free_port()}/services/T0/B0/s3cr3tW3bh00kP4th"
    failure = _failure(SlackChannel(slack.api_url, None, unreachable), outbox_message("slack", "#incidents", PAGE))
    assert not failure.permanent and "s3cr3tW3bh00kP4th" not in str(failure)


def test_without_token_or_webhook_nothing_can_be_posted() -> None:
    failure = _failure(SlackChannel("https://slack.com/api/", None, None), outbox_message("slack", "#x", PAGE))

    assert failure.permanent and "WARROOM_SLACK_BOT_TOKEN" in str(failure)


# ---- war rooms -----------------------------------------------------------------------------------------------------


def test_a_war_room_is_created_tagged_invited_and_posted_to(slack: FakeSlack, channel: SlackChannel) -> None:
    delivered = channel.deliver(_war_room())

    room = slack.channel_named("inc-42-checkout")
    assert room is not None and delivered.provider_id == room.id
    assert delivered.detail == {"room_id": room.id, "name": "inc-42-checkout", "invite_errors": [], "reused": False}
    assert room.purpose.endswith("[warroom:room:42]")
    assert room.members == {BOT_USER, "U0ALICE", "U0BOB"}
    assert [m["text"] for m in room.messages] == ["War room for INC-42"]
    assert slack.calls("conversations.create") == [{"name": "inc-42-checkout", "is_private": "0"}]


def test_a_private_war_room(slack: FakeSlack, channel: SlackChannel) -> None:
    message = _war_room()
    channel.deliver(outbox_message("slack", None, {**message.body, "private": True}, key="room:43"))

    room = slack.channel_named("inc-42-checkout")
    assert room is not None and room.is_private


def test_a_taken_name_gets_the_next_number(slack: FakeSlack, channel: SlackChannel) -> None:
    slack.add_channel("inc-42-checkout", purpose="someone else's")
    slack.add_channel("inc-42-checkout-2")
    slack.add_channel("inc-42-checkout-3", archived=True)  # not listed, yet an archived channel keeps its name

    delivered = channel.deliver(_war_room())

    assert delivered.detail["name"] == "inc-42-checkout-4" and not delivered.detail["reused"]
    # -2 is known taken from the listing, so it is not even tried; -3 is learnt from Slack's name_taken
    tried = [c["name"] for c in slack.calls("conversations.create")]
    assert tried == ["inc-42-checkout", "inc-42-checkout-3", "inc-42-checkout-4"]


def test_numbered_names_stay_within_80_characters(slack: FakeSlack, channel: SlackChannel) -> None:
    long_name = "inc-42-" + "x" * 73
    slack.add_channel(long_name)

    delivered = channel.deliver(_war_room(name=long_name))

    assert delivered.detail["name"] == long_name[:78] + "-2"


def test_a_retry_after_a_failed_invite_reuses_the_room_it_created(slack: FakeSlack, channel: SlackChannel) -> None:
    slack.fail_next(method="conversations.invite", error="internal_error")
    first = _failure(channel, _war_room())
    assert not first.permanent

    delivered = channel.deliver(_war_room())  # the sender's retry: same idempotency key

    rooms = [c for c in slack.channels.values() if c.name.startswith("inc-42-checkout")]
    assert [r.name for r in rooms] == ["inc-42-checkout"]
    assert delivered.detail["reused"] and delivered.provider_id == rooms[0].id
    assert rooms[0].members == {BOT_USER, "U0ALICE", "U0BOB"}
    assert len(rooms[0].messages) == 1


def test_a_retry_finds_its_room_on_a_later_page(slack: FakeSlack) -> None:
    slack.list_page_size = 2
    for number in range(5):
        slack.add_channel(f"team-{number}")
    channel = SlackChannel(slack.api_url, TOKEN, None)
    slack.fail_next(method="chat.postMessage", status=502)
    _failure(channel, _war_room())

    delivered = channel.deliver(_war_room())

    assert delivered.detail["name"] == "inc-42-checkout" and delivered.detail["reused"]
    assert len(slack.calls("conversations.list")) == 3
    assert len(slack.calls("conversations.create")) == 2


def test_another_incidents_room_of_the_same_name_is_not_reused(slack: FakeSlack, channel: SlackChannel) -> None:
    channel.deliver(_war_room(key="room:41"))

    delivered = channel.deliver(_war_room(key="room:42"))

    assert delivered.detail["name"] == "inc-42-checkout-2" and not delivered.detail["reused"]


def test_invite_problems_are_reported_not_fatal() -> None:
    with FakeSlack(token=TOKEN, users={"U0ALICE"}) as slack:
        bot = SlackChannel(slack.api_url, TOKEN, None)

        delivered = bot.deliver(_war_room(invite=["U0ALICE", "U0GHOST", BOT_USER]))

        assert delivered.detail["invite_errors"] == [
            {"user": "U0GHOST", "error": "user_not_found"},
            {"user": BOT_USER, "error": "cant_invite_self"},
        ]
        room = slack.channel_named("inc-42-checkout")
        assert room is not None and "U0ALICE" in room.members and len(room.messages) == 1


def test_a_name_is_slugged_to_slacks_rules(slack: FakeSlack, channel: SlackChannel) -> None:
    delivered = channel.deliver(_war_room(name="INC 42 Checkout.EU"))

    assert delivered.detail["name"] == "inc-42-checkout-eu"


def test_the_fake_enforces_slacks_channel_name_rules(slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=slack.api_url)
    for bad, error in [("Inc-42", "invalid_name_specials"), ("inc 42", "invalid_name_specials"),
                       ("inc.42", "invalid_name_specials"), ("x" * 81, "invalid_name_maxlength")]:
        with pytest.raises(SlackApiError) as caught:
            client.conversations_create(name=bad)
        assert caught.value.response["error"] == error


def test_a_war_room_needs_a_bot_token(slack: FakeSlack) -> None:
    failure = _failure(SlackChannel(slack.api_url, None, slack.webhook_url), _war_room())

    assert failure.permanent and "WARROOM_SLACK_BOT_TOKEN" in str(failure)
    assert slack.received == []
