"""Overdue action items are reminded on durable timers, in business hours, then weekly; on a manual clock.

The fixture playbook's team works Mon-Fri 09:00-17:00 Europe/Berlin (UTC+1 in March); Alice is reached by SMS,
Bob has no contact method. T0 is Thursday 5 March 2026, 14:00 UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.harness.app import RunningApp
from tests.postmortems.action_item_support import (
    add_item,
    add_postmortem,
    app_at_t0,
    at,
    declare,
    events,
    notices,
    timer_of,
)
from warroom.engine.timers import arm
from warroom.postmortems.action_item_reminders import ACTION_ITEM_TIMER

DUE = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # "2026-03-10": the end of Tuesday 10 March in Berlin
FIRST = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # Wednesday 09:00 Berlin, the next opening


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = app_at_t0(database_url)
    yield running
    running.client.close()
    running.warroom.close()


def test_reminded_once_when_due_then_weekly_until_closed(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="Alice", due="2026-03-10", priority="p1")
    at(app, DUE - timedelta(seconds=1))
    assert notices(app) == [] and app.call("GET", "/api/v1/action-items/1").json()["overdue"] is False
    at(app, DUE)
    assert app.call("GET", "/api/v1/action-items/1").json()["overdue"] is True  # overdue from the due instant
    assert notices(app) == []  # but nobody is texted at midnight
    at(app, FIRST - timedelta(seconds=1))
    assert notices(app) == []
    assert at(app, FIRST) == 1
    [notice] = notices(app)
    assert (notice.recipient, notice.method, notice.address) == ("alice", "sms", "+15550100")
    assert notice.subject == "INC-1: action item #1 overdue"
    assert notice.body["text"] == (
        'INC-1: action item #1 "Alert on connection pool usage" (p1) was due 2026-03-10 and is still open. '
        "Close it (warroom action status 1 done) or move its due date."
    )
    [event] = events(app, 1, "action_item_overdue")
    assert event.text == "Action item #1 overdue (due 2026-03-10): Alert on connection pool usage; reminded alice"
    assert event.actor == "warroom" and event.at == FIRST
    assert app.warroom.engine.run_due() == 0 and len(notices(app)) == 1  # nothing twice

    app.call("POST", "/api/v1/action-items/1/status", json={"status": "in_progress"})
    at(app, FIRST + timedelta(days=7) - timedelta(seconds=1))
    assert len(notices(app)) == 1
    at(app, FIRST + timedelta(days=7))
    second = notices(app)[-1]
    assert len(notices(app)) == 2 and "1 week overdue and is still in progress" in second.body["text"]
    assert len(events(app, 1, "action_item_overdue")) == 1  # weekly reminders are notices only

    app.call("POST", "/api/v1/action-items/1/status", json={"status": "done"})
    assert timer_of(app, 1) is None
    at(app, FIRST + timedelta(days=35))
    assert len(notices(app)) == 2


def test_moving_the_due_date_moves_the_reminder(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")
    app.clock.advance(timedelta(days=1))
    app.call("PATCH", "/api/v1/action-items/1", json={"due": "2026-03-13"})  # Friday
    at(app, FIRST + timedelta(days=1))
    assert notices(app) == []  # the old due date is gone
    monday = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)  # Friday's end -> Monday 09:00 Berlin
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == monday
    at(app, monday)
    assert len(notices(app)) == 1 and "was due 2026-03-13" in notices(app)[0].body["text"]


def test_an_item_closed_before_its_due_date_is_never_reminded(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")
    app.call("POST", "/api/v1/action-items/1/status", json={"status": "wont_do", "note": "duplicate of #2"})
    at(app, FIRST + timedelta(days=30))
    assert notices(app) == [] and events(app, 1, "action_item_overdue") == []


def test_reopening_a_late_item_reminds_at_the_next_opening(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")
    app.call("POST", "/api/v1/action-items/1/status", json={"status": "done"})
    app.clock.set(datetime(2026, 3, 14, 10, 0, tzinfo=UTC))  # Saturday
    app.call("POST", "/api/v1/action-items/1/status", json={"status": "open", "note": "the alert never fired"})
    monday = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == monday
    at(app, monday)
    assert len(notices(app)) == 1 and len(events(app, 1, "action_item_overdue")) == 1


def test_an_item_reopened_after_its_reminder_is_reminded_again(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")
    at(app, FIRST)
    app.call("POST", "/api/v1/action-items/1/status", json={"status": "done"})
    app.clock.set(FIRST + timedelta(days=2))
    app.call("POST", "/api/v1/action-items/1/status", json={"status": "open", "note": "not fixed after all"})
    assert at(app, FIRST + timedelta(days=2)) == 1  # in business hours: at once
    assert len(notices(app)) == 2 and len(events(app, 1, "action_item_overdue")) == 2


def test_without_an_owner_the_postmortem_owner_is_reminded(app: RunningApp) -> None:
    ref = declare(app)
    add_postmortem(app, 1, owner="Alice")
    add_item(app, ref, due="2026-03-10")
    at(app, FIRST)
    [notice] = notices(app)
    assert notice.recipient == "alice" and notice.body["text"].endswith("It has no owner: assign one.")


def test_nobody_to_remind_is_recorded_on_the_timeline(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="Bob", due="2026-03-10")  # Bob has no contact method
    add_item(app, ref, title="Unowned", due="2026-03-10")
    at(app, FIRST)
    assert notices(app) == []
    texts = [e.text for e in events(app, 1, "action_item_overdue")]
    assert texts == [
        "Action item #1 overdue (due 2026-03-10): Alert on connection pool usage; reminded nobody "
        "(no owner with a quiet contact method)",
        "Action item #2 overdue (due 2026-03-10): Unowned; reminded nobody (no owner with a quiet contact method)",
    ]
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == FIRST + timedelta(days=7)  # still followed up weekly


def test_a_late_engine_reminds_once_not_once_per_missed_week(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")
    late = datetime(2026, 4, 2, 8, 30, tzinfo=UTC)  # three weeks later (Thursday 10:30 Berlin, now UTC+2)
    at(app, late)  # the incident's response-target timer fires too: count the reminders, not the timers
    assert len(notices(app)) == 1 and "3 weeks overdue" in notices(app)[0].body["text"]
    assert len(events(app, 1, "action_item_overdue")) == 1
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == late + timedelta(days=7)


def test_a_timer_left_from_an_earlier_due_date_only_rearms(app: RunningApp) -> None:
    """The handler rechecks the item: a timer armed for another due date sends nothing."""
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")
    with app.warroom.db.transaction() as tx:  # as if armed for 8 March and never moved
        arm(
            tx, ACTION_ITEM_TIMER, "1", FIRST - timedelta(days=2), app.clock.now(), {"due": "2026-03-08T23:00:00+00:00"}
        )
    at(app, FIRST - timedelta(days=2))
    assert notices(app) == [] and events(app, 1, "action_item_overdue") == []
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == FIRST
