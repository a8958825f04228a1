"""Severity levels: what each level means and what it obliges the team to do, and by when."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from warroom.playbook.schema.common import Key, Method, Span, Strict, TextList


class WarRoom(StrEnum):
    REQUIRED = "required"
    RECOMMENDED = "recommended"
    NOT_REQUIRED = "not_required"


class PostmortemRequirement(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    SKIPPED = "skipped"


class PostmortemPolicy(Strict):
    requirement: PostmortemRequirement
    due: Span | None = Field(None, description="After resolution: '48h', '5 business days'.")
    review_within: Span | None = Field(None, description="When the postmortem review must be complete.")
    note: str | None = None

    @model_validator(mode="after")
    def _due_when_required(self) -> PostmortemPolicy:
        if self.requirement is PostmortemRequirement.REQUIRED and self.due is None:
            raise ValueError("a required postmortem needs a 'due' span")
        return self


class CommunicationDeadline(Strict):
    """An obligation to tell an audience something. With no `within`, it is a task, not a clock."""

    key: Key
    name: str
    channel: Key | None = Field(None, description="The channel (audience) the message goes to.")
    within: Span | None = None
    anchor: str = Field("triggered", pattern=r"^(triggered|declared|resolved|prolonged)$")
    template: Key | None = None
    customer_facing: bool = False
    condition: str | None = Field(None, description="When it applies, in words ('if user-facing').")
    source: str | None = Field(None, description="The playbook passage this comes from.")


class ResponseCheck(Strict):
    """One line of a "response time checklist", ticked from real timestamps, never by hand.

    `measure` says what ticks it: `acknowledged`, `role_paged:<role>` (the role's holder or default person
    paged), `communication:<deadline key>` (that clock met) or `updates` (no update overdue).
    """

    text: str = Field(min_length=1)
    measure: str = Field(
        pattern=r"^(acknowledged|updates|role_paged:[a-z0-9][a-z0-9_\-]*|communication:[a-z0-9][a-z0-9_\-]*)$"
    )
    within: Span | None = Field(None, description="From the trigger; not needed for communication and updates.")


class Severity(Strict):
    key: Key
    label: str = Field(min_length=1, max_length=32)
    name: str
    definition: TextList = Field(default_factory=list)
    examples: TextList = Field(default_factory=list)
    response_target: Span = Field(description="Acknowledge within this span of the trigger.")
    update_cadence: Span | None = None
    resolution_target: Span | None = None
    quiet_period: Span | None = Field(None, description="Symptom-free time before it may be resolved.")
    war_room: WarRoom = WarRoom.NOT_REQUIRED
    war_room_call_within: Span | None = None
    postmortem: PostmortemPolicy
    communication: list[CommunicationDeadline] = Field(default_factory=list)
    notify_methods: list[Method] = Field(min_length=1)
    escalation_policy: Key | None = None
    also_escalate: list[Key] = Field(
        default_factory=list, description="Further policies that run beside the main one (business, technical)."
    )
    tasks: TextList = Field(default_factory=list, description="Obligations with no clock.")
    response_checklist: list[ResponseCheck] = Field(default_factory=list)
    customer_credits: str | None = None
    note: str | None = None

    def policy_keys(self) -> list[str]:
        keys = [self.escalation_policy] if self.escalation_policy else []
        return keys + [key for key in self.also_escalate if key not in keys]

    @property
    def pages_anyone(self) -> bool:
        return any(method is not Method.TICKET for method in self.notify_methods)

    @model_validator(mode="after")
    def _consistent(self) -> Severity:
        if Method.TICKET in self.notify_methods and len(self.notify_methods) > 1:
            raise ValueError("'ticket' (backlog only) cannot be combined with paging methods")
        keys = [deadline.key for deadline in self.communication]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"duplicate communication key(s): {', '.join(duplicates)}")
        for check in self.response_checklist:
            kind, _, key = check.measure.partition(":")
            if kind == "communication" and key not in keys:
                raise ValueError(f"response checklist {check.text!r}: no communication deadline {key!r} here")
            if kind in ("acknowledged", "role_paged") and check.within is None:
                raise ValueError(f"response checklist {check.text!r}: '{kind}' needs 'within'")
        return self
