"""People, teams, schedules and escalation policies as the playbook declares them.

Their behaviour (who is on call at t, the escalation engine) lives in warroom.oncall and warroom.engine.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from warroom.deadlines import parse_span
from warroom.playbook.schema.common import Key, Method, Span, Strict, TimeZoneName, WallTime, Weekday


class ContactMethod(Strict):
    method: Method
    address: str = Field(min_length=1, description="Phone number, e-mail address, chat handle or push topic.")
    label: str | None = None


class NotificationRule(Strict):
    """Personal rule: reach me by `method` this long after I am paged."""

    method: Method
    after: Span = Field(default_factory=lambda: parse_span("0m"))


class Person(Strict):
    key: Key
    name: str
    title: str | None = None
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")
    timezone: TimeZoneName | None = None
    contact_methods: list[ContactMethod] = Field(default_factory=list)
    notification_rules: list[NotificationRule] = Field(default_factory=list)


class Team(Strict):
    key: Key
    name: str
    members: list[Key] = Field(default_factory=list)
    lead: Key | None = None
    schedule: Key | None = None
    channel: Key | None = None


class Restriction(Strict):
    """A layer applies only inside these windows (business hours, weekdays, after hours)."""

    days: list[Weekday] = Field(default_factory=lambda: list(Weekday))
    start: WallTime
    end: WallTime = Field(description="May be earlier than start: the window then runs past midnight.")


class Rotation(Strict):
    participants: list[Key] = Field(min_length=1)
    shift: Span = Field(description="Shift length in elapsed time: '1h', '12h', '1d', '1w'.")
    start: datetime = Field(description="The first handoff, as local wall time in the schedule's zone.")

    @model_validator(mode="after")
    def _elapsed_shift(self) -> Rotation:
        if self.shift.is_business or self.shift.seconds <= 0:
            raise ValueError("a shift is a positive elapsed span such as '1w' or '12h'")
        if self.start.tzinfo is not None:
            raise ValueError("write the first handoff as local time without an offset; the schedule has the zone")
        return self


class Layer(Strict):
    key: Key
    name: str | None = None
    rotation: Rotation
    restrictions: list[Restriction] = Field(default_factory=list)


class OverrideKind(StrEnum):
    REPLACE = "replace"
    ADD = "add"
    REMOVE = "remove"


class ScheduledOverride(Strict):
    kind: OverrideKind = OverrideKind.REPLACE
    start: datetime
    end: datetime
    person: Key | None = None
    replaces: Key | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _sane(self) -> ScheduledOverride:
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        if self.kind is OverrideKind.REMOVE and self.person is None:
            raise ValueError("a 'remove' override names the person removed")
        if self.kind is not OverrideKind.REMOVE and self.person is None:
            raise ValueError("this override needs the 'person' who takes the shift")
        return self


class Schedule(Strict):
    key: Key
    name: str
    timezone: TimeZoneName
    layers: list[Layer] = Field(min_length=1)
    overrides: list[ScheduledOverride] = Field(default_factory=list)
    handoff_note: str | None = None


class EscalationKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"  # each level waits for an ack, counted from the previous page
    TIME_MATRIX = "time_matrix"  # steps at fixed offsets from the trigger, not stopped by an ack
    PROGRESS = "progress"  # next level after N without progress (a forward status change or an update)


class Target(Strict):
    """Exactly one of: a person, a schedule's on-call, a team, or the holder of an incident role."""

    person: Key | None = None
    schedule: Key | None = None
    team: Key | None = None
    role: Key | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        named = [name for name in ("person", "schedule", "team", "role") if getattr(self, name)]
        if len(named) != 1:
            raise ValueError("a target names exactly one of person, schedule, team or role")
        return self


class EscalationLevel(Strict):
    targets: list[Target] = Field(min_length=1)
    timeout: Span | None = Field(None, description="Acknowledgement/progress chains: wait this long, then escalate.")
    at: Span | None = Field(None, description="Time matrix: page at this offset from the trigger.")
    methods: list[Method] | None = Field(None, description="Override the severity's contact methods here.")
    condition: str | None = Field(None, pattern=r"^(customer_facing|security|prolonged)$")
    note: str | None = None


class EscalationPolicy(Strict):
    key: Key
    name: str
    kind: EscalationKind = EscalationKind.ACKNOWLEDGEMENT
    repeat: int = Field(0, ge=0, le=10, description="Run the whole chain again this many times.")
    multi_ack: bool = Field(False, description="Keep notifying the others of a level after one acknowledges.")
    levels: list[EscalationLevel] = Field(min_length=1)
    source: str | None = None

    @field_validator("key")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == "manual":  # the per-incident row that records pages sent by hand (engine/escalation_records)
            raise ValueError("'manual' is reserved for pages sent by hand: name the policy otherwise")
        return value

    @model_validator(mode="after")
    def _timing_fits_kind(self) -> EscalationPolicy:
        if self.kind is EscalationKind.TIME_MATRIX:
            offsets = []
            for number, level in enumerate(self.levels, start=1):
                if level.at is None or level.timeout is not None:
                    raise ValueError(f"level {number}: a time_matrix level has 'at' and no 'timeout'")
                if level.at.is_business:
                    raise ValueError(f"level {number}: 'at' must be elapsed time")
                offsets.append(level.at.seconds)
            if offsets != sorted(offsets):
                raise ValueError("time_matrix levels must be in order of 'at'")
            if self.repeat:
                raise ValueError("a time_matrix does not repeat")
        else:
            for number, level in enumerate(self.levels, start=1):
                if level.at is not None:
                    raise ValueError(f"level {number}: 'at' belongs to time_matrix policies; use 'timeout'")
                last = number == len(self.levels)
                if level.timeout is None and (not last or self.repeat):
                    raise ValueError(f"level {number}: needs a 'timeout' before the next level")
                if level.timeout is not None and (level.timeout.is_business or level.timeout.seconds <= 0):
                    raise ValueError(f"level {number}: 'timeout' must be a positive elapsed span")
        return self


class OnCallExpectations(Strict):
    acknowledge_within: Span | None = None
    reach_workstation_within: Span | None = None
    escalate_if_not_triaged_within: Span | None = None
    duties: list[str] = Field(default_factory=list)
    before_shift: list[str] = Field(default_factory=list)


__all__ = [
    "ContactMethod",
    "EscalationKind",
    "EscalationLevel",
    "EscalationPolicy",
    "Layer",
    "NotificationRule",
    "OnCallExpectations",
    "OverrideKind",
    "Person",
    "Restriction",
    "Rotation",
    "Schedule",
    "ScheduledOverride",
    "Target",
    "Team",
]
