"""`replay`: the stored alert history under the current playbook and under a candidate, and the difference.

Both sides run in fresh Simulations (throw-away stores, in-memory channels) over the same history with the same
human responses (responders.py), so the difference is the playbooks' alone. The real store is only read.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from warroom.playbook.schema import Playbook
from warroom.replay.difference import Difference, compare
from warroom.replay.history import read_history
from warroom.replay.simulate import simulate
from warroom.replay.summary import SideSummary, summarise
from warroom.store.database import Database

PARALLEL_FROM = 500  # stored alerts
CHANGES = ("incidents", "acknowledged", "pages", "night_pages", "people_woken_at_night", "escalated_incidents")


@dataclass(frozen=True)
class ReplayReport:
    since: datetime
    until: datetime
    alerts: int  # stored alerts replayed
    real_incidents: int  # the real incidents those alerts joined
    current: SideSummary
    candidate: SideSummary
    difference: Difference

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"], data["until"] = self.since.isoformat(), self.until.isoformat()
        for name in (
            "incidents",
            "acknowledged",
            "pages",
            "night_pages",
            "people_woken_at_night",
            "escalated_incidents",
        ):
            data["difference"][name]["delta"] = getattr(self.difference, name).delta
        return data


def replay(
    db: Database,
    current: Playbook,
    candidate: Playbook,
    since: datetime,
    until: datetime,
    *,
    parallel: bool | None = None,
) -> ReplayReport:
    """`parallel`: run the two sides in two processes; by default when the history is long and the machine
    has a second core (a side of 10,000 alerts takes minutes; a process starts in about a second)."""
    history = read_history(db, since, until)
    if parallel is None:
        parallel = len(history.alerts) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
    if parallel:
        # spawn, not fork: the caller may hold threads (a server's writer, a test's fakes) that fork would copy
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            sides = [pool.submit(simulate, current, history), pool.submit(simulate, candidate, history)]
            before, after = sides[0].result(), sides[1].result()
    else:
        before, after = simulate(current, history), simulate(candidate, history)
    current_summary, candidate_summary = summarise(before), summarise(after)
    return ReplayReport(
        since=since,
        until=until,
        alerts=len(history.alerts),
        real_incidents=len({alert.incident_id for alert in history.alerts if alert.incident_id is not None}),
        current=current_summary,
        candidate=candidate_summary,
        difference=compare(history, before, after, current_summary, candidate_summary),
    )
