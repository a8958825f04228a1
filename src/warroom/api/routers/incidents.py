"""/api/v1/incidents: declare, list, read, change and export incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from warroom.api.deps import responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.errors import InvalidInput
from warroom.incidents.commands import (
    AddNote,
    AddParticipant,
    AssignRole,
    ChangeSeverity,
    ChangeStatus,
    DeclareIncident,
    PinEvent,
    Resolve,
    UpdateIncident,
)
from warroom.incidents.lifecycle import Status
from warroom.incidents.service import ListFilter
from warroom.incidents.timeline import to_csv, to_markdown
from warroom.incidents.views import IncidentPage, IncidentView, TimelineEvent
from warroom.runtime import Warroom

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]


class Reason(BaseModel):
    model_config = {"extra": "forbid"}
    reason: str | None = Field(None, max_length=5_000)


class MitigationNote(BaseModel):
    model_config = {"extra": "forbid"}
    note: str | None = Field(None, max_length=5_000)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IncidentView)
def declare(body: DeclareIncident, warroom: Runtime, actor: Responder, response: Response) -> IncidentView:
    view = warroom.incidents.declare(actor, body)
    response.headers["Location"] = f"/api/v1/incidents/{view.id}"
    return view


@router.get("", response_model=IncidentPage)
def list_incidents(
    warroom: Runtime,
    actor: Viewer,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    severity: Annotated[list[str] | None, Query()] = None,
    service: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$")] = None,
) -> IncidentPage:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput.of(name, "give a time zone (e.g. 2026-01-05T09:00:00Z)")
    filters = ListFilter(
        statuses=tuple(status_ or ()),
        severities=tuple(severity or ()),
        service=service,
        since=since,
        until=until,
        query=q,
        limit=limit,
        cursor=int(cursor) if cursor else None,
    )
    return warroom.incidents.search(actor, filters)


@router.get("/{ref}", response_model=IncidentView)
def get_incident(ref: str, warroom: Runtime, actor: Viewer) -> IncidentView:
    return warroom.incidents.get(actor, ref)


@router.patch("/{ref}", response_model=IncidentView)
def update_incident(ref: str, body: UpdateIncident, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.update(actor, ref, body)


@router.post("/{ref}/status", response_model=IncidentView)
def change_status(ref: str, body: ChangeStatus, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.change_status(actor, ref, body)


@router.post("/{ref}/severity", response_model=IncidentView)
def change_severity(ref: str, body: ChangeSeverity, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.change_severity(actor, ref, body)


@router.post("/{ref}/acknowledge", response_model=IncidentView)
def acknowledge(ref: str, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.acknowledge(actor, ref)


@router.post("/{ref}/mitigation", response_model=IncidentView)
def record_mitigation(ref: str, warroom: Runtime, actor: Responder, body: MitigationNote | None = None) -> IncidentView:
    return warroom.incidents.record_mitigation(actor, ref, body.note if body else None)


@router.post("/{ref}/resolve", response_model=IncidentView)
def resolve(ref: str, warroom: Runtime, actor: Responder, body: Resolve | None = None) -> IncidentView:
    note = body.note if body else None
    return warroom.incidents.change_status(actor, ref, ChangeStatus(status=Status.RESOLVED, note=note))


@router.post("/{ref}/close", response_model=IncidentView)
def close(ref: str, warroom: Runtime, actor: Responder, body: Resolve | None = None) -> IncidentView:
    note = body.note if body else None
    return warroom.incidents.change_status(actor, ref, ChangeStatus(status=Status.CLOSED, note=note))


@router.post("/{ref}/reopen", response_model=IncidentView)
def reopen(ref: str, warroom: Runtime, actor: Responder, body: Reason | None = None) -> IncidentView:
    return warroom.incidents.reopen(actor, ref, body.reason if body else None)


@router.put("/{ref}/roles/{role}", response_model=IncidentView)
def assign_role(ref: str, role: str, body: AssignRole, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.assign_role(actor, ref, role, body)


@router.delete("/{ref}/roles/{role}", response_model=IncidentView)
def unassign_role(ref: str, role: str, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.unassign_role(actor, ref, role)


@router.post("/{ref}/participants", response_model=IncidentView)
def add_participant(ref: str, body: AddParticipant, warroom: Runtime, actor: Responder) -> IncidentView:
    return warroom.incidents.add_participant(actor, ref, body)


@router.post("/{ref}/notes", status_code=status.HTTP_201_CREATED, response_model=TimelineEvent)
def add_note(ref: str, body: AddNote, warroom: Runtime, actor: Responder) -> TimelineEvent:
    return warroom.incidents.add_note(actor, ref, body)


@router.get("/{ref}/timeline", response_model=list[TimelineEvent])
def timeline(
    ref: str, warroom: Runtime, actor: Viewer, format: Literal["json", "md", "csv"] = "json"
) -> list[TimelineEvent] | Response:
    view, events = warroom.incidents.timeline(actor, ref)
    if format == "md":
        return Response(to_markdown(f"{view.id} {view.title}", events), media_type="text/markdown; charset=utf-8")
    if format == "csv":
        return Response(
            to_csv(events),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{view.id}-timeline.csv"'},
        )
    return events


@router.post("/{ref}/timeline/{event_id}/pin", response_model=TimelineEvent)
def pin(ref: str, event_id: int, body: PinEvent, warroom: Runtime, actor: Responder) -> TimelineEvent:
    return warroom.incidents.pin(actor, ref, event_id, body.pinned)
