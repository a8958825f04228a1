"""What a paged person's SMS reply means."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.chat.sms_replies import HELP_TEXT, AckReply, HelpReply, UnknownReply, parse_sms_reply


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("ack 42", "42"),
        ("ACK INC-42", "42"),
        ("Ack inc42", "42"),
        ("a 42", "42"),
        ("  acknowledge   #7 ", "7"),
        ("Ack 42.", "42"),
        ("ack 0042", "42"),
        ("ack", None),
        ("A", None),
        ("Ack!", None),
    ],
)
def test_acknowledgements(text: str, ref: str | None) -> None:
    assert parse_sms_reply(text) == AckReply(ref)


@pytest.mark.parametrize("text", ["help", "HELP", "?", " h "])
def test_help(text: str) -> None:
    reply = parse_sms_reply(text)
    assert isinstance(reply, HelpReply) and "ack 42" in reply.text


@pytest.mark.parametrize("text", ["", "ok", "ack forty-two", "ack 42 43", "acked 42", "42", "ack INC-", "stop"])
def test_anything_else_is_answered_with_the_commands(text: str) -> None:
    reply = parse_sms_reply(text)
    assert isinstance(reply, UnknownReply)
    assert reply.text.startswith("Not understood") and HELP_TEXT in reply.text


@given(st.integers(min_value=0, max_value=10**12 - 1), st.sampled_from(["a", "ack", "ACK", "acknowledge"]))
def test_every_incident_number_round_trips(number: int, verb: str) -> None:
    assert parse_sms_reply(f"{verb} INC-{number}") == AckReply(str(number))
