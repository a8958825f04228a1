"""What the status page's admin doors and the public subscribe form accept."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from warroom.status.vocabulary import IncidentStatus, MaintenanceStatus

Body = Field(min_length=1, max_length=10_000, description="The public wording of this update.")
_COMPONENTS = "Component key -> status (operational, degraded_performance, partial_outage, major_outage, ...)."


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComponentPatch(Strict):
    status: str | None = None
    description: str | None = Field(None, max_length=2_000)
    showcase: bool | None = None
    only_show_if_degraded: bool | None = None


class OpenPublicIncident(Strict):
    name: str = Field(min_length=1, max_length=300)
    status: IncidentStatus = IncidentStatus.INVESTIGATING
    body: str = Body
    impact: str | None = Field(None, description="none, minor, major or critical; else it follows the components.")
    components: dict[str, str] = Field(default_factory=dict, description=_COMPONENTS)
    incident: str | None = Field(None, description="Link this internal incident (INC-7). Never shown publicly.")
    deliver_notifications: bool = True


class PostPublicUpdate(Strict):
    status: IncidentStatus
    body: str = Body
    impact: str | None = None
    components: dict[str, str] = Field(default_factory=dict, description=_COMPONENTS)
    deliver_notifications: bool = True


class ResolvePublicIncident(Strict):
    body: str = Field("This incident has been resolved.", min_length=1, max_length=10_000)
    components: dict[str, str] = Field(default_factory=dict, description=_COMPONENTS)
    deliver_notifications: bool = True


class LinkIncident(Strict):
    incident: str = Field(min_length=1, max_length=40)


class ScheduleMaintenance(Strict):
    name: str = Field(min_length=1, max_length=300)
    body: str = Body
    scheduled_for: datetime
    scheduled_until: datetime
    components: list[str] = Field(default_factory=list, description="Component keys under maintenance.")
    deliver_notifications: bool = True


class UpdateMaintenance(Strict):
    status: MaintenanceStatus | None = Field(None, description="Forward only; none keeps the status.")
    body: str = Body
    deliver_notifications: bool = True


class Subscribe(Strict):
    email: str | None = Field(None, max_length=254, description="E-mail updates (confirm by the link sent).")
    webhook: str | None = Field(None, max_length=320, description="POST Statuspage webhooks here (needs email).")
    components: list[str] | None = Field(None, description="Component ids to hear about; none: everything.")


class AddWebhookSubscriber(Strict):
    webhook: str = Field(min_length=1, max_length=320)
    components: list[str] | None = None
