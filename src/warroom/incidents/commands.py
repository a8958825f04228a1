"""What the use cases accept. Every door (API, CLI, chat) builds these; the service validates the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl

from warroom.incidents.lifecycle import DetectionSource, Status


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("give a time zone (e.g. 2026-01-05T09:00:00Z)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]*$")]
# Values are checked against the playbook's fact catalog by the service, with messages naming the fact.
ImpactFacts = dict[Annotated[str, Field(max_length=64)], Any]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Link(Command):
    url: HttpUrl
    title: str | None = Field(None, max_length=200)


class DeclareIncident(Command):
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field("", max_length=20_000)
    impact_statement: str | None = Field(None, max_length=5_000, description="What users experience, in words.")
    severity: str | None = Field(None, description="A severity key or label; omit it to take triage's suggestion.")
    impact: ImpactFacts = Field(default_factory=dict)
    services: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list, max_length=50)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    links: list[Link] = Field(default_factory=list, max_length=50)
    private: bool = False
    detection_source: DetectionSource = DetectionSource.MANUAL
    started_at: AwareDatetime | None = None
    detected_at: AwareDatetime | None = None
    roles: dict[str, Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=dict)


class UpdateIncident(Command):
    title: str | None = Field(None, min_length=1, max_length=300)
    summary: str | None = Field(None, max_length=20_000)
    impact_statement: str | None = Field(None, max_length=5_000, description="What users experience, in words.")
    root_cause: str | None = Field(None, max_length=20_000)
    resolution: str | None = Field(None, max_length=20_000, description="What fixed it.")
    impact: ImpactFacts | None = None
    services: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(None, max_length=50)
    tags: list[Tag] | None = Field(None, max_length=50)
    links: list[Link] | None = Field(None, max_length=50)
    private: bool | None = None
    duplicate_of: str | None = Field(None, description="INC-n; empty string clears it.")
    started_at: AwareDatetime | None = None
    detected_at: AwareDatetime | None = None


class ChangeStatus(Command):
    status: Status
    note: str | None = Field(None, max_length=5_000)


class ChangeSeverity(Command):
    severity: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2_000)


class AssignRole(Command):
    person: str = Field(min_length=1, max_length=200)


class AddNote(Command):
    text: str = Field(min_length=1, max_length=20_000)
    pinned: bool = False


class PinEvent(Command):
    pinned: bool = True


class AddParticipant(Command):
    name: str = Field(min_length=1, max_length=200)


class Resolve(Command):
    note: str | None = Field(None, max_length=5_000)
