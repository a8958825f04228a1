"""The SLA clocks of one incident as the pages show them: since start, next update, each deadline, resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.comms.views import CommsStatus
from warroom.incidents.views import IncidentView
from warroom.playbook.schema import Playbook

DUE_SOON_SECONDS = 5 * 60


@dataclass(frozen=True)
class Clock:
    label: str
    at: datetime | None  # counting since (elapsed) or until (deadline)
    counts: str  # "since" | "until" | "none"
    state: str  # running | due_soon | overdue | met | missed | waived | stopped
    detail: str = ""


def _deadline_state(due: datetime, now: datetime) -> str:
    remaining = (due - now).total_seconds()
    if remaining < 0:
        return "overdue"
    return "due_soon" if remaining <= DUE_SOON_SECONDS else "running"


def incident_clocks(view: IncidentView, comms: CommsStatus | None, playbook: Playbook, now: datetime) -> list[Clock]:
    """`playbook` is the incident's frozen policy; `comms` may be None for viewers without access to it."""
    open_ = view.resolved_at is None
    clocks = [
        Clock("Since start", view.started_at, "since", "running" if open_ else "stopped", ""),
    ]
    if comms is not None and comms.next_update_due is not None and open_:
        due = comms.next_update_due
        owner = f"owner: {comms.update_owner}" if comms.update_owner else ""
        clocks.append(Clock("Next update due", due, "until", _deadline_state(due, now), owner))
    for deadline in comms.clocks if comms is not None else []:
        if deadline.met_at is not None:
            clocks.append(Clock(deadline.name, deadline.met_at, "none", "met", deadline.note or ""))
        elif deadline.due_at is not None and deadline.state == "missed":
            # A miss is a fact on the timeline: shown as when it was due, not as a counter that grows forever.
            clocks.append(Clock(deadline.name, deadline.due_at, "none", "missed", deadline.note or "not sent"))
        elif deadline.due_at is not None and deadline.state == "running":
            state = _deadline_state(deadline.due_at, now)
            clocks.append(Clock(deadline.name, deadline.due_at, "until", state, deadline.note or ""))
        else:
            clocks.append(Clock(deadline.name, deadline.due_at, "none", deadline.state, deadline.note or ""))
    severity = next((s for s in playbook.severities if s.key == view.severity), None)
    target = severity.resolution_target if severity is not None else None
    if target is not None:
        if view.resolved_at is not None:
            made = target.is_business or view.resolved_at < view.triggered_at + target.elapsed
            clocks.append(
                Clock("Resolution target", view.resolved_at, "none", "met" if made else "missed", f"target {target}")
            )
        elif target.is_business:
            clocks.append(Clock("Resolution target", None, "none", "running", f"within {target}"))
        else:
            due = view.triggered_at + target.elapsed
            clocks.append(Clock("Resolution target", due, "until", _deadline_state(due, now), f"within {target}"))
    return clocks
