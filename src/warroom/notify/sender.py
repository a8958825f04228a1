"""The sender: delivers due outbox messages through their channels, with retries and backoff.

Just before sending it checks that the message is still wanted (the incident is not resolved; the row was
not cancelled by an acknowledgement meanwhile: claims only take pending rows). A message that keeps
failing is given up after `max_attempts` and the failure is written on the incident's timeline.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from warroom.auth.actors import SYSTEM
from warroom.clock import Clock
from warroom.incidents.lifecycle import OPEN_STATUSES, Status
from warroom.incidents.timeline import append_event
from warroom.notify.channels import Channel, DeliveryFailed
from warroom.notify.outbox import Message, claim_due, mark_cancelled, mark_failed, mark_sent
from warroom.store.database import Database
from warroom.store.tables import incidents

log = structlog.get_logger(__name__)

BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 10 min."""
    delay: timedelta = BASE_BACKOFF * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


class Sender:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        channels: Mapping[str, Channel],
        *,
        max_attempts: int = 5,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 50,
    ) -> None:
        self.db = db
        self.clock = clock
        self.channels = dict(channels)
        self.max_attempts = max_attempts
        self.lease = lease
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_due(self) -> int:
        """Deliver everything due at the clock's now; returns how many were sent. Tests call this directly."""
        sent = 0
        while True:
            with self.db.transaction() as tx:
                claimed = claim_due(tx, self.clock.now(), self.batch, self.lease)
            for message in claimed:
                sent += self._deliver(message)
            if len(claimed) < self.batch:
                return sent

    def _deliver(self, message: Message) -> int:
        reason = self._unwanted(message)
        if reason is not None:
            with self.db.transaction() as tx:
                mark_cancelled(tx, message, reason)
            return 0
        channel = self.channels.get(message.channel)
        try:
            if channel is None:
                raise DeliveryFailed(f"no channel {message.channel!r} is configured")
            channel.deliver(message)
        except DeliveryFailed as error:
            self._failed(message, str(error))
            return 0
        with self.db.transaction() as tx:
            mark_sent(tx, message, self.clock.now())
        return 1

    def _unwanted(self, message: Message) -> str | None:
        if message.incident_id is None or message.page_id is None:
            return None
        with self.db.read() as connection:
            status = connection.execute(
                select(incidents.c.status).where(incidents.c.id == message.incident_id)
            ).scalar()
        if status is None or Status(status) not in OPEN_STATUSES:
            return f"not sent: the incident is {status}"
        return None

    def _failed(self, message: Message, error: str) -> None:
        now = self.clock.now()
        give_up = message.attempts >= self.max_attempts
        retry_at: datetime | None = None if give_up else now + backoff(message.attempts)
        log.warning(
            "delivery_failed",
            channel=message.channel,
            recipient=message.recipient,
            method=message.method,
            attempt=message.attempts,
            error=error,
            gave_up=give_up,
        )
        with self.db.transaction() as tx:
            mark_failed(tx, message, error, retry_at)
            if give_up and message.incident_id is not None:
                text = (
                    f"Delivery failed: {message.subject} to {message.recipient or message.address} "
                    f"by {message.method or message.channel} after {message.attempts} attempts ({error})"
                )
                after = {"message": message.idempotency_key, "error": error, "attempts": message.attempts}
                append_event(tx, message.incident_id, now, SYSTEM.name, "delivery_failed", text, None, after)

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
