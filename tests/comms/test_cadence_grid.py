"""The update cadence keeps its own grid: with no update sent, reminders come at due, due + cadence,
due + 2 x cadence, each followed `overdue_after` later by an overdue notice; an engine that runs late reminds
once, gives the owner the grace period, then rejoins the grid (engine/communication.on_cadence).

Small-team playbook (tests/engine/fixtures/small_team.yaml): SEV-1 updates every 15 minutes, overdue 5
minutes after the due time; the owner is the Incident Commander, by default the primary on-call (alice), and
overdue notices also go to the Scribe (carol).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.engine.small_team import WEDNESDAY, declare, events, run_at, small_team
from tests.harness.app import RunningApp
from tests.harness.paging import paging_app
from warroom.store.tables import outbox


@pytest.fixture
def team(database_url: str) -> Iterator[RunningApp]:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        yield app


def minute(n: float) -> datetime:
    return WEDNESDAY + timedelta(minutes=n)


def run_each_minute(app: RunningApp, first: int, last: int) -> None:
    for n in range(first, last + 1):
        run_at(app, minute(n))


def when(app: RunningApp, number: int, kind: str) -> list[float]:
    """Minutes after the trigger at which the incident's `kind` events were recorded."""
    return [(event.at - WEDNESDAY) / timedelta(minutes=1) for event in events(app, number, kind)]


def notices(app: RunningApp, number: int, what: str) -> list[tuple[float, str]]:
    """(minutes after the trigger, recipient) of each queued 'update due' / 'update overdue' notice."""
    with app.warroom.db.read() as connection:
        query = select(outbox).where(outbox.c.subject == f"INC-{number}: {what}").order_by(outbox.c.id)
        return [
            ((row.created_at - WEDNESDAY) / timedelta(minutes=1), row.recipient) for row in connection.execute(query)
        ]


def test_without_updates_reminders_and_overdue_notices_stay_on_the_cadence_grid(team: RunningApp) -> None:
    number = declare(team, "sev1")
    run_each_minute(team, 0, 55)
    assert when(team, number, "update_due") == [15, 30, 45]
    assert when(team, number, "update_overdue") == [20, 35, 50]
    assert notices(team, number, "update due") == [(15, "alice"), (30, "alice"), (45, "alice")]
    assert sorted(notices(team, number, "update overdue")) == [
        (20, "alice"),
        (20, "carol"),
        (35, "alice"),
        (35, "carol"),
        (50, "alice"),
        (50, "carol"),
    ]


def test_the_reminder_fires_at_exactly_the_due_time(team: RunningApp) -> None:
    number = declare(team, "sev1")
    run_at(team, minute(15) - timedelta(seconds=1))
    assert when(team, number, "update_due") == []
    run_at(team, minute(15))
    assert when(team, number, "update_due") == [15]
    run_at(team, minute(20) - timedelta(seconds=1))
    assert when(team, number, "update_overdue") == []
    run_at(team, minute(20))
    assert when(team, number, "update_overdue") == [20]


def test_a_late_engine_reminds_once_then_gives_the_grace_period_then_rejoins_the_grid(team: RunningApp) -> None:
    number = declare(team, "sev1")
    run_at(team, minute(0))
    run_at(team, minute(45))  # three cadences in one jump, one engine run
    assert when(team, number, "update_due") == [45]
    assert when(team, number, "update_overdue") == []  # no burst: one reminder, nothing overdue yet
    assert notices(team, number, "update due") == [(45, "alice")]
    assert notices(team, number, "update overdue") == []
    run_each_minute(team, 46, 70)
    assert when(team, number, "update_due") == [45, 60]
    assert when(team, number, "update_overdue") == [50, 65]
