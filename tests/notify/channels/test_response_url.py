"""A chat command's later answer posted to its response_url (the fake Slack's response_url path)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.fake_slack import FakeSlack
from tests.harness.server import free_port
from tests.notify.channels import outbox_message
from warroom.notify.channels import DeliveryFailed
from warroom.notify.channels.response_url import ResponseUrlChannel
from warroom.notify.outbox import Message


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _response(url: str, **extra: str) -> Message:
    return outbox_message("response_url", url, {"kind": "response", "text": "INC-42 acknowledged by alice", **extra})


def _failure(message: Message) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        ResponseUrlChannel(timeout=2).deliver(message)
    assert str(message.address) not in str(caught.value)
    return caught.value


def test_the_answer_is_posted_ephemeral_by_default(slack: FakeSlack) -> None:
    url = slack.response_url_for("cmd-1")

    ResponseUrlChannel(timeout=5).deliver(_response(url))
    ResponseUrlChannel(timeout=5).deliver(_response(url, response_type="in_channel"))

    assert slack.calls("response_url") == [
        {"response_type": "ephemeral", "text": "INC-42 acknowledged by alice", "replace_original": False},
        {"response_type": "in_channel", "text": "INC-42 acknowledged by alice", "replace_original": False},
    ]
    assert slack.received[0].path == "/response/cmd-1"


@pytest.mark.parametrize(("status", "permanent"), [(404, True), (410, True), (500, False), (502, False)])
def test_an_expired_url_is_permanent_a_server_error_transient(slack: FakeSlack, status: int, permanent: bool) -> None:
    slack.fail_next(method="response_url", status=status, error="expired_url" if permanent else "internal_error")

    failure = _failure(_response(slack.response_url_for("cmd-2")))

    assert failure.permanent is permanent and f"HTTP {status}" in str(failure)


def test_a_rate_limit_carries_retry_after(slack: FakeSlack) -> None:
    slack.fail_next(method="response_url", status=429, error="rate_limited", retry_after=12)

    failure = _failure(_response(slack.response_url_for("cmd-3")))

    assert not failure.permanent and failure.retry_after == 12.0


def test_an_unreachable_url_is_transient_and_a_missing_one_permanent() -> None:
    assert not _failure(_response(f"http://127.0.0.1:{free_port()}/response/cmd-4")).permanent
    assert _failure(outbox_message("response_url", None, {"kind": "response", "text": "x"})).permanent
