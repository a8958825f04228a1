"""Is this chat request really from Slack (or Mattermost), and is it the first time we see it?

Slack: `X-Slack-Signature` = "v0=" + HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}") with the
timestamp within 5 minutes of our clock, compared in constant time (slack_sdk's own verifier, on our
clock). Mattermost sends a per-command token in the form; it is compared in constant time.

A request that verifies is remembered by its signature's digest until the window has passed, so the same
signed body replayed inside the window is refused too and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from slack_sdk.signature import Clock as SlackClock
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Connection, delete, insert, select

from warroom.clock import Clock
from warroom.errors import Conflict, Unauthenticated
from warroom.store.tables import chat_replays

WINDOW = timedelta(minutes=5)


class _OnOurClock(SlackClock):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now().timestamp()


def verify_slack(signing_secret: str | None, clock: Clock, body: bytes, headers: Mapping[str, str]) -> str:
    """The signature, if the request is Slack's and fresh; else Unauthenticated saying what was wrong."""
    if not signing_secret:
        raise Unauthenticated("Slack is not configured here: set WARROOM_SLACK_SIGNING_SECRET")
    lowered = {key.lower(): value for key, value in headers.items()}
    timestamp = lowered.get("x-slack-request-timestamp")
    signature = lowered.get("x-slack-signature")
    if not timestamp or not signature:
        raise Unauthenticated("missing X-Slack-Signature or X-Slack-Request-Timestamp")
    try:
        age = abs(clock.now().timestamp() - int(timestamp))
    except ValueError:
        raise Unauthenticated("X-Slack-Request-Timestamp is not a number") from None
    if age > WINDOW.total_seconds():
        raise Unauthenticated("stale request: X-Slack-Request-Timestamp is more than 5 minutes from now")
    verifier = SignatureVerifier(signing_secret, clock=_OnOurClock(clock))
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        raise Unauthenticated("X-Slack-Signature does not match the body")
    return signature


def verify_mattermost(expected: str | None, token: str | None) -> str:
    if not expected:
        raise Unauthenticated("Mattermost is not configured here: set WARROOM_MATTERMOST_COMMAND_TOKEN")
    if not token or not hmac.compare_digest(expected.encode(), token.encode()):
        raise Unauthenticated("the command token does not match")
    return token


def remember(tx: Connection, signature: str, body: bytes, now: datetime) -> None:
    """Refuse a request already received (Conflict); else remember it. Called in its own transaction
    before the command runs: a replay of a command that failed would fail again, so nothing is lost."""
    digest = hashlib.sha256(signature.encode() + b"\n" + body).hexdigest()
    tx.execute(delete(chat_replays).where(chat_replays.c.seen_at < now - 2 * WINDOW))
    if tx.execute(select(chat_replays.c.digest).where(chat_replays.c.digest == digest)).first() is not None:
        raise Conflict("this request was already received (a replay); nothing was done")
    tx.execute(insert(chat_replays).values(digest=digest, seen_at=now))
