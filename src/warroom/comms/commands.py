"""What the communication use cases accept (API, CLI and chat build these)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from warroom.incidents.commands import AwareDatetime, Command
from warroom.playbook.schema import TemplateKind

FieldValue = Annotated[str, Field(max_length=5_000)]
PublicStatus = Literal["investigating", "identified", "monitoring", "resolved", "postmortem"]
ComponentStatus = Literal["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]


class StatusPagePost(Command):
    """How a message to a status-page audience shows there: the public wording is the rendered message."""

    name: str | None = Field(None, min_length=1, max_length=255, description="Public title (first post only).")
    status: PublicStatus | None = Field(None, description="Defaults from the template kind.")
    impact: Literal["none", "minor", "major", "critical"] | None = None
    components: dict[Annotated[str, Field(max_length=64)], ComponentStatus] = Field(default_factory=dict)


class ComposeMessage(Command):
    incident: str | None = Field(None, description="INC-n; only the on-call handoff needs none.")
    template: str | None = Field(None, max_length=64, description="A playbook template key; or give `body`.")
    channel: str | None = Field(None, max_length=64, description="A playbook channel key; defaults to the template's.")
    fields: dict[Annotated[str, Field(max_length=64, pattern=r"^[a-z_][a-z0-9_]*$")], FieldValue] = Field(
        default_factory=dict, max_length=100
    )
    subject: str | None = Field(None, max_length=300, description="Free text, with `body` instead of a template.")
    body: str | None = Field(None, min_length=1, max_length=20_000)
    kind: TemplateKind | None = Field(None, description="What a free-text message is (default: update).")
    status_page: StatusPagePost | None = None


class Waive(Command):
    reason: str = Field(min_length=1, max_length=2_000)


class FlagBreach(Command):
    at: AwareDatetime | None = Field(None, description="Back-date to detection (the approval role only).")
    note: str | None = Field(None, max_length=2_000)


class RegulatorNotice(Command):
    at: AwareDatetime | None = Field(None, description="When the authority was notified (default: now).")
    reference: str = Field(min_length=1, max_length=500, description="The authority and its case reference.")
