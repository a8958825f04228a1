"""Crash test: SIGKILL a real `warroom serve` process while escalation steps are firing, restart it, and
prove that every step that came due was paged exactly once.

The server runs as a separate process on a file clock (WARROOM_CLOCK_FILE) that the test moves, pages
through its real webhook channel to a loopback receiver, and is killed with SIGKILL (no shutdown code
runs) right after the first page of a step arrives, i.e. while the sender is delivering that step's
pages. While it is down the clock moves two more minutes, so after the restart the server has both
recovery work (messages leased to the dead sender, whose lease has expired) and catch-up work (the next
level came due while nobody was running).

"Exactly once" is judged the way a receiver judges it: by idempotency key. Every (incident, level,
person) step must arrive under exactly one key, and none may be missing. The same key arriving twice is
allowed: a message delivered just before the kill, but not yet recorded as sent, is delivered again
after the restart with the same `Idempotency-Key` (at-least-once delivery; the receiver drops the
repeat). Two *different* keys for one step would be a double page, and fail. The `pages` ledger must
hold exactly one row per due step, with the step's scheduled due time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from tests.harness.server import free_port, wait_until_healthy
from tests.harness.webhook_receiver import ReceivedRequest, WebhookReceiver
from warroom.clock import FileClock
from warroom.engine.escalations import ESCALATION_TIMER
from warroom.store.database import normalize_url
from warroom.store.tables import outbox, pages, timers

PLAYBOOK = Path(__file__).parent / "fixtures" / "escalation_load.yaml"
SECRET = "crash-test-secret"
INCIDENTS = 100
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# (level, person) of every step of the fixture's chain, and when it is due after the trigger.
STEPS = [(1, "alice"), (2, "bob"), (3, "carol"), (3, "dave"), (4, "erin")]
DUE_AFTER = {1: timedelta(0), 2: timedelta(minutes=1), 3: timedelta(minutes=2), 4: timedelta(minutes=3)}
WAIT = 30.0  # seconds a receiver condition may take before the test fails


class Receiver(WebhookReceiver):
    """The harness's receiver with Nagle's algorithm off on its sockets: its handler writes the headers and the
    body in two sends, and Nagle holding the second until the client's delayed ACK costs 40 ms a page."""

    def __enter__(self) -> Receiver:
        self.start()
        return self

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        handler = super()._handler_class()
        handler.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        return handler


class Server:
    """`python -m warroom.cli.main serve` as a child process; the log goes to a file in the test's tmp dir."""

    def __init__(self, env: dict[str, str], workdir: Path, port: int) -> None:
        self.env = env
        self.workdir = workdir
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "warroom.cli.main", "serve"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_healthy(self.url, 60)
        except TimeoutError:
            raise AssertionError(f"the server did not start:\n{self.log()}") from None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in flight is lost."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else "(no log)"

    def first_admin_token(self) -> str:
        tokens = re.findall(r"^(wr_\S+)\s*$", self.log(), re.MULTILINE)
        assert tokens, f"the server printed no first admin token:\n{self.log()}"
        token: str = tokens[0]
        return token


@contextmanager
def server_process(env: dict[str, str], workdir: Path, port: int) -> Iterator[Server]:
    server = Server(env, workdir, port)
    try:
        yield server
    finally:
        server.kill()


def step_of(request: ReceivedRequest) -> tuple[int, int, str]:
    body = request.json
    return int(body["incident_id"]), int(body["level"]), str(body["person"])


def is_level(level: int) -> Callable[[ReceivedRequest], bool]:
    return lambda request: bool(request.json["level"] == level)


def distinct_steps(receiver: WebhookReceiver) -> int:
    return len({step_of(r) for r in receiver.requests()})


def wait_for_distinct_steps(receiver: WebhookReceiver, expected: int) -> None:
    """Block until `expected` distinct steps arrived (repeats of a key do not count)."""
    deadline = time.monotonic() + WAIT
    while distinct_steps(receiver) < expected:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{distinct_steps(receiver)} of {expected} steps arrived within {WAIT} s")
        # Any new arrival wakes this up; count=len+1 means "one more request than now".
        with suppress(TimeoutError):
            receiver.wait_for(count=len(receiver.requests()) + 1, timeout=min(remaining, 1.0))


def wait_until_outbox_drained(database_url: str) -> None:
    """Every queued message sent: nothing more will arrive. Polls the store (a condition, not time passing)."""
    engine = create_engine(normalize_url(database_url))
    try:
        deadline = time.monotonic() + WAIT
        while True:
            with engine.connect() as connection:
                left = connection.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.state.in_(("pending", "sending")))
                ).scalar_one()
            if left == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{left} outbox messages still undelivered after {WAIT} s")
            time.sleep(0.05)
    finally:
        engine.dispose()


