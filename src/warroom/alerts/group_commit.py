"""Group commit: many deliveries share one transaction and one fsync, each in its own savepoint.

A delivery is one use case: all of its writes land, or none do (its savepoint rolls back). Nothing is
answered before the shared COMMIT returns, so "202" still means "on disk". Under load this turns
thousands of fsyncs a second into tens, which is what lets the embedded SQLite store keep up.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from warroom.store.database import Database

log = structlog.get_logger(__name__)

Work = Callable[[Connection], Any]


@dataclass
class _Job:
    """One delivery. An HTTP request waits on an asyncio future of its own loop; other callers on a
    concurrent future. The asyncio kind lets one wake-up of the loop settle a whole batch."""

    work: Work
    future: Future[Any] | None = None
    waiter: asyncio.Future[Any] | None = None
    loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)


Settlement = tuple[asyncio.Future[Any], bool, Any]


def _settle(settlements: list[Settlement]) -> None:
    """Runs in the waiters' event loop: hands each request its result."""
    for waiter, ok, value in settlements:
        if waiter.done():  # the request was cancelled (client went away); its work is committed anyway
            continue
        if ok:
            waiter.set_result(value)
        else:
            waiter.set_exception(value)


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = 256, retries: int = 3) -> None:
        self.db = db
        self.max_batch = max_batch
        self.retries = retries  # a unique index refused us: another instance won the race; look again
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, work: Work) -> Future[Any]:
        future: Future[Any] = Future()
        self._ensure_started()
        self._queue.put(_Job(work, future=future))
        return future

    def run(self, work: Work) -> Any:
        return self.submit(work).result()

    async def run_async(self, work: Work) -> Any:
        """Await `work`'s committed result from an event loop, without blocking it."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        self._ensure_started()
        self._queue.put(_Job(work, waiter=waiter, loop=loop))
        return await waiter

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="warroom-group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs = [job]
            stop = False
            while len(jobs) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
            self._commit(jobs)
            if stop:
                return

    def _commit(self, jobs: list[_Job]) -> None:
        try:
            try:
                # The common case: every delivery applies cleanly, so none pays for a savepoint.
                results = self._run(jobs, isolated=False)
            except OperationalError:
                raise
            except Exception:
                # Someone's delivery failed (or lost a race): everything rolled back; again, each in its own savepoint.
                results = self._run(jobs, isolated=True)
        except BaseException as error:  # the store failed: nobody's work is durable, everyone retries
            self._hand_out(jobs, [(False, error)] * len(jobs))
            return
        self._hand_out(jobs, results)

    @staticmethod
    def _hand_out(jobs: list[_Job], results: list[tuple[bool, Any]]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[Settlement]] = {}
        for job, (ok, value) in zip(jobs, results, strict=True):
            if job.waiter is not None and job.loop is not None:
                by_loop.setdefault(job.loop, []).append((job.waiter, ok, value))
            elif job.future is not None:
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
        for loop, settlements in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed: nobody is waiting any more
                loop.call_soon_threadsafe(_settle, settlements)

    def _run(self, jobs: list[_Job], isolated: bool) -> list[tuple[bool, Any]]:
        with self.db.transaction() as tx:
            if isolated:
                return [self._attempt(tx, job) for job in jobs]
            return [(True, job.work(tx)) for job in jobs]

    def _attempt(self, tx: Connection, job: _Job) -> tuple[bool, Any]:
        last: Exception | None = None
        for _ in range(self.retries):
            savepoint = tx.begin_nested()
            try:
                value = job.work(tx)
                savepoint.commit()
                return True, value
            except IntegrityError as error:
                savepoint.rollback()
                last = error
            except OperationalError:
                raise
            except Exception as error:  # this delivery's own problem; the others still commit
                savepoint.rollback()
                return False, error
        log.warning("group_commit_gave_up", attempts=self.retries)
        return False, last
