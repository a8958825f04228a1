"""Reminders on a manual clock: before the deadline in business hours, once at it, never again after; held
while the incident is reopened; and the overdue list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.harness.app import RunningApp
from tests.harness.scripted_incident import RESOLVED
from tests.postmortems.helpers import (
    RESPONDER,
    declare,
    outbox_subjects,
    postmortem_events,
    resolve,
    resolved_incident,
    running,
    team_playbook,
)
from warroom.postmortems.postmortem_models import EditPostmortem
from warroom.store.tables import outbox


def reminders(app: RunningApp, number: int = 1) -> list[tuple[str | None, str]]:
    return [(who, subject) for who, subject in outbox_subjects(app, number) if "postmortem" in subject]


def run_until(app: RunningApp, instant: datetime) -> int:
    app.clock.set(instant)
    return app.warroom.engine.run_due()


def overdue_refs(app: RunningApp) -> list[str]:
    return [summary.incident for summary in app.warroom.postmortems.overdue(RESPONDER)]


def test_before_and_at_the_deadline_then_silence_while_it_stays_overdue(database_url: str) -> None:
    with running(database_url) as app:  # 48 h; Alice leads the scripted incident and is reached by SMS
        ref = resolved_incident(app).ref
        day_before, due = RESOLVED + timedelta(hours=24), RESOLVED + timedelta(hours=48)
        run_until(app, day_before - timedelta(seconds=1))
        assert reminders(app) == []
        run_until(app, day_before)
        assert reminders(app) == [("alice", "INC-1: postmortem due 2026-03-07 15:00 UTC")]
        assert app.warroom.postmortems.get(RESPONDER, ref).next_reminder_at == due
        run_until(app, due - timedelta(seconds=1))
        assert overdue_refs(app) == [] and len(reminders(app)) == 1
        run_until(app, due)  # half-open: at the deadline it is late
        assert reminders(app)[-1] == ("alice", "INC-1: postmortem overdue")
        assert overdue_refs(app) == [ref]
        view = app.warroom.postmortems.get(RESPONDER, ref)
        assert view.overdue and view.next_reminder_at is None
        run_until(app, due + timedelta(days=30))
        assert len(reminders(app)) == 2, "one overdue notice, not a storm"
        assert overdue_refs(app) == [ref]
        assert postmortem_events(app, 1) == [
            "Postmortem reminder: due 2026-03-07 15:00 UTC; told alice",
            "Postmortem overdue: due 2026-03-07 15:00 UTC, not published; told alice",
        ]
        service = app.warroom.postmortems
        service.edit(RESPONDER, ref, EditPostmortem(markdown="written\n", revision=1))
        service.submit(RESPONDER, ref)
        assert overdue_refs(app) == [ref]  # in review is not done
        service.publish(RESPONDER, ref)
        assert overdue_refs(app) == []


def test_five_business_days_remind_on_business_days(database_url: str) -> None:
    with running(database_url, "greenlang") as app:
        script = resolved_incident(app)  # Thursday 15:00; due the next Thursday 15:00
        owner = script.holders[app.warroom.playbook.roles[0].key]
        for day in range(6, 14):
            for hour in (9, 15, 17):
                run_until(app, datetime(2026, 3, day, hour, 0, tzinfo=UTC))
        with app.warroom.db.read() as connection:
            rows = connection.execute(
                select(outbox.c.created_at, outbox.c.subject)
                .where(outbox.c.recipient == owner, outbox.c.subject.contains("postmortem"))
                .order_by(outbox.c.id)
            ).all()
    assert [(f"{row.created_at:%a %d %H:%M}", row.subject) for row in rows] == [
        ("Mon 09 15:00", "INC-1: postmortem due 2026-03-12 15:00 UTC"),  # 2 business days
        ("Wed 11 15:00", "INC-1: postmortem due 2026-03-12 15:00 UTC"),  # 4 business days
        ("Thu 12 15:00", "INC-1: postmortem overdue"),
    ]


def test_reminders_are_held_while_the_incident_is_reopened(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev1")
        resolve(app, ref)  # Thursday 13:00 UTC; due Saturday 13:00
        app.clock.advance(timedelta(hours=2))
        app.warroom.incidents.reopen(RESPONDER, ref, "it came back")
        run_until(app, datetime(2026, 3, 7, 13, 0, tzinfo=UTC))
        assert reminders(app) == [] and overdue_refs(app) == [ref]  # the old deadline still shows
        resolve(app, ref)
        view = app.warroom.postmortems.get(RESPONDER, ref)
        assert view.due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC) and overdue_refs(app) == []
        assert view.next_reminder_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Sunday's reminder: Monday 09:00 Berlin


def test_an_engine_that_was_down_past_the_deadline_sends_one_overdue_notice(database_url: str) -> None:
    with running(database_url) as app:
        resolved_incident(app)
        run_until(app, RESOLVED + timedelta(days=5))
        run_until(app, RESOLVED + timedelta(days=6))
        assert reminders(app) == [("alice", "INC-1: postmortem overdue")]
        assert postmortem_events(app, 1) == ["Postmortem overdue: due 2026-03-07 15:00 UTC, not published; told alice"]