def test_a_killed_engine_pages_every_due_step_exactly_once(database_url: str, tmp_path: Path) -> None:
    clock = FileClock(tmp_path / "clock.txt")
    clock.set(T0)
    port = free_port()
    with Receiver() as receiver:
        env = {
            **os.environ,
            "WARROOM_DATABASE_URL": database_url,
            "WARROOM_PLAYBOOK": str(PLAYBOOK),
            "WARROOM_CLOCK_FILE": str(clock.path),
            "WARROOM_PAGE_WEBHOOK_URL": receiver.url_for("/pages"),
            "WARROOM_PAGE_WEBHOOK_SECRET": SECRET,
            "WARROOM_LOG_LEVEL": "warning",
            # One alice, 100 incidents: this test counts engine steps, so no bundling of her pages.
            "WARROOM_BUNDLE_WINDOW_SECONDS": "0",
            "WARROOM_HOST": "127.0.0.1",
            "WARROOM_PORT": str(port),
            "WARROOM_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        with server_process(env, tmp_path, port) as server:
            server.start()
            token = server.first_admin_token()
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
                for number in range(INCIDENTS):
                    response = client.post("/api/v1/incidents", json={"title": f"Crash {number}", "severity": "sev1"})
                    assert response.status_code == 201, response.text
            receiver.wait_for(is_level(1), count=INCIDENTS, timeout=WAIT)

            clock.set(T0 + timedelta(minutes=1))  # level 2: bob
            receiver.wait_for(is_level(2), count=INCIDENTS, timeout=WAIT)

            clock.set(T0 + timedelta(minutes=2))  # level 3: carol and dave, 200 pages
            receiver.wait_for(is_level(3), count=1, timeout=WAIT)
            server.kill()
            before_restart = len(receiver.requests())
            level3_at_kill = len({step_of(r) for r in receiver.requests() if r.json["level"] == 3})
            # The kill must have interrupted the step, or this test proves nothing about crashes.
            assert level3_at_kill < 2 * INCIDENTS, "every level-3 page was out before the kill landed"

            clock.set(T0 + timedelta(minutes=4))  # while down: level 4 (erin) comes due, leases expire
            server.start()
            wait_for_distinct_steps(receiver, INCIDENTS * len(STEPS))
            wait_until_outbox_drained(database_url)
            log = server.log()
            server.stop()

    assert "Traceback" not in log and "timer_failed" not in log, log[-5000:]
    received = receiver.requests()
    keys_by_step: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    deliveries: dict[str, int] = defaultdict(int)
    for request in received:
        expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.header("X-Warroom-Signature") == expected, "page signature does not verify"
        key = request.header("Idempotency-Key")
        assert key is not None and key == request.json["id"]
        keys_by_step[step_of(request)].add(key)
        deliveries[key] += 1

    incidents = {incident for incident, _level, _person in keys_by_step}
    assert len(incidents) == INCIDENTS
    wanted = {(incident, level, person) for incident in incidents for level, person in STEPS}
    assert set(keys_by_step) == wanted, f"missing: {sorted(wanted - set(keys_by_step))[:10]}"
    doubles = {step: keys for step, keys in keys_by_step.items() if len(keys) != 1}
    assert not doubles, f"steps paged under several idempotency keys (double pages): {list(doubles.items())[:5]}"
    repeats = sum(count - 1 for count in deliveries.values())
    assert len(received) == len(wanted) + repeats
    assert before_restart < len(received)

    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(
                    pages.c.escalation_id,
                    pages.c.incident_id,
                    pages.c.level,
                    pages.c.round,
                    pages.c.person,
                    pages.c.due_at,
                    pages.c.paged_at,
                )
            ).all()
            pending_timers = connection.execute(
                select(func.count())
                .select_from(timers)
                .where(timers.c.fired_at.is_(None), timers.c.kind == ESCALATION_TIMER)
            ).scalar_one()
            sent = connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.state == "sent")
            ).scalar_one()
    finally:
        engine.dispose()
    ledger: dict[tuple[int, int, int, str], int] = defaultdict(int)
    for row in rows:
        ledger[(row.escalation_id, row.level, row.round, row.person)] += 1
        # Due times follow the schedule, not the crash: a late step keeps its due time.
        assert row.due_at == T0 + DUE_AFTER[row.level + 1], row
    assert len(rows) == INCIDENTS * len(STEPS)
    assert set(ledger.values()) == {1}
    assert {(row.incident_id, row.level + 1, row.person) for row in rows} == wanted
    # Level 4 came due while the server was down: it was paged by the restarted server, at its restart time.
    assert {row.paged_at for row in rows if row.level == 3} == {T0 + timedelta(minutes=4)}
    assert pending_timers == 0  # every chain ran out (the unacknowledged incidents' response clocks still run)
    assert sent == INCIDENTS * len(STEPS)
