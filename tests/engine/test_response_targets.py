"""Response targets as clocks: an incident nobody acknowledges within its severity's target gets one
`response_missed` event at trigger + target (SEMANTICS: half-open, so an acknowledgement at exactly the
target is late). Small-team playbook: SEV-1 5m, SEV-2 15m, SEV-3 "4 business hours", SEV-4 "next business
day", business hours Monday-Friday 09:00-17:00 Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.engine.small_team import WEDNESDAY, declare, events, run_at, small_team
from tests.harness.app import RunningApp
from tests.harness.paging import paging_app

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY_4PM = datetime(2026, 1, 9, 16, 0, tzinfo=BERLIN)
SECOND = timedelta(seconds=1)


def minutes(n: float) -> datetime:
    return WEDNESDAY + timedelta(minutes=n)


def acknowledge(app: RunningApp, number: int) -> None:
    response = app.call("POST", f"/api/v1/incidents/INC-{number}/acknowledge")
    assert response.status_code == 200, response.text


def misses(app: RunningApp, number: int) -> list[tuple[datetime, str]]:
    """(when recorded, due_at) of each response_missed event."""
    return [(e.at, e.after["due_at"]) for e in events(app, number, "response_missed")]


def test_an_unacknowledged_incident_misses_its_target_once_at_exactly_the_target(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev1")
        run_at(app, minutes(5) - SECOND)
        assert misses(app, number) == []
        run_at(app, minutes(5))
        [missed] = events(app, number, "response_missed")
        assert missed.at == minutes(5)
        assert missed.after == {"due_at": minutes(5).isoformat(), "severity": "SEV-1", "target": "5m"}
        assert "within 5m" in missed.text
        run_at(app, minutes(120))
        assert len(misses(app, number)) == 1


def test_an_acknowledgement_one_second_before_the_target_is_in_time(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev1")
        run_at(app, minutes(5) - SECOND)
        acknowledge(app, number)
        run_at(app, minutes(60))
        assert misses(app, number) == []


def test_an_acknowledgement_at_exactly_the_target_after_the_engine_fired_stays_a_miss(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev1")
        run_at(app, minutes(5))
        acknowledge(app, number)
        run_at(app, minutes(60))
        assert misses(app, number) == [(minutes(5), minutes(5).isoformat())]


def test_an_acknowledgement_at_exactly_the_target_is_late(database_url: str) -> None:
    """The acknowledgement lands at the target's instant, before the engine has looked: still a miss."""
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev1")
        app.clock.set(minutes(5))
        acknowledge(app, number)
        run_at(app, minutes(60))
        assert misses(app, number) == [(minutes(5), minutes(5).isoformat())]


def test_resolving_before_the_target_records_no_miss(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev1")
        run_at(app, minutes(2))
        response = app.call("POST", f"/api/v1/incidents/INC-{number}/resolve", json={"note": "false alarm"})
        assert response.status_code == 200, response.text
        run_at(app, minutes(60))
        assert misses(app, number) == []


def change_severity(app: RunningApp, number: int, severity: str) -> None:
    body = {"severity": severity, "reason": "impact re-assessed"}
    response = app.call("POST", f"/api/v1/incidents/INC-{number}/severity", json=body)
    assert response.status_code == 200, response.text


def test_a_longer_target_after_a_severity_change_moves_the_deadline_from_the_same_trigger(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev1")
        run_at(app, minutes(2))
        change_severity(app, number, "sev2")
        run_at(app, minutes(15) - SECOND)  # past the SEV-1 target: no longer a miss
        assert misses(app, number) == []
        run_at(app, minutes(15))  # SEV-2's 15 minutes, from the trigger (not from the change)
        [missed] = events(app, number, "response_missed")
        assert (missed.at, missed.after["severity"], missed.after["target"]) == (minutes(15), "SEV-2", "15m")


def test_a_shorter_target_already_past_after_a_severity_change_is_missed_at_once(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, _pager):
        number = declare(app, "sev2")
        run_at(app, minutes(7))
        assert misses(app, number) == []
        change_severity(app, number, "sev1")
        run_at(app, minutes(7))
        assert misses(app, number) == [(minutes(7), minutes(5).isoformat())]
        run_at(app, minutes(60))
        assert len(misses(app, number)) == 1


def test_four_business_hours_from_friday_4pm_end_on_monday_at_noon(database_url: str) -> None:
    monday_noon = datetime(2026, 1, 12, 12, 0, tzinfo=BERLIN).astimezone(UTC)
    with paging_app(database_url, playbook=small_team(), start=FRIDAY_4PM) as (app, _pager):
        number = declare(app, "sev3")
        run_at(app, monday_noon - SECOND)  # the weekend does not count
        assert misses(app, number) == []
        run_at(app, monday_noon)
        assert misses(app, number) == [(monday_noon, monday_noon.isoformat())]


def test_next_business_day_from_friday_ends_at_5pm_on_monday(database_url: str) -> None:
    monday_5pm = datetime(2026, 1, 12, 17, 0, tzinfo=BERLIN).astimezone(UTC)
    with paging_app(database_url, playbook=small_team(), start=FRIDAY_4PM) as (app, _pager):
        number = declare(app, "sev4")
        run_at(app, monday_5pm - SECOND)
        assert misses(app, number) == []
        run_at(app, monday_5pm)
        assert misses(app, number) == [(monday_5pm, monday_5pm.isoformat())]
