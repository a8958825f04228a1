"""Durable timers: armed in the transactions that need them, fired once by whichever engine claims them."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from tests.harness.app import RunningApp, start_app
from warroom.engine.loop import RETRY_AFTER, Engine
from warroom.engine.timers import Timer, arm, claim_due, disarm, mark_fired, pending
from warroom.store.database import Database
from warroom.store.tables import timers

KIND = "test-timer"


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url)
    yield running
    running.client.close()
    running.warroom.close()


class Recorder:
    """A handler that remembers what fired (thread-safe: engines may run side by side)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, datetime, datetime]] = []
        self._lock = threading.Lock()

    def __call__(self, tx: Connection, timer: Timer, now: datetime) -> None:
        with self._lock:
            self.calls.append((timer.subject, timer.due_at, now))

    @property
    def subjects(self) -> list[str]:
        return [subject for subject, _, _ in self.calls]


def engine_for(app: RunningApp, recorder: Recorder, db: Database | None = None, batch: int = 100) -> Engine:
    engine = Engine(db or app.warroom.db, app.clock, batch=batch)
    engine.register(KIND, recorder)
    return engine


def arm_in(app: RunningApp, subject: str, after: timedelta, kind: str = KIND) -> datetime:
    now = app.clock.now()
    with app.warroom.db.transaction() as tx:
        arm(tx, kind, subject, now + after, now, {"subject": subject})
    return now + after


def rows(app: RunningApp, kind: str = KIND) -> list[tuple[str, datetime, int, datetime | None]]:
    with app.warroom.db.read() as connection:
        result = connection.execute(
            select(timers.c.subject, timers.c.due_at, timers.c.fence, timers.c.fired_at)
            .where(timers.c.kind == kind)
            .order_by(timers.c.id)
        )
        return [(r.subject, r.due_at, r.fence, r.fired_at) for r in result]


def pending_count(app: RunningApp, kind: str = KIND) -> int:
    with app.warroom.db.read() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(timers).where(timers.c.kind == kind, timers.c.fired_at.is_(None))
            ).scalar_one()
        )


# ---- arming ------------------------------------------------------------------------------------------


def test_arm_creates_one_pending_timer(app: RunningApp) -> None:
    due = arm_in(app, "inc-1", timedelta(minutes=5))
    assert rows(app) == [("inc-1", due, 1, None)]
    with app.warroom.db.read() as connection:
        timer = pending(connection, KIND, "inc-1")
    assert timer is not None
    assert (timer.kind, timer.subject, timer.due_at, timer.fence) == (KIND, "inc-1", due, 1)
    assert timer.payload == {"subject": "inc-1"}
    assert timer.due_at.tzinfo is not None


def test_rearming_moves_the_due_time_and_bumps_the_fence(app: RunningApp) -> None:
    arm_in(app, "inc-1", timedelta(minutes=5))
    arm_in(app, "other", timedelta(minutes=5))
    later = arm_in(app, "inc-1", timedelta(minutes=30))
    sooner = arm_in(app, "inc-1", timedelta(minutes=1))
    assert [r for r in rows(app) if r[0] == "inc-1"] == [("inc-1", sooner, 3, None)]
    assert later != sooner
    assert pending_count(app) == 2
    with app.warroom.db.transaction() as tx:
        disarm(tx, KIND, "inc-1")
    assert [r[0] for r in rows(app)] == ["other"]


def test_a_fired_timer_is_history_and_arming_again_starts_a_new_one(app: RunningApp) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder)
    arm_in(app, "inc-1", timedelta(minutes=1))
    app.clock.advance(timedelta(minutes=1))
    assert engine.run_due() == 1
    due = arm_in(app, "inc-1", timedelta(minutes=1))
    history = rows(app)
    assert len(history) == 2
    assert history[0][3] is not None  # fired, kept
    assert history[1] == ("inc-1", due, 1, None)


# ---- firing ------------------------------------------------------------------------------------------


def test_a_timer_fires_at_exactly_its_due_time_and_not_a_microsecond_before(app: RunningApp) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder)
    due = arm_in(app, "inc-1", timedelta(minutes=5))
    assert engine.run_due() == 0
    app.clock.set(due - timedelta(microseconds=1))
    assert engine.run_due() == 0
    assert recorder.calls == []
    app.clock.set(due)
    assert engine.run_due() == 1
    assert recorder.calls == [("inc-1", due, due)]
    assert rows(app) == [("inc-1", due, 1, due)]


def test_a_fired_timer_never_fires_again(app: RunningApp) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder)
    arm_in(app, "a", timedelta(minutes=1))
    arm_in(app, "b", timedelta(minutes=2))
    app.clock.advance(timedelta(minutes=3))
    assert engine.run_due() == 2
    assert engine.run_due() == 0
    app.clock.advance(timedelta(days=1))
    assert engine.run_due() == 0
    assert recorder.subjects == ["a", "b"]  # in due order
    assert pending_count(app) == 0


