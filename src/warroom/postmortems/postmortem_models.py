"""What the postmortem use cases take (commands) and return (read models)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field

from warroom.postmortems.states import PostmortemAction, PostmortemState

MAX_MARKDOWN = 200_000


class EditPostmortem(BaseModel):
    model_config = {"extra": "forbid"}
    markdown: str = Field(min_length=1, max_length=MAX_MARKDOWN)
    revision: int = Field(ge=1, description="The revision the edit started from; a stale one is refused (409).")


class RegeneratePostmortem(BaseModel):
    model_config = {"extra": "forbid"}
    revision: int = Field(ge=1, description="The revision being replaced: regenerating throws its text away.")


class AssignOwner(BaseModel):
    model_config = {"extra": "forbid"}
    owner: str = Field(min_length=1, max_length=200, description="A playbook person (key or name) or any name.")


class SkipPostmortem(BaseModel):
    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=1, max_length=5_000)


class SendBack(BaseModel):
    model_config = {"extra": "forbid"}
    reason: str | None = Field(None, max_length=5_000)


@dataclass(frozen=True)
class PostmortemFilter:
    states: tuple[PostmortemState, ...] = ()
    overdue: bool | None = None
    owner: str | None = None
    limit: int = 200


class ReportTemplate(BaseModel):
    """A message template of the playbook that reports on a finished incident (send with `warroom comms send`)."""

    key: str
    name: str
    kind: str
    channel: str | None


class PostmortemSummary(BaseModel):
    id: int
    incident: str
    incident_title: str
    severity: str
    severity_label: str
    requirement: str = Field(description="required, optional or skipped: the severity's policy.")
    state: PostmortemState
    owner: str | None
    due_at: datetime | None
    review_due_at: datetime | None
    overdue: bool
    revision: int
    updated_at: datetime
    published_at: datetime | None


class PostmortemView(PostmortemSummary):
    markdown: str
    skip_reason: str | None
    created_at: datetime
    updated_by: str
    submitted_at: datetime | None
    placeholders: list[str] = Field(description="What is still to write; publishing needs none left.")
    allowed_actions: list[PostmortemAction]
    next_reminder_at: datetime | None
    policy_note: str | None
    reports: list[ReportTemplate] = Field(description="The playbook's customer report and leadership summary.")
