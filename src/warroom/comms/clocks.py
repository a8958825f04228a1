"""Communication clocks: which messages are owed, by when, and whether the real sends met them. Pure.

SEMANTICS.md: "within N" is met strictly before anchor + N; a deadline with no number is a task; deadlines
restart when the severity changes; customer-facing clocks of a security incident are held (not breached)
until the approval and restart from it; the 72-hour regulator clock starts at the breach flag and nothing
pauses it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from warroom.deadlines import Span
from warroom.playbook.schema import CUSTOMER_FACING_KINDS, Audience, CommunicationDeadline, Playbook, TemplateKind

REGULATOR_CLOCK = "regulator_notice"
UPDATE_CLOCK = "update"
# Messages that are not stakeholder updates: they neither keep the cadence nor meet a clock by accident.
NOT_UPDATES = frozenset({TemplateKind.HANDOFF.value, TemplateKind.INCIDENT_RECORD.value})


class ClockState(StrEnum):
    RUNNING = "running"
    MET = "met"
    MISSED = "missed"  # due passed unmet (it may still be sent late: met_at then shows when)
    HELD = "held"  # waiting for the security approval: not counting, not breached
    WAIVED = "waived"
    NOT_STARTED = "not_started"  # its anchor (resolution) has not happened
    TASK = "task"  # no number in the playbook: a task, not a clock


@dataclass(frozen=True)
class Sent:
    """A communication that reached its audience (delivered_at), or only queued (None)."""

    channel: str
    kind: str
    template: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class IncidentClockFacts:
    triggered_at: datetime
    resolved_at: datetime | None
    severity_changed_at: datetime | None
    private: bool
    awaiting_approval: bool
    approved_at: datetime | None
    breach_flagged_at: datetime | None
    sent: Sequence[Sent] = ()
    waived: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Clock:
    key: str
    name: str
    channel: str | None
    state: ClockState
    due_at: datetime | None
    met_at: datetime | None = None
    note: str | None = None
    customer_facing: bool = False
    source: str | None = None

    def remaining(self, now: datetime) -> timedelta | None:
        if self.state is not ClockState.RUNNING or self.due_at is None:
            return None
        return self.due_at - now


AddSpan = Callable[[datetime, Span], datetime]


def restart_anchor(facts: IncidentClockFacts) -> datetime:
    """Clocks that count from the trigger count from a severity change instead, once there was one."""
    if facts.severity_changed_at is not None and facts.severity_changed_at > facts.triggered_at:
        return facts.severity_changed_at
    return facts.triggered_at


def is_customer_facing(deadline: CommunicationDeadline, playbook: Playbook) -> bool:
    if deadline.customer_facing:
        return True
    if deadline.template is not None:
        try:
            if playbook.template(deadline.template).kind in CUSTOMER_FACING_KINDS:
                return True
        except KeyError:
            pass
    if deadline.channel is not None:
        try:
            return playbook.channel(deadline.channel).audience in (Audience.CUSTOMERS, Audience.PUBLIC)
        except KeyError:
            pass
    return False


def meets(deadline: CommunicationDeadline, playbook: Playbook, sent: Sent) -> bool:
    """Whether this communication is the one the deadline asks for: same audience, and the same kind of
    message when the deadline names a template (a status page "Resolved" does not meet "Investigating")."""
    if sent.kind in NOT_UPDATES and deadline.template is None:
        return False
    if deadline.channel is not None and sent.channel != deadline.channel:
        return False
    if deadline.template is not None:
        try:
            wanted = playbook.template(deadline.template).kind.value
        except KeyError:
            return sent.template == deadline.template
        return sent.template == deadline.template or sent.kind == wanted
    return True


def deadline_clock(
    deadline: CommunicationDeadline, playbook: Playbook, facts: IncidentClockFacts, now: datetime, add: AddSpan
) -> Clock:
    customer_facing = is_customer_facing(deadline, playbook)

    def clock(
        state: ClockState, due: datetime | None = None, met: datetime | None = None, note: str | None = None
    ) -> Clock:
        return Clock(
            deadline.key,
            deadline.name,
            deadline.channel,
            state,
            due,
            met,
            note or deadline.condition,
            customer_facing,
            deadline.source,
        )

    if deadline.key in facts.waived:
        return clock(ClockState.WAIVED, note=f"waived: {facts.waived[deadline.key]}")
    # "Within 1 hour: executives (if prolonged outage)": owed only by an incident still open when it is due.
    if (
        deadline.anchor == "prolonged"
        and deadline.within is not None
        and facts.resolved_at is not None
        and facts.resolved_at < add(restart_anchor(facts), deadline.within)
    ):
        return clock(ClockState.WAIVED, note="not prolonged: resolved before it was due")
    if deadline.anchor == "resolved":
        if facts.resolved_at is None:
            return clock(ClockState.NOT_STARTED, note="starts at resolution")
        anchor = facts.resolved_at
    else:
        anchor = restart_anchor(facts)
    if customer_facing:
        if facts.awaiting_approval:
            return clock(ClockState.HELD, note="held: awaiting approval")
        if facts.private and facts.approved_at is None:
            return clock(ClockState.WAIVED, note="private incident: no customer communication")
        if facts.approved_at is not None and facts.approved_at > anchor:
            anchor = facts.approved_at
    met_at = _first_delivery(deadline, playbook, facts.sent, anchor)
    if deadline.within is None:
        return clock(ClockState.MET if met_at else ClockState.TASK, met=met_at)
    due = add(anchor, deadline.within)
    if met_at is not None and met_at < due:
        return clock(ClockState.MET, due, met_at)
    if now >= due:
        return clock(ClockState.MISSED, due, met_at)
    return clock(ClockState.RUNNING, due)


def regulator_clock(playbook: Playbook, facts: IncidentClockFacts, now: datetime, add: AddSpan) -> Clock | None:
    security = playbook.security
    if security is None or security.regulator_notice is None or facts.breach_flagged_at is None:
        return None
    name = f"Regulator notified of the personal-data breach (within {security.regulator_notice})"
    due = add(facts.breach_flagged_at, security.regulator_notice)
    delivered = [
        s.delivered_at
        for s in facts.sent
        if s.kind == TemplateKind.REGULATOR_NOTICE.value
        and s.delivered_at
        and s.delivered_at >= facts.breach_flagged_at
    ]
    met_at = min(delivered) if delivered else None
    if met_at is not None and met_at < due:
        state = ClockState.MET
    elif now >= due:
        state = ClockState.MISSED
    else:
        state = ClockState.RUNNING
    return Clock(
        REGULATOR_CLOCK, name, None, state, due, met_at, "nothing pauses it", False, "security.regulator_notice"
    )


def last_update_at(facts: IncidentClockFacts, since: datetime, channels: Collection[str] = ()) -> datetime | None:
    """The last delivered update since then; only to `channels` when the playbook names them."""
    times = [
        s.delivered_at
        for s in facts.sent
        if s.delivered_at is not None
        and s.delivered_at >= since
        and s.kind not in NOT_UPDATES
        and s.kind != TemplateKind.REGULATOR_NOTICE.value
        and (not channels or s.channel in channels)
    ]
    return max(times) if times else None


def next_update_due(
    cadence: Span | None, facts: IncidentClockFacts, add: AddSpan, channels: Collection[str] = ()
) -> datetime | None:
    """When the next stakeholder update is owed: one cadence after the last delivered update (or after the
    trigger / severity change). None once resolved or when the severity sets no cadence."""
    if cadence is None or facts.resolved_at is not None:
        return None
    anchor = restart_anchor(facts)
    last = last_update_at(facts, anchor, channels)
    return add(last or anchor, cadence)


def _first_delivery(
    deadline: CommunicationDeadline, playbook: Playbook, sent: Sequence[Sent], anchor: datetime
) -> datetime | None:
    times = [
        s.delivered_at
        for s in sent
        if s.delivered_at is not None and s.delivered_at >= anchor and meets(deadline, playbook, s)
    ]
    return min(times) if times else None
