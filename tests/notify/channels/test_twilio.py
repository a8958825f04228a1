"""Twilio SMS and voice against the fake Twilio REST API."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness.fake_twilio import FakeTwilio
from tests.harness.server import free_port
from tests.notify.channels import outbox_message
from warroom.notify.channels import Delivered, DeliveryFailed
from warroom.notify.channels.twilio import TwilioSmsChannel, TwilioVoiceChannel
from warroom.notify.outbox import Message

FROM = "+15005550006"
TO = "+14155550100"
CALLBACK = "https://warroom.example.org/twilio/status"
ACTION_BASE = "https://warroom.example.org/twilio/voice/ack"
PAGE = {"kind": "page", "text": "SEV-1 INC-42: checkout is failing", "incident": "INC-42", "ack_token": "tok-9&x"}


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def _sms(twilio: FakeTwilio, token: str | None = None, url: str | None = None) -> TwilioSmsChannel:
    return TwilioSmsChannel(
        url or twilio.url, twilio.account_sid, token or twilio.auth_token, FROM, CALLBACK, timeout=2
    )


def _voice(twilio: FakeTwilio, action_base: str | None = ACTION_BASE) -> TwilioVoiceChannel:
    return TwilioVoiceChannel(
        twilio.url, twilio.account_sid, twilio.auth_token, FROM, CALLBACK, timeout=2, voice_action_base=action_base
    )


def _page(address: str = TO, **body: Any) -> Message:
    return outbox_message("sms", address, {**PAGE, **body})


def _failure(channel: TwilioSmsChannel | TwilioVoiceChannel, message: Message, secret: str) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        channel.deliver(message)
    assert secret not in str(caught.value)
    return caught.value


# ---- SMS -----------------------------------------------------------------------------------------------------------


def test_an_sms_page_ends_with_how_to_acknowledge(twilio: FakeTwilio) -> None:
    channel = _sms(twilio)

    delivered = channel.deliver(_page())
    channel.close()

    [sms] = twilio.messages()
    assert sms == {
        "To": TO,
        "From": FROM,
        "Body": "SEV-1 INC-42: checkout is failing\nReply 'ack 42' to acknowledge",
        "StatusCallback": CALLBACK,
    }
    assert delivered == Delivered(provider_id=twilio.requests[0].answer["sid"], detail={"status": "queued"})
    assert delivered.provider_id is not None and delivered.provider_id.startswith("SM")
    assert len(delivered.provider_id) == 34


def test_a_post_has_no_ack_hint_and_a_long_page_is_cut_to_1600(twilio: FakeTwilio) -> None:
    channel = _sms(twilio)

    channel.deliver(_page(kind="post"))
    channel.deliver(_page(text="x" * 5000))

    post, long_page = (sms["Body"] for sms in twilio.messages())
    assert post == "SEV-1 INC-42: checkout is failing"
    assert len(long_page) == 1600 and long_page.endswith("\nReply 'ack 42' to acknowledge")


def test_an_invalid_number_is_permanent_quoting_twilios_code(twilio: FakeTwilio) -> None:
    failure = _failure(_sms(twilio), _page(address="0415 555 0100"), twilio.auth_token)

    assert failure.permanent and "21211" in str(failure) and "Invalid 'To' Phone Number" in str(failure)


def test_an_unsubscribed_recipient_is_permanent(twilio: FakeTwilio) -> None:
    twilio.fail_next(status=400, code=21610)

    failure = _failure(_sms(twilio), _page(), twilio.auth_token)

    assert failure.permanent and "21610" in str(failure) and "unsubscribed" in str(failure)


def test_a_wrong_auth_token_is_permanent_and_never_quoted(twilio: FakeTwilio) -> None:
    failure = _failure(_sms(twilio, token="wrong-auth-token-123"), _page(), "wrong-auth-token-123")

    assert failure.permanent and "20003" in str(failure) and "HTTP 401" in str(failure)
    assert twilio.messages() == []


def test_rate_limits_outages_and_unreachable_twilio_are_transient(twilio: FakeTwilio) -> None:
    channel = _sms(twilio)
    twilio.fail_next(status=429, code=20429, retry_after=15)
    limited = _failure(channel, _page(), twilio.auth_token)
    assert not limited.permanent and limited.retry_after == 15.0 and "20429" in str(limited)

    twilio.down(True)
    outage = _failure(channel, _page(), twilio.auth_token)
    assert not outage.permanent and "HTTP 503" in str(outage)
    twilio.down(False)

    unreachable = _failure(_sms(twilio, url=f"http://127.0.0.1:{free_port()}"), _page(), twilio.auth_token)
    assert not unreachable.permanent

    channel.deliver(_page())
    assert len(twilio.messages()) == 1


# ---- voice ---------------------------------------------------------------------------------------------------------


def test_a_call_reads_the_page_and_gathers_one_digit(twilio: FakeTwilio) -> None:
    channel = _voice(twilio)

    delivered = channel.deliver(_page(text="Checkout <eu> & payments are failing"))
    channel.close()

    [call] = twilio.calls()
    assert call["To"] == TO and call["From"] == FROM and call["StatusCallback"] == CALLBACK
    response = ElementTree.fromstring(call["Twiml"])
    say, gather = list(response)
    assert response.tag == "Response" and say.tag == "Say"
    assert say.text == "Checkout <eu> & payments are failing"  # escaped on the wire, intact once parsed
    assert gather.tag == "Gather" and gather.attrib == {
        "numDigits": "1",
        "action": f"{ACTION_BASE}/tok-9%26x",
        "method": "POST",
    }
    assert [element.text for element in gather] == ["Press 1 to acknowledge."]
    assert delivered.provider_id is not None and delivered.provider_id.startswith("CA")


def test_without_an_action_base_or_token_a_call_only_speaks(twilio: FakeTwilio) -> None:
    _voice(twilio, action_base=None).deliver(_page())
    _voice(twilio).deliver(outbox_message("voice", TO, {"kind": "page", "text": "Checkout is failing"}))

    for call in twilio.calls():
        assert [element.tag for element in ElementTree.fromstring(call["Twiml"])] == ["Say"]


def test_a_call_error_is_classified_like_an_sms_error(twilio: FakeTwilio) -> None:
    invalid = _failure(_voice(twilio), _page(address="+1"), twilio.auth_token)
    assert invalid.permanent and "21211" in str(invalid)
    twilio.fail_next(status=500, code=20500, message="Internal Server Error")
    failure = _failure(_voice(twilio), _page(), twilio.auth_token)
    assert not failure.permanent and "20500" in str(failure)
