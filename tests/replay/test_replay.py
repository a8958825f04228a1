"""Replay over a scripted history: the difference a group_by makes, counted by hand, and nothing sent or written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.alerting import alerting_playbook
from tests.replay.script import SINCE, UNTIL, ScriptedHistory, candidate_playbook, scripted_history
from warroom.replay.service import ReplayReport, replay


@pytest.fixture
def history(database_url: str) -> Iterator[ScriptedHistory]:
    with scripted_history(database_url) as scripted:
        yield scripted


@pytest.fixture
def report(history: ScriptedHistory) -> ReplayReport:
    return replay(history.run.app.warroom.db, alerting_playbook(), candidate_playbook(), SINCE, UNTIL)


def test_the_current_playbook_replays_the_real_history(history: ScriptedHistory, report: ReplayReport) -> None:
    current = report.current
    assert (report.alerts, report.real_incidents) == (3, 3)
    assert (current.incidents, current.acknowledged) == (3, 2)
    assert [(s.label, s.incidents) for s in current.by_severity] == [("SEV-1", 3)]
    # a1: alice, acknowledged at +3m. a2: alice, bob at +6m, never acknowledged. a3: alice, bob at +7m, ack +12m.
    assert current.pages == 5
    assert {p.person: p.pages for p in current.people} == {"alice": 3, "bob": 2}
    assert (current.escalated_incidents, current.pages_beyond_first_level) == (2, 2)
    # 03:00 in Berlin, the playbook's zone: every page is a night page (the reports' default 22:00-07:00).
    assert {p.person: p.night_pages for p in current.people} == {"alice": 3, "bob": 2}
    assert (current.night_pages, current.people_woken_at_night) == (5, 2)


def test_grouping_by_cluster_merges_the_two_eu_incidents(report: ReplayReport) -> None:
    candidate, difference = report.candidate, report.difference
    # eu: a1 opens, a2 joins, alice acknowledges at +3m as she did for a1. us: a3 as before.
    assert (candidate.incidents, candidate.acknowledged) == (2, 2)
    assert candidate.pages == 3
    assert {p.person: p.pages for p in candidate.people} == {"alice": 2, "bob": 1}
    assert {p.person: p.night_pages for p in candidate.people} == {"alice": 2, "bob": 1}
    assert candidate.escalated_incidents == 1
    assert str(difference.incidents) == "3 -> 2 (-1)"
    assert str(difference.pages) == "5 -> 3 (-2)"
    assert str(difference.night_pages) == "5 -> 3 (-2)"
    assert str(difference.people_woken_at_night) == "2 -> 2 (+0)"
    assert str(difference.escalated_incidents) == "2 -> 1 (-1)"
    assert [(c.name, c.before, c.after) for c in difference.night_pages_by_person] == [
        ("alice", 3, 2),
        ("bob", 2, 1),
    ]
    assert (difference.merges, difference.splits) == (1, 0)
    (merged,) = difference.merge_examples
    assert (merged.alerts, merged.incidents_before, merged.incidents_after) == (2, 2, 1)
    assert merged.alert_names == ["DiskFull"]
    assert merged.common_labels == {"alertname": "DiskFull", "cluster": "eu"}
    assert len(merged.real_incidents) == 2


def test_deliveries_are_counted_by_person_and_method(report: ReplayReport) -> None:
    # SEV-1 pages by phone and SMS: alice has an SMS number only, bob no contact method (his phone page is
    # what the sender would try); one delivery per page.
    assert {p.person: p.by_method for p in report.current.people} == {"alice": {"sms": 3}, "bob": {"phone": 2}}
    assert {p.person: p.by_method for p in report.candidate.people} == {"alice": {"sms": 2}, "bob": {"phone": 1}}


def test_replay_sends_nothing_and_changes_nothing_in_the_real_store(history: ScriptedHistory) -> None:
    app = history.run.app
    history.run.tick()  # the real application has delivered all it had due
    received = history.received()
    assert received["page webhook"] + received["twilio"] > 0  # the real history did page, through the fakes
    before = app.snapshot()
    now = app.clock.now()
    result = replay(app.warroom.db, alerting_playbook(), candidate_playbook(), SINCE, UNTIL)
    assert result.current.pages > 0 and result.candidate.pages > 0  # it would have paged...
    history.run.tick()  # had the replay queued anything in the real outbox, this would deliver it
    assert history.received() == received  # ...and no provider heard of it
    assert app.snapshot() == before
    assert app.clock.now() == now


def test_an_empty_window_is_refused(history: ScriptedHistory) -> None:
    with pytest.raises(ValueError, match="the window is empty"):
        replay(history.run.app.warroom.db, alerting_playbook(), candidate_playbook(), UNTIL, SINCE)


def test_the_two_sides_in_two_processes_give_the_same_report(history: ScriptedHistory, report: ReplayReport) -> None:
    app = history.run.app
    parallel = replay(app.warroom.db, alerting_playbook(), candidate_playbook(), SINCE, UNTIL, parallel=True)
    assert parallel == report
