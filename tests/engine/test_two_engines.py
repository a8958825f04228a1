"""Two engines on one PostgreSQL: 1,000 escalations, both engines (and both senders) firing at once, zero
duplicate pages.

Two complete runtimes share one database and one manual clock, as two servers would share one PostgreSQL.
After each minute of the fixture's 4-level chain both engines' `run_due()` start together (a barrier) in
two threads, then both senders' `deliver_due()`. Timers are claimed with FOR UPDATE SKIP LOCKED and each
step is fenced by the timer's fence and the escalation row's (level, round); the `pages` unique key is the
last word. The test checks the outcome, not the mechanism: one ledger row and one idempotency key per
step, every step paged, every timer fired once in total, and both engines did part of the work.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.engine.test_engine_crash import PLAYBOOK, STEPS, Receiver, step_of
from warroom.auth.actors import SYSTEM
from warroom.clock import ManualClock
from warroom.incidents.commands import DeclareIncident
from warroom.playbook.loader import load_playbook
from warroom.runtime import Warroom, build
from warroom.settings import Settings
from warroom.store.tables import outbox, pages, timeline_events, timers

INCIDENTS = 1_000
SECRET = "two-engines-secret"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("two engines need a shared PostgreSQL; one SQLite file has one writer (tested elsewhere)")
    return database_url


@pytest.fixture
def two_runtimes(postgres_url: str, receiver: Receiver) -> Iterator[tuple[ManualClock, Warroom, Warroom]]:
    clock = ManualClock(T0)
    playbook = load_playbook(PLAYBOOK)
    settings = Settings(
        database_url=postgres_url,
        page_webhook_url=receiver.url_for("/pages"),
        page_webhook_secret=SECRET,  # type: ignore[arg-type]
        bundle_window_seconds=0,  # counts engine steps: one message per page
        rate_limits={"webhook": 100_000},  # 1,000 pages a minute to one receiver
    )
    first = build(settings, clock, migrate=False, playbook=playbook)
    second = build(settings, clock, migrate=False, playbook=playbook)
    try:
        yield clock, first, second
    finally:
        first.close()
        second.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def together(first: Callable[[], int], second: Callable[[], int]) -> tuple[int, int]:
    """Run both at the same moment in two threads; their results, in order."""
    barrier = threading.Barrier(2)

    def run(work: Callable[[], int]) -> int:
        barrier.wait(10)
        return work()

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.submit(run, first), pool.submit(run, second)
        return a.result(60), b.result(60)


def test_two_engines_on_one_postgres_page_every_step_once(
    two_runtimes: tuple[ManualClock, Warroom, Warroom], receiver: Receiver
) -> None:
    clock, first, second = two_runtimes
    with ThreadPoolExecutor(4) as pool:  # four declaring threads, through both runtimes
        futures = [
            pool.submit(
                (first if n % 2 else second).incidents.declare,
                SYSTEM,
                DeclareIncident(title=f"Load {n}", severity="sev1"),
            )
            for n in range(INCIDENTS)
        ]
        for future in futures:
            future.result()

    fired: dict[str, list[int]] = {"first": [], "second": []}
    sent = together(first.sender.deliver_due, second.sender.deliver_due)
    assert sum(sent) == INCIDENTS  # level 1 paged in the declaring transactions
    for _minute in range(6):  # 4 levels a minute apart, then two quiet minutes: the chains have run out
        clock.advance(timedelta(minutes=1))
        a, b = together(first.engine.run_due, second.engine.run_due)
        fired["first"].append(a)
        fired["second"].append(b)
        together(first.sender.deliver_due, second.sender.deliver_due)

    # Every timer fired exactly once between them: 1,000 per step after the first; at 4 minutes the last
    # level's 1-minute wait runs out (the chains are exhausted); at 5 the response target (5m) is missed.
    per_minute = [a + b for a, b in zip(fired["first"], fired["second"], strict=True)]
    assert per_minute == [INCIDENTS, INCIDENTS, INCIDENTS, INCIDENTS, INCIDENTS, 0], fired
    assert sum(fired["first"]) > 0 and sum(fired["second"]) > 0, f"one engine did all the work: {fired}"

    with first.db.read() as connection:
        rows = connection.execute(
            select(pages.c.escalation_id, pages.c.incident_id, pages.c.level, pages.c.round, pages.c.person)
        ).all()
        pending_timers = connection.execute(
            select(func.count()).select_from(timers).where(timers.c.fired_at.is_(None))
        ).scalar_one()
        unsent = connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.state != "sent")
        ).scalar_one()
        recorded = Counter(
            connection.execute(
                select(timeline_events.c.kind).where(
                    timeline_events.c.kind.in_(("escalation_exhausted", "response_missed"))
                )
            ).scalars()
        )
    assert recorded == {"escalation_exhausted": INCIDENTS, "response_missed": INCIDENTS}  # once each, per incident
    ledger = Counter((r.escalation_id, r.level, r.round, r.person) for r in rows)
    assert len(rows) == INCIDENTS * len(STEPS)  # 1,000 escalations x (1 + 1 + 2 + 1) people over 4 levels
    assert max(ledger.values()) == 1
    wanted = {(incident, level, person) for incident in range(1, INCIDENTS + 1) for level, person in STEPS}
    assert {(r.incident_id, r.level + 1, r.person) for r in rows} == wanted
    assert pending_timers == 0 and unsent == 0

    keys_by_step: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    deliveries: Counter[str] = Counter()
    for request in receiver.requests():
        signature = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.header("X-Warroom-Signature") == signature
        key = request.header("Idempotency-Key")
        assert key is not None
        keys_by_step[step_of(request)].add(key)
        deliveries[key] += 1
    assert set(keys_by_step) == wanted, f"missing: {sorted(wanted - set(keys_by_step))[:10]}"
    doubles = [(step, keys) for step, keys in keys_by_step.items() if len(keys) > 1]
    assert not doubles, f"steps paged under two keys: {doubles[:5]}"
    # At least once is the contract. Here the clock stands still while the senders deliver, so no lease can
    # expire: a repeat could only come from two senders claiming one message.
    repeats = {key: n for key, n in deliveries.items() if n > 1}
    assert not repeats, f"delivered twice with a frozen clock: {list(repeats.items())[:5]}"
