"""The sender: delivers due outbox messages through their channels.

For each message, in order: is it still wanted (a page to someone who acknowledged, or for an incident
that is closed, is cancelled); do the rate limits allow it now (else it waits, which is not an attempt);
which other pages to the same person by the same method go with it as one bundle; then delivery, outside
any transaction. Failures retry with exponential backoff (or the provider's Retry-After); a page that keeps
failing, or fails for good, goes to the person's next contact method. Every attempt is on the ledger
(`delivery_attempts`), failures are on the incident's timeline and in the metrics.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import OperationalError

from warroom.auth.actors import SYSTEM
from warroom.chat.rooms import record_room
from warroom.clock import Clock
from warroom.incidents.lifecycle import OPEN_STATUSES, Status
from warroom.incidents.timeline import append_event
from warroom.metrics import DELIVERIES, PAGES
from warroom.notify.channels import Channel, Delivered, DeliveryFailed
from warroom.notify.delivery_limits import DEFAULT_PER_MINUTE, allows_at, person_allows_at, recent_sends
from warroom.notify.fallback import fall_back, record_failure
from warroom.notify.outbox import (
    Message,
    by_provider_id,
    claim_bundle,
    claim_due,
    mark_cancelled,
    mark_deferred,
    mark_failed,
    mark_sent,
    record_attempt,
    release,
)
from warroom.store.database import Database
from warroom.store.tables import escalations, incidents, outbox, pages

log = structlog.get_logger(__name__)

BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=10)
# Twilio statuses that mean the person was not reached.
UNREACHED = frozenset({"failed", "undelivered", "busy", "no-answer", "canceled"})


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 10 min."""
    delay: timedelta = BASE_BACKOFF * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


@dataclass(frozen=True)
class DeliveryPolicy:
    page_attempts: int = 3  # then the person's next contact method
    message_attempts: int = 8
    bundle_window: timedelta = timedelta(seconds=30)
    per_minute: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PER_MINUTE))


