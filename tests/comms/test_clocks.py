"""The pure communication clocks: half-open deadlines, restarts, holds, the regulator clock, the cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from warroom.comms.clocks import (
    ClockState,
    IncidentClockFacts,
    Sent,
    deadline_clock,
    next_update_due,
    regulator_clock,
)
from warroom.deadlines import parse_span
from warroom.playbook.loader import load_preset

GREENLANG = load_preset("greenlang")
P0 = GREENLANG.severity("p0")
STATUS_PAGE = next(d for d in P0.communication if d.key == "status_page_initial")
CUSTOMER_EMAIL = next(d for d in P0.communication if d.key == "customer_email")
RESOLVED_POST = next(d for d in P0.communication if d.key == "status_page_resolved")
T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
ADD = GREENLANG.business_calendar.calendar().add


def facts(**changes: object) -> IncidentClockFacts:
    values: dict[str, object] = dict(
        triggered_at=T0,
        resolved_at=None,
        severity_changed_at=None,
        private=False,
        awaiting_approval=False,
        approved_at=None,
        breach_flagged_at=None,
        sent=(),
        waived={},
    )
    values.update(changes)
    return IncidentClockFacts(**values)  # type: ignore[arg-type]


def status_post(at: datetime | None, kind: str = "status_investigating") -> Sent:
    return Sent("status-page", kind, kind.replace("_", "-"), at)


@given(st.integers(min_value=0, max_value=40 * 60))
def test_a_deadline_is_met_strictly_before_anchor_plus_n(seconds: int) -> None:
    sent_at = T0 + timedelta(seconds=seconds)
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(sent=[status_post(sent_at)]), T0 + timedelta(hours=1), ADD)
    assert clock.due_at == T0 + timedelta(minutes=15)
    if seconds < 15 * 60:
        assert clock.state is ClockState.MET and clock.met_at == sent_at
    else:  # at exactly 15:00 it is late (SEMANTICS: half-open)
        assert clock.state is ClockState.MISSED and clock.met_at == sent_at


def test_running_until_due_then_missed() -> None:
    assert deadline_clock(STATUS_PAGE, GREENLANG, facts(), T0 + timedelta(minutes=14), ADD).state is ClockState.RUNNING
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(), T0 + timedelta(minutes=15), ADD)
    assert clock.state is ClockState.MISSED and clock.met_at is None
    assert clock.remaining(T0) is None


def test_a_queued_message_that_never_reached_anyone_does_not_meet_the_clock() -> None:
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(sent=[status_post(None)]), T0 + timedelta(minutes=20), ADD)
    assert clock.state is ClockState.MISSED


def test_only_the_kind_of_message_the_deadline_names_meets_it() -> None:
    resolved_post = status_post(T0 + timedelta(minutes=1), "status_resolved")
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(sent=[resolved_post]), T0 + timedelta(minutes=20), ADD)
    assert clock.state is ClockState.MISSED
    wrong_audience = Sent("war-room", "status_investigating", "status-investigating", T0 + timedelta(minutes=1))
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(sent=[wrong_audience]), T0 + timedelta(minutes=20), ADD)
    assert clock.state is ClockState.MISSED


def test_a_severity_change_restarts_the_clock_and_earlier_sends_do_not_count() -> None:
    changed = T0 + timedelta(minutes=20)
    early = status_post(T0 + timedelta(minutes=5))
    clock = deadline_clock(
        STATUS_PAGE, GREENLANG, facts(severity_changed_at=changed, sent=[early]), changed + timedelta(minutes=1), ADD
    )
    assert clock.state is ClockState.RUNNING and clock.due_at == changed + timedelta(minutes=15)


def test_customer_clocks_of_a_security_incident_are_held_then_restart_from_the_approval() -> None:
    held = deadline_clock(
        CUSTOMER_EMAIL, GREENLANG, facts(awaiting_approval=True, private=True), T0 + timedelta(hours=5), ADD
    )
    assert held.state is ClockState.HELD and held.note == "held: awaiting approval"
    approved = T0 + timedelta(hours=2)
    clock = deadline_clock(
        CUSTOMER_EMAIL, GREENLANG, facts(private=True, approved_at=approved), approved + timedelta(minutes=1), ADD
    )
    assert clock.state is ClockState.RUNNING and clock.due_at == approved + timedelta(minutes=60)


def test_internal_clocks_are_not_held_by_the_approval() -> None:
    playbook = load_preset("energy-audit")
    internal = next(d for d in playbook.severity("sev1").communication if d.key == "incident-start-slack")
    clock = deadline_clock(internal, playbook, facts(awaiting_approval=True), T0 + timedelta(minutes=1), ADD)
    assert clock.state is ClockState.RUNNING


def test_a_private_incident_owes_no_customer_communication_unless_approved() -> None:
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(private=True), T0 + timedelta(hours=1), ADD)
    assert clock.state is ClockState.WAIVED


def test_resolution_clocks_start_at_resolution_and_use_business_days() -> None:
    assert deadline_clock(RESOLVED_POST, GREENLANG, facts(), T0, ADD).state is ClockState.NOT_STARTED
    resolved = T0 + timedelta(hours=1)
    clock = deadline_clock(RESOLVED_POST, GREENLANG, facts(resolved_at=resolved), resolved, ADD)
    assert clock.due_at == resolved + timedelta(minutes=5)
    report = next(d for d in P0.communication if d.key == "post_incident_report")
    thursday = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)  # a Thursday: 5 business days is the next Thursday
    clock = deadline_clock(report, GREENLANG, facts(resolved_at=thursday), thursday, ADD)
    assert clock.due_at == datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def test_waived_clocks_say_why() -> None:
    clock = deadline_clock(STATUS_PAGE, GREENLANG, facts(waived={"status_page_initial": "internal only"}), T0, ADD)
    assert clock.state is ClockState.WAIVED and clock.note == "waived: internal only"


def test_the_regulator_clock_runs_72_hours_from_the_flag_and_nothing_pauses_it() -> None:
    assert regulator_clock(GREENLANG, facts(), T0, ADD) is None
    flagged = T0 - timedelta(hours=1)  # back-dated to detection
    running = regulator_clock(GREENLANG, facts(breach_flagged_at=flagged, awaiting_approval=True), T0, ADD)
    assert running is not None and running.state is ClockState.RUNNING
    assert running.due_at == flagged + timedelta(hours=72)
    missed = regulator_clock(GREENLANG, facts(breach_flagged_at=flagged), flagged + timedelta(hours=72), ADD)
    assert missed is not None and missed.state is ClockState.MISSED
    notice = Sent("regulator", "regulator_notice", None, flagged + timedelta(hours=71))
    met = regulator_clock(GREENLANG, facts(breach_flagged_at=flagged, sent=[notice]), T0 + timedelta(days=5), ADD)
    assert met is not None and met.state is ClockState.MET


@given(st.lists(st.integers(min_value=0, max_value=120), max_size=6))
def test_the_next_update_is_one_cadence_after_the_last_delivered_update(minutes: list[int]) -> None:
    cadence = parse_span("15m")
    sent = [Sent("war-room", "update", "internal-update", T0 + timedelta(minutes=m)) for m in minutes]
    due = next_update_due(cadence, facts(sent=sent), ADD)
    last = max(minutes, default=None)
    assert due == (T0 + timedelta(minutes=last) if last is not None else T0) + timedelta(minutes=15)


def test_no_update_is_owed_once_resolved_or_without_a_cadence() -> None:
    assert next_update_due(None, facts(), ADD) is None
    assert next_update_due(parse_span("15m"), facts(resolved_at=T0), ADD) is None
    handoff = Sent("oncall-email", "handoff", "oncall-handoff", T0 + timedelta(minutes=10))
    assert next_update_due(parse_span("15m"), facts(sent=[handoff]), ADD) == T0 + timedelta(minutes=15)


def test_the_overdue_grace_is_elapsed_time() -> None:
    import pytest
    from pydantic import ValidationError

    from warroom.playbook.schema import CommunicationPolicy

    with pytest.raises(ValidationError, match="elapsed time"):
        CommunicationPolicy(overdue_after=parse_span("2 business hours"))


def test_a_prolonged_outage_deadline_is_owed_only_by_an_incident_still_open_when_it_is_due() -> None:
    """sre-team: "Within 1 hour: - Executive team (if prolonged outage)" (anchor: prolonged)."""
    sre = load_preset("sre-team")
    executives = next(d for d in sre.severity("sev1").communication if d.key == "notify-executive-team")
    add = sre.business_calendar.calendar().add
    later = T0 + timedelta(hours=2)
    short = deadline_clock(executives, sre, facts(resolved_at=T0 + timedelta(minutes=59)), later, add)
    assert short.state is ClockState.WAIVED and short.note == "not prolonged: resolved before it was due"
    still_open_at_the_hour = deadline_clock(executives, sre, facts(resolved_at=T0 + timedelta(hours=1)), later, add)
    assert still_open_at_the_hour.state is ClockState.MISSED
    assert deadline_clock(executives, sre, facts(), T0 + timedelta(minutes=30), add).state is ClockState.RUNNING
    told = Sent("executive-team", "update", None, T0 + timedelta(minutes=50))
    assert deadline_clock(executives, sre, facts(sent=[told]), later, add).state is ClockState.MET
    other_channel = Sent("incidents", "update", None, T0 + timedelta(minutes=5))
    assert deadline_clock(executives, sre, facts(sent=[other_channel]), later, add).state is ClockState.MISSED
