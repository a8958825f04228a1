"""The engine loop: claim due timers, apply each one's effect and mark it fired in the same transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from warroom.clock import Clock
from warroom.engine.timers import Timer, claim_due, mark_fired, next_due_at, postpone
from warroom.store.database import Database

log = structlog.get_logger(__name__)

Handler = Callable[[Connection, Timer, datetime], None]

RETRY_AFTER = timedelta(minutes=1)


class Engine:
    def __init__(self, db: Database, clock: Clock, batch: int = 100) -> None:
        self.db = db
        self.clock = clock
        self.batch = batch
        self.handlers: dict[str, Handler] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def run_due(self) -> int:
        """Fire everything due at the clock's now; returns how many timers fired. Tests call this directly."""
        fired = 0
        while True:
            now = self.clock.now()
            with self.db.transaction() as tx:
                due = claim_due(tx, now, self.batch)
                for timer in due:
                    fired += self._fire(tx, timer, now)
            if len(due) < self.batch:
                return fired

    def _fire(self, tx: Connection, timer: Timer, now: datetime) -> int:
        handler = self.handlers.get(timer.kind)
        savepoint = tx.begin_nested()
        try:
            if not mark_fired(tx, timer, now):
                savepoint.rollback()
                return 0
            if handler is None:
                log.warning("timer_without_handler", kind=timer.kind, subject=timer.subject)
            else:
                handler(tx, timer, now)
            savepoint.commit()
            return 1
        except OperationalError:
            raise
        except Exception:
            # One broken timer must not stop the others; it is tried again later and the failure is logged.
            savepoint.rollback()
            log.exception("timer_failed", kind=timer.kind, subject=timer.subject)
            postpone(tx, timer, now + RETRY_AFTER)
            return 0

    def next_due(self) -> datetime | None:
        with self.db.read() as connection:
            return next_due_at(connection)

    def wake(self) -> None:
        self._wake.set()

    def start(self, poll_seconds: float = 1.0) -> None:
        """Serve mode: a background thread fires due timers; a short poll is the fallback wake-up."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                wait = poll_seconds
                try:
                    self.run_due()
                    # Sleep until the next timer is due, not a whole poll: steps fire on time, not up to a poll late.
                    due = self.next_due()
                    if due is not None:
                        wait = min(poll_seconds, max((due - self.clock.now()).total_seconds(), 0.0))
                except OperationalError:
                    log.warning("engine_store_unavailable")
                if wait > 0:
                    self._wake.wait(wait)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="warroom-engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
