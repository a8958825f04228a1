"""A whole Warroom on a manual clock and a throw-away store, with in-memory channels.

Time passes only through `advance_to`, which walks from one due instant to the next (a timer, a queued
message, a retry) so that every escalation, reminder and deadline fires at its own simulated time, exactly as
the engine and the sender would have fired it in production. Nothing leaves the process.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import SecretStr
from sqlalchemy import event, func, select

from warroom.clock import ManualClock
from warroom.drills.channels import DeliveryLog, memory_channels
from warroom.playbook.schema import Playbook
from warroom.runtime import Warroom, build
from warroom.settings import Settings
from warroom.store.database import Database
from warroom.store.tables import metadata, outbox, timers

# A drill must not loop forever on a rule that re-arms itself at the same instant.
MAX_STEPS_PER_INSTANT = 1000
MAX_IDLE_PASSES = 3  # passes at one due instant that neither fire nor send: something will never run
_NEXT_DUE = select(
    select(func.min(outbox.c.next_attempt_at)).where(outbox.c.state == "pending").scalar_subquery(),
    select(func.min(timers.c.due_at)).where(timers.c.fired_at.is_(None)).scalar_subquery(),
)
SIMULATED_URL = "https://warroom.drill.invalid"


class Simulation:
    """`with Simulation(playbook, start) as sim: sim.advance_to(t)`; `sim.warroom` is the real service layer."""

    def __init__(
        self,
        playbook: Playbook,
        start: datetime,
        *,
        recipients: Mapping[str, list[str]] | None = None,
        bundle_window_seconds: float | None = None,
    ) -> None:
        self.clock = ManualClock(start)
        self.log = DeliveryLog()
        self._directory = Path(tempfile.mkdtemp(prefix="warroom-drill-"))
        url = f"sqlite:///{self._directory / 'drill.db'}"
        database = Database(url)
        _throw_away(database)
        metadata.create_all(database.engine)  # the migrations' schema (tests/store/test_migrations.py)
        values: dict[str, Any] = {
            "database_url": url,
            "public_url": SIMULATED_URL,
            # Chat pages and war rooms need a bot token to be routed to Slack; the channel is in memory.
            "slack_bot_token": SecretStr("drill-in-memory"),
            "audience_recipients": dict(recipients or {}),
        }
        if bundle_window_seconds is not None:
            values["bundle_window_seconds"] = bundle_window_seconds
        # Built from these values alone: a drill never picks up the host's WARROOM_* providers or secrets.
        settings = Settings.model_construct(**values)
        self.warroom: Warroom = build(
            settings,
            self.clock,
            migrate=False,
            playbook=playbook,
            channels=memory_channels(self.log, self.clock),
            database=database,
        )

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def settle(self) -> None:
        """Fire what is due now and deliver what that queued, until nothing more is due at this instant."""
        self.advance_to(self.now)

    def advance_to(self, instant: datetime) -> None:
        """Let time pass up to `instant`, stopping at every instant something is due on the way.

        At each stop the engine fires what is due, then the sender delivers what is due (the sender drains
        everything due at its now before it returns); whatever that queued for the same instant is found by
        the next look-up, so effects at one instant run to completion before the clock moves on."""
        previous: datetime | None = None
        idle = 0
        for _ in range(MAX_STEPS_PER_INSTANT * 100):
            message_due, timer_due = self._due_instants()
            upcoming = min((due for due in (message_due, timer_due) if due is not None), default=None)
            if upcoming is None or upcoming > instant:
                break
            if upcoming > self.now:
                self.clock.set(upcoming)
            fired = self.warroom.engine.run_due() if timer_due is not None and timer_due <= self.now else 0
            sent = self.warroom.sender.deliver_due() if fired or message_due == upcoming else 0
            idle = idle + 1 if not fired and not sent and upcoming == previous else 0
            if idle > MAX_IDLE_PASSES:
                raise RuntimeError(f"the drill is stuck at {self.now.isoformat()}: something due will not run")
            previous = upcoming
        else:
            raise RuntimeError(f"the drill does not settle before {instant.isoformat()}: a rule keeps re-arming")
        if instant > self.now:
            self.clock.set(instant)

    def _due_instants(self) -> tuple[datetime | None, datetime | None]:
        """The earliest pending message (a page, a retry, a deferred one) and the earliest timer, in one query."""
        with self.warroom.db.read() as connection:
            message_due, timer_due = connection.execute(_NEXT_DUE).one()
        return message_due, timer_due

    def close(self) -> None:
        self.warroom.close()
        shutil.rmtree(self._directory, ignore_errors=True)

    def __enter__(self) -> Simulation:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def _throw_away(database: Database) -> None:
    """The store is deleted after the drill: durability would only cost time."""

    @event.listens_for(database.engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()
