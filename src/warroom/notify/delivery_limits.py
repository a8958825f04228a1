"""Rate limits, read from the outbox itself so that several senders on one PostgreSQL share them.

- Per channel: at most N messages a minute (Slack's and Twilio's own limits are about one a second).
- Per person and method: one page message per bundling window; pages that arrive meanwhile wait and then go
  together as one bundle (nothing is dropped, a phone does not ring five times in a minute).
Both answer "not before T" (or None: go now); the sender defers the message to T without counting an attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, func, select

from warroom.notify.outbox import Message, MessageState
from warroom.store.tables import outbox

MINUTE = timedelta(minutes=1)

DEFAULT_PER_MINUTE: Mapping[str, int] = {
    "sms": 60,
    "voice": 30,
    "slack": 60,
    "email": 120,
    "push": 120,
    "teams": 30,
    "webhook": 600,
    "response_url": 600,
}


_CHANNEL_RECENT = (
    select(outbox.c.sent_at)
    .where(
        outbox.c.channel == bindparam("channel"),
        outbox.c.state == MessageState.SENT.value,
        outbox.c.bundled_into.is_(None),
        outbox.c.sent_at > bindparam("since"),
    )
    .order_by(outbox.c.sent_at.desc())
    .limit(bindparam("limit"))
)
_PERSON_LAST = select(func.max(outbox.c.sent_at)).where(
    outbox.c.recipient == bindparam("recipient"),
    outbox.c.method == bindparam("method"),
    outbox.c.state == MessageState.SENT.value,
    outbox.c.page_id.is_not(None),
    outbox.c.sent_at > bindparam("since"),
)


def recent_sends(tx: Connection, channel: str, now: datetime, per_minute: int) -> list[datetime]:
    """The channel's last `per_minute` deliveries within the minute before now, newest first."""
    params = {"channel": channel, "since": now - MINUTE, "limit": per_minute}
    return list(tx.execute(_CHANNEL_RECENT, params).scalars())


def allows_at(sent: list[datetime], now: datetime, per_minute: int) -> datetime | None:
    """None when another message fits in the minute before now, else when the oldest counted one leaves it."""
    within = [at for at in sent if at > now - MINUTE]
    if len(within) < per_minute:
        return None
    oldest: datetime = sorted(within, reverse=True)[per_minute - 1]
    return oldest + MINUTE  # the oldest of the last `per_minute` leaves the window


def person_allows_at(tx: Connection, message: Message, now: datetime, window: timedelta) -> datetime | None:
    if message.page_id is None or message.recipient is None or window <= timedelta(0):
        return None
    params = {"recipient": message.recipient, "method": message.method, "since": now - window}
    last = tx.execute(_PERSON_LAST, params).scalar()
    return None if last is None else last + window