class Sender:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        channels: Mapping[str, Channel],
        policy: DeliveryPolicy | None = None,
        routes: Mapping[str, str] | None = None,
        *,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 50,
    ) -> None:
        self.db = db
        self.clock = clock
        self.channels = dict(channels)
        self.policy = policy or DeliveryPolicy()
        self.routes = dict(routes or {})
        self.lease = lease
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._requeued = False  # a delivery of this pass queued more messages due now
        self._recent: dict[str, list[datetime]] = {}  # channel -> deliveries in the last minute, this pass
        self._thread: threading.Thread | None = None

    def deliver_due(self) -> int:
        """Deliver everything due at the clock's now; returns how many messages were sent (a bundle counts
        each page in it). Tests call this directly."""
        sent = 0
        while True:
            self._requeued = False
            self._recent = {}
            with self.db.transaction() as tx:
                claimed = claim_due(tx, self.clock.now(), self.batch, self.lease)
            for first, together in self._by_person(claimed):
                sent += self._deliver(first, together)
            # A short batch drained what was due, unless a delivery queued more for now (a fallback, a released
            # bundle): then keep going until nothing is due.
            if len(claimed) < self.batch and not self._requeued:
                return sent

    def _by_person(self, claimed: list[Message]) -> list[tuple[Message, list[Message]]]:
        """Pages claimed together for one person by one method are one delivery (a bundle)."""
        if self.policy.bundle_window <= timedelta(0):
            return [(message, []) for message in claimed]
        groups: dict[object, list[Message]] = {}
        for message in claimed:
            key = (message.channel, message.recipient, message.method) if message.kind == "page" else message.id
            groups.setdefault(key, []).append(message)
        return [(group[0], group[1:]) for group in groups.values()]

    def _deliver(self, message: Message, together: list[Message] | None = None) -> int:
        now = self.clock.now()
        together = together or []
        bundle: list[Message] = []
        if message.page_id is None and not together and self._rate_known(message.channel):
            # Not a page (always wanted, never bundled) and the channel's rate already read this pass: nothing
            # to look up first, so no transaction unless it must wait.
            if not self._wait(message, now):
                return self._send(message, bundle, now)
            return 0
        with self.db.transaction() as tx:
            reason = _unwanted(tx, message)
            if reason is not None:
                self._cancel(tx, message, reason, now)
                if together:
                    return self._deliver_later(tx, together)
                return 0
            until = self._not_before(tx, message, now)
            if until is not None and until > now:
                for waiting in [message, *together]:
                    mark_deferred(tx, waiting, until)
                    DELIVERIES.labels(waiting.channel, "deferred").inc()
                return 0
            candidates = together
            if message.kind == "page" and self.policy.bundle_window > timedelta(0):
                candidates = [*together, *claim_bundle(tx, message, now, self.lease)]
            for other in candidates:
                other_reason = _unwanted(tx, other)
                if other_reason is None:
                    bundle.append(other)
                else:
                    self._cancel(tx, other, other_reason, now)
        return self._send(message, bundle, now)

    def _rate_known(self, channel: str) -> bool:
        return not self.policy.per_minute.get(channel) or channel in self._recent

    def _wait(self, message: Message, now: datetime) -> bool:
        """Defer a message the channel's rate limit holds back (not an attempt); True when it must wait."""
        per_minute = self.policy.per_minute.get(message.channel)
        until = allows_at(self._recent[message.channel], now, per_minute) if per_minute else None
        if until is None or until <= now:
            return False
        with self.db.transaction() as tx:
            mark_deferred(tx, message, until)
        DELIVERIES.labels(message.channel, "deferred").inc()
        return True

    def _send(self, message: Message, bundle: list[Message], now: datetime) -> int:
        outgoing = _bundled(message, bundle) if bundle else message
        channel = self.channels.get(message.channel)
        try:
            if channel is None:
                raise DeliveryFailed(f"no channel {message.channel!r} is configured", permanent=True)
            delivered = channel.deliver(outgoing)
        except DeliveryFailed as error:
            self._failed(message, error, bundle)
            return 0
        except Exception as error:  # a provider library's surprise must not stop the sender
            self._failed(message, DeliveryFailed(f"unexpected {type(error).__name__}"), bundle)
            return 0
        with self.db.transaction() as tx:
            done = self.clock.now()
            mark_sent(tx, message, done, delivered.provider_id)
            record_attempt(tx, message, now, "sent", provider_id=delivered.provider_id)
            for other in bundle:
                mark_sent(tx, other, done, bundled_into=message.id)
                record_attempt(tx, other, now, "bundled", provider_id=delivered.provider_id)
            self._after_delivery(tx, message, delivered, done)
        self._recent.get(message.channel, []).insert(0, done)  # counted by this pass's next rate-limit checks
        DELIVERIES.labels(message.channel, "sent").inc(1 + len(bundle))
        if message.page_id is not None:
            PAGES.labels(message.method or "unknown").inc(1 + len(bundle))
        return 1 + len(bundle)

    def _deliver_later(self, tx: Connection, messages: list[Message]) -> int:
        """The first of a group was cancelled: the rest go back to pending, due now, for the next pass."""
        self._requeued = True
        for message in messages:
            release(tx, message)
        return 0

    def _not_before(self, tx: Connection, message: Message, now: datetime) -> datetime | None:
        limits = [
            self._channel_allows_at(tx, message.channel, now),
            person_allows_at(tx, message, now, self.policy.bundle_window) if message.kind == "page" else None,
        ]
        waits = [limit for limit in limits if limit is not None]
        return max(waits) if waits else None

    def _channel_allows_at(self, tx: Connection, channel: str, now: datetime) -> datetime | None:
        """The per-channel rate limit. A pass reads a channel's recent deliveries once and counts its own on top
        (another instance's deliveries during this pass are seen on the next pass, as before: the check and the
        send were never one atomic step)."""
        per_minute = self.policy.per_minute.get(channel)
        if not per_minute:
            return None
        if channel not in self._recent:
            self._recent[channel] = recent_sends(tx, channel, now, per_minute)
        return allows_at(self._recent[channel], now, per_minute)

    def _cancel(self, tx: Connection, message: Message, reason: str, now: datetime) -> None:
        mark_cancelled(tx, message, reason)
        record_attempt(tx, message, now, "cancelled", error=reason)
        DELIVERIES.labels(message.channel, "cancelled").inc()

    def _failed(self, message: Message, error: DeliveryFailed, bundle: list[Message]) -> None:
        now = self.clock.now()
        limit = self.policy.page_attempts if message.page_id is not None else self.policy.message_attempts
        give_up = error.permanent or message.attempts >= limit
        retry_at: datetime | None = None
        if not give_up:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else backoff(message.attempts)
            retry_at = now + min(wait, MAX_BACKOFF)
        text = str(error)
        log.warning(
            "delivery_failed",
            channel=message.channel,
            recipient=message.recipient,
            method=message.method,
            attempt=message.attempts,
            error=text,
            gave_up=give_up,
        )
        with self.db.transaction() as tx:
            mark_failed(tx, message, text, retry_at)
            record_attempt(tx, message, now, "failed", error=text)
            for other in bundle:
                release(tx, other)
                self._requeued = True
            if give_up:
                self._gave_up(tx, message, text, now)
        DELIVERIES.labels(message.channel, "gave_up" if give_up else "failed").inc()

    def _gave_up(self, tx: Connection, message: Message, error: str, now: datetime) -> None:
        if message.page_id is not None:
            text = fall_back(tx, message, error, now, self.routes)
            self._requeued = True
            self.wake()
        else:
            who = message.recipient or message.address or message.channel
            text = (
                f"Delivery failed: {message.subject} to {who} by {message.channel} "
                f"after {message.attempts} attempts ({error})"
            )
        record_failure(tx, message, text, error, now)

    def _after_delivery(self, tx: Connection, message: Message, delivered: Delivered, now: datetime) -> None:
        if message.kind == "war_room" and message.incident_id is not None and "room_id" in delivered.detail:
            name = str(delivered.detail.get("name", ""))
            record_room(tx, message.incident_id, "slack", str(delivered.detail["room_id"]), name, now)
            text = f"War room #{name} opened"
            after = {"room_id": delivered.detail["room_id"], "name": name}
            append_event(tx, message.incident_id, now, SYSTEM.name, "war_room_opened", text, None, after)

    # ---- provider callbacks -------------------------------------------------------------------------

    def provider_status(self, provider_id: str, status: str, error: str | None) -> bool:
        """A provider reports what became of a message (Twilio's status callback). On the ledger always; a
        page that did not reach the person goes to their next contact method. False: no such message."""
        now = self.clock.now()
        with self.db.transaction() as tx:
            message = by_provider_id(tx, provider_id)
            if message is None:
                return False
            record_attempt(tx, message, now, status[:20], provider_id=provider_id, error=error)
            if status in UNREACHED and message.page_id is not None:
                together = [message, *_bundled_with(tx, message)]
                for page in together:
                    if _unwanted(tx, page) is None:
                        reason = f"{status}" + (f": {error}" if error else "")
                        record_failure(tx, page, fall_back(tx, page, reason, now, self.routes), reason, now)
                DELIVERIES.labels(message.channel, "undelivered").inc()
        self.wake()
        return True

    # ---- serve mode ---------------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(self, poll_seconds: float = 1.0) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.deliver_due()
                except OperationalError:
                    log.warning("sender_store_unavailable")
                self._wake.wait(poll_seconds)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="warroom-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        for channel in self.channels.values():
            close = getattr(channel, "close", None)
            if close is not None:
                close()


