"""The status page subscribers' webhook channel against a loopback receiver: the payload as sent, the verdicts."""

from __future__ import annotations

import pytest

from tests.harness.webhook_receiver import WebhookReceiver
from warroom.notify.channels import DeliveryFailed
from warroom.notify.channels.subscriber_webhook import TIMEOUT_SECONDS, SubscriberWebhookChannel
from warroom.notify.outbox import Message

PAYLOAD = {"meta": {"unsubscribe": "https://x/u", "documentation": "https://x/d"}, "page": {"id": "abcdefghijkl"}}


def message(address: str | None, payload: object = PAYLOAD) -> Message:
    body = {"kind": "status_webhook", "payload": payload}
    return Message(1, "status:x:to:1", None, None, "subscriber_webhook", None, None, address, "s", body, 1)


def test_posts_exactly_the_payload_as_json() -> None:
    assert TIMEOUT_SECONDS == 30.0  # Statuspage: a 2xx within 30 s counts as delivered
    with WebhookReceiver() as receiver:
        channel = SubscriberWebhookChannel()
        channel.deliver(message(receiver.url_for("/hook")))
        channel.close()
        (request,) = receiver.requests("/hook")
        assert request.json == PAYLOAD
        assert request.header("content-type") == "application/json"


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (404, True), (410, True)])
def test_failures_say_whether_to_retry(status: int, permanent: bool) -> None:
    with WebhookReceiver(default_status=status) as receiver:
        channel = SubscriberWebhookChannel()
        with pytest.raises(DeliveryFailed) as failed:
            channel.deliver(message(receiver.url_for("/hook")))
        channel.close()
    assert str(failed.value) == f"HTTP {status}" and failed.value.permanent is permanent


def test_a_message_without_url_or_payload_fails_for_good() -> None:
    channel = SubscriberWebhookChannel()
    for broken in (message(None), message("http://127.0.0.1:9/", payload="text")):
        with pytest.raises(DeliveryFailed) as failed:
            channel.deliver(broken)
        assert failed.value.permanent
    channel.close()
