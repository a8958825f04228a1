"""The playbook file: a team's incident-response policy as data (ARCHITECTURE.md, "Policy is data")."""

from __future__ import annotations

from pydantic import Field

from warroom.playbook.schema.alerting import Alerting, AlertRoute, AllClear
from warroom.playbook.schema.common import BusinessCalendarSpec, Key, Method, Strict, TimeZoneName, Weekday
from warroom.playbook.schema.comms import (
    CUSTOMER_FACING_KINDS,
    Audience,
    Channel,
    ChannelKind,
    CommunicationPolicy,
    MessageTemplate,
    TemplateKind,
    WarRoomSpec,
)
from warroom.playbook.schema.oncall import (
    ContactMethod,
    EscalationKind,
    EscalationLevel,
    EscalationPolicy,
    Layer,
    NotificationRule,
    OnCallExpectations,
    Person,
    Restriction,
    Rotation,
    Schedule,
    ScheduledOverride,
    Target,
    Team,
)
from warroom.playbook.schema.response import (
    Compensation,
    Component,
    Phase,
    PostmortemSpec,
    Role,
    Runbook,
    SecurityPolicy,
    Service,
)
from warroom.playbook.schema.severity import (
    CommunicationDeadline,
    PostmortemPolicy,
    PostmortemRequirement,
    ResponseCheck,
    Severity,
    WarRoom,
)
from warroom.playbook.schema.triage import STANDARD_FACTS, Condition, FactSpec, FactType, Triage, TriageRule

SCHEMA_VERSION = 1


class Playbook(Strict):
    version: int = Field(SCHEMA_VERSION, ge=1, le=SCHEMA_VERSION)
    name: str
    description: str | None = None
    source: str | None = Field(None, description="The document this playbook translates.")
    timezone: TimeZoneName = "UTC"
    business_calendar: BusinessCalendarSpec = Field(default_factory=BusinessCalendarSpec)
    severities: list[Severity] = Field(min_length=1, description="Most severe first.")
    triage: Triage
    roles: list[Role] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)
    on_call: OnCallExpectations | None = None
    channels: list[Channel] = Field(default_factory=list)
    war_room: WarRoomSpec | None = None
    templates: list[MessageTemplate] = Field(default_factory=list)
    communication: CommunicationPolicy = Field(default_factory=CommunicationPolicy)
    runbooks: list[Runbook] = Field(default_factory=list)
    alerting: Alerting = Field(default_factory=Alerting)
    postmortem: PostmortemSpec | None = None
    compensation: Compensation | None = None
    security: SecurityPolicy | None = None
    notes: list[str] = Field(default_factory=list, description="Translation decisions, quoting the source.")

    # Lookups: the playbook is frozen, so these are cheap to rebuild and never stale.
    def severity(self, key: str) -> Severity:
        for severity in self.severities:
            if severity.key == key:
                return severity
        raise KeyError(key)

    def severity_keys(self) -> list[str]:
        return [severity.key for severity in self.severities]

    def severity_rank(self, key: str) -> int:
        """0 is the most severe."""
        return self.severity_keys().index(key)

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(key)

    def service(self, key: str) -> Service:
        for service in self.services:
            if service.key == key:
                return service
        raise KeyError(key)

    def channel(self, key: str) -> Channel:
        for channel in self.channels:
            if channel.key == key:
                return channel
        raise KeyError(key)

    def template(self, key: str) -> MessageTemplate:
        for template in self.templates:
            if template.key == key:
                return template
        raise KeyError(key)


__all__ = [
    "CUSTOMER_FACING_KINDS",
    "SCHEMA_VERSION",
    "STANDARD_FACTS",
    "AlertRoute",
    "Alerting",
    "AllClear",
    "Audience",
    "BusinessCalendarSpec",
    "Channel",
    "ChannelKind",
    "CommunicationDeadline",
    "CommunicationPolicy",
    "Compensation",
    "Component",
    "Condition",
    "ContactMethod",
    "EscalationKind",
    "EscalationLevel",
    "EscalationPolicy",
    "FactSpec",
    "FactType",
    "Key",
    "Layer",
    "MessageTemplate",
    "Method",
    "NotificationRule",
    "OnCallExpectations",
    "Person",
    "Phase",
    "Playbook",
    "PostmortemPolicy",
    "PostmortemRequirement",
    "PostmortemSpec",
    "ResponseCheck",
    "Restriction",
    "Role",
    "Rotation",
    "Runbook",
    "Schedule",
    "ScheduledOverride",
    "SecurityPolicy",
    "Service",
    "Severity",
    "Target",
    "Team",
    "TemplateKind",
    "Triage",
    "TriageRule",
    "WarRoom",
    "WarRoomSpec",
    "Weekday",
]
