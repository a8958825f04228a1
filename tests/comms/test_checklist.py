"""The response-time checklist is ticked from timestamps: done in time, late, missed, pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.comms.checklist import ChecklistFacts, CheckState, tick
from warroom.comms.clocks import Clock, ClockState
from warroom.playbook.loader import load_preset

GREENLANG = load_preset("greenlang")
CHECKS = {c.text: c for c in GREENLANG.severity("p0").response_checklist}
T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
ADD = GREENLANG.business_calendar.calendar().add


def facts(**changes: object) -> ChecklistFacts:
    values: dict[str, object] = dict(
        triggered_at=T0, acknowledged_at=None, resolved_at=None, first_paged={}, clocks={}, updates_missed=0
    )
    values.update(changes)
    return ChecklistFacts(**values)  # type: ignore[arg-type]


def test_the_greenlang_p0_checklist_is_data_in_the_preset() -> None:
    assert list(CHECKS) == [
        "Acknowledged within 5 minutes",
        "Incident Commander paged within 5 minutes",
        "Status page updated within 15 minutes",
        "Customer email sent within 60 minutes",
        "Updates every 15 minutes",
    ]


def test_acknowledgement_is_done_strictly_before_five_minutes() -> None:
    check = CHECKS["Acknowledged within 5 minutes"]
    assert tick(check, facts(), T0 + timedelta(minutes=4), ADD).state is CheckState.PENDING
    assert tick(check, facts(acknowledged_at=T0 + timedelta(minutes=4, seconds=59)), T0, ADD).state is CheckState.DONE
    late = tick(check, facts(acknowledged_at=T0 + timedelta(minutes=5)), T0 + timedelta(minutes=6), ADD)
    assert late.state is CheckState.LATE and late.detail == "0m00s late"
    assert tick(check, facts(), T0 + timedelta(minutes=5), ADD).state is CheckState.MISSED


def test_the_commander_page_is_read_from_the_pages() -> None:
    check = CHECKS["Incident Commander paged within 5 minutes"]
    done = tick(check, facts(first_paged={"incident_commander": T0}), T0 + timedelta(minutes=1), ADD)
    assert done.state is CheckState.DONE and done.done_at == T0


def test_communication_lines_follow_their_clock() -> None:
    check = CHECKS["Status page updated within 15 minutes"]
    due = T0 + timedelta(minutes=15)
    for state, expected in [
        (ClockState.RUNNING, CheckState.PENDING),
        (ClockState.MET, CheckState.DONE),
        (ClockState.MISSED, CheckState.MISSED),
        (ClockState.HELD, CheckState.PENDING),
        (ClockState.WAIVED, CheckState.NOT_APPLICABLE),
    ]:
        clock = Clock("status_page_initial", "x", "status-page", state, due)
        assert tick(check, facts(clocks={clock.key: clock}), T0, ADD).state is expected


def test_updates_are_missed_once_one_went_overdue() -> None:
    check = CHECKS["Updates every 15 minutes"]
    assert tick(check, facts(), T0, ADD).state is CheckState.PENDING
    assert tick(check, facts(updates_missed=1), T0, ADD).state is CheckState.MISSED
    assert tick(check, facts(resolved_at=T0), T0, ADD).state is CheckState.DONE
