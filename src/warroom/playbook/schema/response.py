"""How a team runs an incident: roles, phases, services, runbooks, postmortems, pay and security."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from warroom.playbook.schema.common import Key, Span, Strict, TextList, WallTime
from warroom.playbook.schema.oncall import Target


class Role(Strict):
    key: Key
    name: str
    short: str | None = None
    responsibility: str | None = None
    who: str | None = Field(None, description="Who normally takes it, in words.")
    default: Target | None = Field(None, description="Who holds it when nobody is assigned.")
    checklist: TextList = Field(default_factory=list)


class Phase(Strict):
    key: Key
    name: str
    goal: str | None = None
    timebox: Span | None = None
    checklist: TextList = Field(default_factory=list)
    severities: list[Key] = Field(default_factory=list, description="Only for these severities (empty: all).")


class Component(Strict):
    key: Key
    name: str
    group: str | None = None
    description: str | None = None


class Service(Strict):
    key: Key
    name: str
    team: Key | None = None
    components: list[Key] = Field(default_factory=list)
    escalation_policy: Key | None = None
    customer_facing: bool = True
    dashboards: list[str] = Field(default_factory=list)


class Runbook(Strict):
    key: Key
    name: str
    alert_names: list[str] = Field(default_factory=list)
    default_severity: Key | None = None
    severity_note: str | None = None
    security: bool = False
    symptoms: TextList = Field(default_factory=list)
    checks: TextList = Field(default_factory=list)
    mitigations: TextList = Field(default_factory=list)
    root_causes: TextList = Field(default_factory=list)
    validation: TextList = Field(default_factory=list)
    escalation: TextList = Field(default_factory=list)
    template: Key | None = None


class PostmortemSpec(Strict):
    template: str = Field(min_length=1, description="Markdown (Jinja) the draft is written in.")
    blameless: bool = True
    rules: TextList = Field(default_factory=list)
    attendees: TextList = Field(default_factory=list)
    meeting_length: Span | None = None
    share_with: TextList = Field(default_factory=list)
    action_item_tracker: str | None = None


class IncidentPay(Strict):
    severity: Key
    amount: Decimal = Field(ge=0)


class Compensation(Strict):
    currency: str = Field("USD", min_length=3, max_length=3)
    weekly_stipend: Decimal = Field(Decimal(0), ge=0)
    per_incident: list[IncidentPay] = Field(default_factory=list)
    comp_time_per_overnight_page: Span | None = None
    overnight_start: WallTime | None = None
    overnight_end: WallTime | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _overnight_defined(self) -> Compensation:
        if self.comp_time_per_overnight_page and (self.overnight_start is None or self.overnight_end is None):
            raise ValueError("comp time per overnight page needs overnight_start and overnight_end")
        return self


class SecurityPolicy(Strict):
    minimum_severity: Key | None = Field(None, description="A security incident is at least this severe.")
    private_by_default: bool = True
    approval_role: Key | None = Field(None, description="The role whose approval customer messages wait for.")
    regulator_notice: Span | None = Field(None, description="e.g. 72h GDPR notice from the breach flag.")
    page: list[Target] = Field(default_factory=list)
    evidence_checklist: TextList = Field(default_factory=list)
    rules: TextList = Field(default_factory=list)