def test_only_due_timers_fire(app: RunningApp) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder)
    for minutes in (1, 2, 3, 4):
        arm_in(app, f"t{minutes}", timedelta(minutes=minutes))
    app.clock.advance(timedelta(minutes=2))
    assert engine.run_due() == 2
    assert recorder.subjects == ["t1", "t2"]
    assert pending_count(app) == 2


def test_a_batch_smaller_than_the_backlog_still_fires_everything_due(app: RunningApp) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder, batch=3)
    for n in range(10):
        arm_in(app, f"t{n:02d}", timedelta(seconds=n))
    app.clock.advance(timedelta(minutes=1))
    assert engine.run_due() == 10
    assert recorder.subjects == [f"t{n:02d}" for n in range(10)]


def test_a_claim_on_an_old_fence_does_not_fire(app: RunningApp) -> None:
    arm_in(app, "inc-1", timedelta(minutes=5))
    app.clock.advance(timedelta(minutes=5))
    now = app.clock.now()
    with app.warroom.db.transaction() as tx:
        (claimed,) = claim_due(tx, now, 10)
        assert claimed.fence == 1
        arm(tx, KIND, "inc-1", now + timedelta(minutes=10), now)  # re-armed after the claim
        assert mark_fired(tx, claimed, now) is False
    assert rows(app) == [("inc-1", now + timedelta(minutes=10), 2, None)]


def test_a_stale_claim_committed_earlier_does_not_fire_either(app: RunningApp) -> None:
    arm_in(app, "inc-1", timedelta(minutes=5))
    app.clock.advance(timedelta(minutes=5))
    now = app.clock.now()
    with app.warroom.db.transaction() as tx:
        (claimed,) = claim_due(tx, now, 10)
    moved = arm_in(app, "inc-1", timedelta(minutes=1))
    with app.warroom.db.transaction() as tx:
        assert mark_fired(tx, claimed, now) is False
    assert rows(app) == [("inc-1", moved, 2, None)]
    with app.warroom.db.transaction() as tx:
        (fresh,) = claim_due(tx, now + timedelta(minutes=1), 10)
        assert mark_fired(tx, fresh, now + timedelta(minutes=1)) is True
        assert mark_fired(tx, fresh, now + timedelta(minutes=1)) is False  # and only once


def test_a_timer_rearmed_by_an_earlier_handler_in_the_batch_is_skipped(app: RunningApp) -> None:
    """The engine checks the fence: an effect claimed on an old arming must not happen."""
    recorder = Recorder()
    engine = engine_for(app, recorder)

    def rearm_the_other(tx: Connection, timer: Timer, now: datetime) -> None:
        arm(tx, KIND, "second", now + timedelta(hours=1), now)

    engine.register("rearmer", rearm_the_other)
    arm_in(app, "first", timedelta(minutes=1), kind="rearmer")
    arm_in(app, "second", timedelta(minutes=2))
    app.clock.advance(timedelta(minutes=2))
    now = app.clock.now()
    assert engine.run_due() == 1
    assert recorder.calls == []
    assert rows(app) == [("second", now + timedelta(hours=1), 2, None)]


def test_a_failing_handler_is_logged_and_retried_later_while_the_others_fire(
    app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder)
    attempts: list[datetime] = []

    def flaky(tx: Connection, timer: Timer, now: datetime) -> None:
        attempts.append(now)
        arm(tx, KIND, "written-by-flaky", now, now)  # its writes roll back with it
        if len(attempts) == 1:
            raise RuntimeError("downstream said no")

    engine.register("flaky", flaky)
    arm_in(app, "a", timedelta(seconds=10))
    arm_in(app, "boom", timedelta(seconds=20), kind="flaky")
    arm_in(app, "b", timedelta(seconds=30))
    app.clock.advance(timedelta(minutes=1))
    now = app.clock.now()
    with capture_logs() as logs:
        assert engine.run_due() == 2
    assert recorder.subjects == ["a", "b"]
    failures = [entry for entry in logs if entry["event"] == "timer_failed"]
    assert len(failures) == 1
    assert failures[0]["log_level"] == "error"
    assert (failures[0]["kind"], failures[0]["subject"]) == ("flaky", "boom")
    assert rows(app, "flaky") == [("boom", now + RETRY_AFTER, 1, None)]
    assert "written-by-flaky" not in [r[0] for r in rows(app)]

    app.clock.advance(RETRY_AFTER - timedelta(microseconds=1))
    assert engine.run_due() == 0
    assert len(attempts) == 1
    app.clock.advance(timedelta(microseconds=1))
    assert engine.run_due() == 1
    assert attempts == [now, now + RETRY_AFTER]
    assert rows(app, "flaky") == [("boom", now + RETRY_AFTER, 1, now + RETRY_AFTER)]
    assert recorder.subjects == ["a", "b"]  # the others did not fire twice
    for record in caplog.records:  # the failure above is the point of this test
        if record.levelno >= logging.ERROR:
            record.expected = True


