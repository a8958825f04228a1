"""What a paged person meant by an SMS reply: acknowledge (an incident, or their latest page), or help.

Pure: text in, a typed reply out. Phones autocorrect and capitalise, so case, surrounding blanks and a
trailing full stop or exclamation mark do not matter; anything else is answered with the commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HELP_TEXT = (
    "Warroom: reply 'ack 42' (or 'a 42', 'ack INC-42') to acknowledge INC-42, "
    "'ack' alone for your latest page, 'help' for this text."
)

_ACK = re.compile(r"^(?:a|ack|acknowledge)(?:\s+(?:inc-?|#)?(?P<number>\d{1,12}))?$")
_HELP = frozenset({"help", "?", "h", "info"})


@dataclass(frozen=True)
class AckReply:
    """Acknowledge incident `ref` ("42"), or the person's latest unanswered page when None."""

    ref: str | None


@dataclass(frozen=True)
class HelpReply:
    text: str = HELP_TEXT


@dataclass(frozen=True)
class UnknownReply:
    """Not a command: `text` tells the person what they can send."""

    text: str


SmsReply = AckReply | HelpReply | UnknownReply


def parse_sms_reply(body: str) -> SmsReply:
    text = " ".join(body.split()).lower().rstrip(".!")
    if text in _HELP:
        return HelpReply()
    match = _ACK.match(text)
    if match is not None:
        number = match.group("number")
        return AckReply(str(int(number)) if number else None)
    return UnknownReply(f"Not understood. {HELP_TEXT}")
