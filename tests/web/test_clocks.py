"""The incident page's clocks: a missed deadline is shown as missed, not as a counter; the resolution target
is met only when the incident resolved in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.comms.views import ClockView, CommsStatus
from warroom.playbook.loader import load_preset
from warroom.web.clocks import incident_clocks

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
GREENLANG = load_preset("greenlang")  # P0: resolution target 4h


class _View:
    """The fields of IncidentView the clocks read."""

    def __init__(self, resolved_at: datetime | None) -> None:
        self.started_at = T0
        self.triggered_at = T0
        self.resolved_at = resolved_at
        self.severity = "p0"


def comms(*clocks: ClockView) -> CommsStatus:
    return CommsStatus(
        incident="INC-1",
        severity="P0",
        update_cadence="15m",
        next_update_due=None,
        update_owner=None,
        updates_missed=0,
        clocks=list(clocks),
        checklist=[],
        communications=[],
        security=None,
    )


def clock(state: str, due: datetime | None, met: datetime | None = None) -> ClockView:
    return ClockView(
        key="k",
        name="Status page",
        channel="status-page",
        state=state,
        due_at=due,
        remaining_seconds=None,
        met_at=met,
        note=None,
        customer_facing=True,
        source=None,
    )


def by_label(view: Any, status: CommsStatus, now: datetime) -> dict[str, Any]:
    return {c.label: c for c in incident_clocks(view, status, GREENLANG, now)}


def test_a_missed_deadline_is_shown_missed_not_counting() -> None:
    due = T0 + timedelta(minutes=15)
    shown = by_label(_View(None), comms(clock("missed", due)), T0 + timedelta(hours=3))["Status page"]
    assert (shown.state, shown.counts, shown.at) == ("missed", "none", due)
    running = by_label(_View(None), comms(clock("running", due)), T0 + timedelta(minutes=12))["Status page"]
    assert (running.state, running.counts) == ("due_soon", "until")


def test_the_resolution_target_is_met_only_in_time() -> None:
    in_time = by_label(_View(T0 + timedelta(hours=3, minutes=59)), comms(), T0 + timedelta(hours=5))
    assert in_time["Resolution target"].state == "met"
    late = by_label(_View(T0 + timedelta(hours=4)), comms(), T0 + timedelta(hours=5))
    assert late["Resolution target"].state == "missed"