def test_a_timer_without_a_handler_is_marked_fired_with_a_warning(app: RunningApp) -> None:
    engine = Engine(app.warroom.db, app.clock)
    arm_in(app, "orphan", timedelta(seconds=1), kind="nobody-handles-this")
    app.clock.advance(timedelta(seconds=1))
    with capture_logs() as logs:
        assert engine.run_due() == 1
    assert [entry["event"] for entry in logs] == ["timer_without_handler"]
    assert pending_count(app, "nobody-handles-this") == 0


# ---- crash safety --------------------------------------------------------------------------------------


def test_a_claim_whose_transaction_fails_leaves_the_timers_pending_for_another_engine(
    app: RunningApp, database_url: str
) -> None:
    arm_in(app, "a", timedelta(minutes=1))
    arm_in(app, "b", timedelta(minutes=2))
    app.clock.advance(timedelta(minutes=5))
    now = app.clock.now()
    with pytest.raises(RuntimeError, match="crashed"), app.warroom.db.transaction() as tx:
        assert [t.subject for t in claim_due(tx, now, 10)] == ["a", "b"]
        raise RuntimeError("crashed after claiming")
    assert pending_count(app) == 2

    other_db = Database(database_url)  # another process on the same store
    try:
        recorder = Recorder()
        assert engine_for(app, recorder, db=other_db).run_due() == 2
        assert recorder.subjects == ["a", "b"]
    finally:
        other_db.dispose()
    assert pending_count(app) == 0


def test_a_store_failure_inside_a_handler_rolls_back_the_whole_batch(app: RunningApp) -> None:
    recorder = Recorder()
    engine = engine_for(app, recorder)

    def store_gone(tx: Connection, timer: Timer, now: datetime) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection reset"))

    engine.register("store-gone", store_gone)
    arm_in(app, "a", timedelta(seconds=1))
    arm_in(app, "z", timedelta(seconds=2), kind="store-gone")
    app.clock.advance(timedelta(seconds=5))
    with pytest.raises(OperationalError):
        engine.run_due()
    assert recorder.subjects == ["a"]  # its effect ran inside the transaction that rolled back
    assert pending_count(app) == 1 and pending_count(app, "store-gone") == 1
    del engine.handlers["store-gone"]
    recorder.calls.clear()
    with capture_logs():
        assert engine.run_due() == 2
    assert recorder.subjects == ["a"]


# ---- concurrency (PostgreSQL) -------------------------------------------------------------------------


def test_two_engines_fire_each_timer_exactly_once(app: RunningApp, database_url: str) -> None:
    if app.warroom.db.is_sqlite:
        pytest.skip("SQLite has one writer; concurrent claiming is PostgreSQL's FOR UPDATE SKIP LOCKED")
    total = 200
    now = app.clock.now()
    with app.warroom.db.transaction() as tx:
        for n in range(total):
            arm(tx, KIND, f"t{n:03d}", now + timedelta(milliseconds=n), now)
    app.clock.advance(timedelta(minutes=1))

    recorder = Recorder()
    databases = [Database(database_url), Database(database_url)]
    engines = [engine_for(app, recorder, db=db, batch=7) for db in databases]
    barrier = threading.Barrier(len(engines))
    fired: list[int] = []
    failures: list[BaseException] = []

    def work(engine: Engine) -> None:
        try:
            barrier.wait(timeout=10)
            fired.append(engine.run_due())
        except BaseException as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for db in databases:
            db.dispose()
    assert not failures
    assert sorted(Counter(recorder.subjects).values()) == [1] * total
    assert len(recorder.calls) == total
    assert sum(fired) == total
    assert pending_count(app) == 0


def wait_until_waiting_on_a_lock(app: RunningApp, pid: int) -> None:
    """Poll PostgreSQL until backend `pid` waits for a lock (a state change, not time passing)."""
    deadline = time.monotonic() + 10
    query = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
    while time.monotonic() < deadline:
        with app.warroom.db.read() as connection:
            if connection.execute(query, {"pid": pid}).scalar() == "Lock":
                return
    raise TimeoutError(f"backend {pid} never waited for a lock")


def test_two_first_armings_at_once_do_not_collide(app: RunningApp, database_url: str) -> None:
    """Nothing pending (say a heartbeat just fired) and two transactions arm it: the later one moves it."""
    if app.warroom.db.is_sqlite:
        pytest.skip("SQLite has one writer: two armings cannot overlap")
    now = app.clock.now()
    other_db = Database(database_url)
    pid: list[int] = []
    started = threading.Event()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            with other_db.transaction() as tx:
                pid.append(int(tx.execute(text("SELECT pg_backend_pid()")).scalar_one()))
                started.set()
                arm(tx, KIND, "s", now + timedelta(minutes=10), now)  # blocks on the first's uncommitted row
        except BaseException as error:  # surfaced below
            failures.append(error)
            started.set()

    thread = threading.Thread(target=second)
    try:
        with app.warroom.db.transaction() as tx:
            arm(tx, KIND, "s", now + timedelta(minutes=5), now)
            thread.start()
            assert started.wait(10) and pid
            wait_until_waiting_on_a_lock(app, pid[0])
        thread.join(10)
    finally:
        other_db.dispose()
    assert not failures, failures
    assert rows(app) == [("s", now + timedelta(minutes=10), 2, None)]