_PAGE_STATE = (
    select(incidents.c.status, pages.c.acknowledged_at, escalations.c.state, escalations.c.plan)
    .select_from(pages.join(escalations, escalations.c.id == pages.c.escalation_id))
    .join(incidents, incidents.c.id == pages.c.incident_id)
    .where(pages.c.id == bindparam("page_id"))
)


def _unwanted(tx: Connection, message: Message) -> str | None:
    """Why a page is no longer wanted just before it goes out, or None. Other messages are always wanted:
    a resolution post must go out after the resolution."""
    if message.page_id is None or message.incident_id is None:
        return None
    row = tx.execute(_PAGE_STATE, {"page_id": message.page_id}).first()
    if row is None:
        return None
    if Status(row.status) not in OPEN_STATUSES:
        return f"not sent: the incident is {row.status}"
    if row.acknowledged_at is not None:
        return f"not sent: {message.recipient} acknowledged"
    if row.state == "acknowledged" and not dict(row.plan or {}).get("multi_ack", False):
        return "not sent: the incident was acknowledged"
    return None


def _bundled_with(tx: Connection, message: Message) -> list[Message]:
    ids = list(tx.execute(select(outbox.c.id).where(outbox.c.bundled_into == message.id)).scalars())
    found = []
    for bundled_id in ids:
        row = tx.execute(select(outbox).where(outbox.c.id == bundled_id)).one()
        found.append(
            Message(
                row.id,
                row.idempotency_key,
                row.incident_id,
                row.page_id,
                row.channel,
                row.recipient,
                row.method,
                row.address,
                row.subject,
                dict(row.body or {}),
                row.attempts,
                row.fallback_of,
            )
        )
    return found


def _bundled(first: Message, others: list[Message]) -> Message:
    """One message for several pages to one person: every incident named, each with its own link."""
    everything = [first, *others]
    refs = [str(m.body.get("incident", "?")) for m in everything]
    lines = [f"{len(everything)} pages for you:"]
    for page in everything:
        line = f"- {page.subject}"
        if page.body.get("ack_url"):
            line += f" (acknowledge: {page.body['ack_url']})"
        lines.append(line)
    body = {
        "kind": "bundle",
        "text": "\n".join(lines),
        "incident": refs[0],
        "incidents": refs,
        "ack": False,
        "person": first.recipient,
    }
    return replace(first, subject=f"{len(everything)} pages: {', '.join(refs)}"[:300], body=body)
