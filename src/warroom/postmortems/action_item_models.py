"""What the action-item use cases take (commands) and return (the read model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field

from warroom.postmortems.action_item_rules import ItemStatus, Priority


class NewActionItem(BaseModel):
    model_config = {"extra": "forbid"}
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20_000)
    owner: str | None = Field(None, max_length=200, description="A playbook person (key or name) or any name.")
    priority: str = Field("p2", description="p0..p3, or highest, high, medium, low.")
    due: str | None = Field(
        None,
        max_length=64,
        description="A date (due by the end of that day, team time), an ISO 8601 time with an offset, "
        "or a span from now: '2w', '5 business days'.",
    )


class ActionItemChanges(BaseModel):
    """Only the fields sent change; `owner` and `due` may be sent as null to clear them."""

    model_config = {"extra": "forbid"}
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    owner: str | None = Field(None, max_length=200)
    priority: str | None = None
    due: str | None = Field(None, max_length=64)


class StatusChange(BaseModel):
    model_config = {"extra": "forbid"}
    status: str = Field(description="open, in_progress, done or wont_do.")
    note: str | None = Field(None, max_length=2_000, description="Why; required for wont_do.")


class PushRequest(BaseModel):
    model_config = {"extra": "forbid"}
    tracker: str = Field(description="jira or github.")


@dataclass(frozen=True)
class ActionItemFilter:
    incident: str | None = None  # INC-n
    statuses: tuple[str, ...] = ()
    owner: str | None = None
    overdue: bool | None = None
    limit: int = 500


class ActionItemView(BaseModel):
    id: int
    incident: str
    incident_title: str
    postmortem_id: int | None
    title: str
    description: str
    owner: str | None
    priority: Priority
    due_at: datetime | None
    due_date: date | None = Field(description="The day it is due by, in the team's time zone.")
    status: ItemStatus
    overdue: bool
    allowed_statuses: list[ItemStatus]
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    external_key: str | None
    external_url: str | None


class PushResult(BaseModel):
    item: ActionItemView
    created: bool = Field(description="False when the item had already been pushed: nothing was created.")
