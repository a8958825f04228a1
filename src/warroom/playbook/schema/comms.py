"""Channels (audiences), the war room naming rule, and message templates."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from warroom.deadlines import parse_span
from warroom.playbook.schema.common import Key, Span, Strict


class ChannelKind(StrEnum):
    SLACK = "slack"
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    TEAMS = "teams"
    NTFY = "ntfy"
    STATUS_PAGE = "status_page"
    TICKET = "ticket"
    CONSOLE = "console"


class Audience(StrEnum):
    RESPONDERS = "responders"
    ENGINEERING = "engineering"
    LEADERSHIP = "leadership"
    CUSTOMERS = "customers"
    PUBLIC = "public"
    SUPPORT = "support"
    REGULATOR = "regulator"


class Channel(Strict):
    key: Key
    name: str
    kind: ChannelKind
    target: str = Field(min_length=1, description="'#incidents', an e-mail list, a URL name ...")
    audience: Audience = Audience.RESPONDERS
    purpose: str | None = None
    recipients: list[str] = Field(
        default_factory=list,
        description="Addresses a message to this audience goes to (e-mail, phone); a deployment may set them "
        "in WARROOM_AUDIENCE_RECIPIENTS instead, so customer lists need not live in the playbook.",
    )


class WarRoomSpec(Strict):
    channel_name: str = Field(description="Jinja template for the war-room channel name.")
    invite: list[str] = Field(default_factory=list)
    bridge: str | None = Field(None, description="Video bridge, e.g. a Zoom room.")

    @field_validator("channel_name")
    @classmethod
    def _compiles(cls, value: str) -> str:
        _compile_template(value)
        return value


class TemplateKind(StrEnum):
    INCIDENT_START = "incident_start"
    UPDATE = "update"
    RESOLUTION = "resolution"
    STATUS_INVESTIGATING = "status_investigating"
    STATUS_IDENTIFIED = "status_identified"
    STATUS_MONITORING = "status_monitoring"
    STATUS_RESOLVED = "status_resolved"
    CUSTOMER_INITIAL = "customer_initial"
    CUSTOMER_UPDATE = "customer_update"
    CUSTOMER_RESOLUTION = "customer_resolution"
    LEADERSHIP_SUMMARY = "leadership_summary"
    CUSTOMER_REPORT = "customer_report"
    HANDOFF = "handoff"
    REGULATOR_NOTICE = "regulator_notice"
    INCIDENT_RECORD = "incident_record"
    OTHER = "other"


CUSTOMER_FACING_KINDS = frozenset(
    {
        TemplateKind.STATUS_INVESTIGATING,
        TemplateKind.STATUS_IDENTIFIED,
        TemplateKind.STATUS_MONITORING,
        TemplateKind.STATUS_RESOLVED,
        TemplateKind.CUSTOMER_INITIAL,
        TemplateKind.CUSTOMER_UPDATE,
        TemplateKind.CUSTOMER_RESOLUTION,
        TemplateKind.CUSTOMER_REPORT,
    }
)


class CommunicationPolicy(Strict):
    """Who keeps the update cadence and what happens when an update is missed."""

    update_owners: list[Key] = Field(
        default_factory=list,
        description="Roles in order: the first one held on the incident is reminded when an update is due.",
    )
    overdue_after: Span = Field(
        default_factory=lambda: parse_span("5m"), description="After the due time, a missed update escalates."
    )
    escalate_to: list[Key] = Field(
        default_factory=list, description="Roles told when an update is overdue (besides the owner)."
    )
    update_channels: list[Key] = Field(
        default_factory=list,
        description=(
            "Only a message to one of these channels is the update that keeps the cadence ('Status page updated "
            "every 15 minutes': the status page); empty: any message to any audience."
        ),
    )
    source: str | None = None

    @field_validator("overdue_after")
    @classmethod
    def _elapsed(cls, value: Span) -> Span:
        if value.is_business:
            raise ValueError("overdue_after is elapsed time (e.g. '5m'), not business time")
        return value


class MessageTemplate(Strict):
    key: Key
    name: str
    kind: TemplateKind
    channel: Key | None = Field(None, description="The default audience it is sent to.")
    subject: str | None = None
    body: str = Field(min_length=1)
    source: str | None = None

    @field_validator("subject", "body")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            _compile_template(value)
        return value


def _compile_template(text: str) -> None:
    """Templates are sandboxed Jinja2; a syntax error is a playbook error, found at load time."""
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        SandboxedEnvironment().parse(text)
    except TemplateSyntaxError as error:
        raise ValueError(f"template syntax error on its line {error.lineno}: {error.message}") from None
