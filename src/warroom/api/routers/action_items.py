"""Action items of incidents: create, list, update, move through their statuses, export, push to a tracker.

Viewers read and export; responders write. A tracker's refusal is answered 502 naming the tracker.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse

from warroom.api.deps import responder, runtime, viewer
from warroom.api.problems import problem
from warroom.auth.actors import Actor
from warroom.errors import InvalidInput
from warroom.postmortems.action_item_export import github_issues, jira_bulk, to_csv
from warroom.postmortems.action_item_models import (
    ActionItemChanges,
    ActionItemFilter,
    ActionItemView,
    NewActionItem,
    PushRequest,
    PushResult,
    StatusChange,
)
from warroom.postmortems.trackers import TrackerError
from warroom.runtime import Warroom

router = APIRouter(tags=["action items"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]
StatusFilter = Annotated[list[str] | None, Query(alias="status", description="open, in_progress, done, wont_do")]
OwnerFilter = Annotated[str | None, Query(max_length=200)]
OverdueFilter = Annotated[bool | None, Query()]
IncidentFilter = Annotated[str | None, Query(max_length=20, description="INC-n")]
Limit = Annotated[int, Query(ge=1, le=5000)]


@router.post("/api/v1/incidents/{ref}/action-items", response_model=ActionItemView, status_code=status.HTTP_201_CREATED)
def create(ref: str, command: NewActionItem, warroom: Runtime, actor: Responder) -> ActionItemView:
    return warroom.action_items.create(actor, ref, command)


@router.get("/api/v1/incidents/{ref}/action-items", response_model=list[ActionItemView])
def of_incident(
    ref: str, warroom: Runtime, actor: Viewer, status_: StatusFilter = None, limit: Limit = 500
) -> list[ActionItemView]:
    filters = ActionItemFilter(incident=ref, statuses=tuple(status_ or ()), limit=limit)
    return warroom.action_items.search(actor, filters)


@router.get("/api/v1/action-items", response_model=list[ActionItemView])
def search(
    warroom: Runtime,
    actor: Viewer,
    status_: StatusFilter = None,
    owner: OwnerFilter = None,
    overdue: OverdueFilter = None,
    incident: IncidentFilter = None,
    limit: Limit = 500,
) -> list[ActionItemView]:
    filters = ActionItemFilter(incident, tuple(status_ or ()), owner, overdue, limit)
    return warroom.action_items.search(actor, filters)


@router.get(
    "/api/v1/action-items/export",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export(
    warroom: Runtime,
    actor: Viewer,
    format: Literal["csv", "jira", "github"] = "csv",
    project: Annotated[str | None, Query(max_length=100, description="Jira project key (default: settings)")] = None,
    status_: StatusFilter = None,
    owner: OwnerFilter = None,
    overdue: OverdueFilter = None,
    incident: IncidentFilter = None,
    limit: Limit = 5000,
) -> Response:
    settings = warroom.settings
    jira_project = project or settings.jira_project
    if format == "jira" and not jira_project:
        raise InvalidInput.of("project", "give the Jira project key (or set WARROOM_JIRA_PROJECT)")
    items = warroom.action_items.search(actor, ActionItemFilter(incident, tuple(status_ or ()), owner, overdue, limit))
    if format == "csv":
        return Response(
            to_csv(items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="action-items.csv"'},
        )
    body = (
        jira_bulk(items, jira_project or "", settings.jira_issue_type)
        if format == "jira"
        else github_issues(items, settings.github_logins)
    )
    return Response(json.dumps(body, indent=2), media_type="application/json")


@router.get("/api/v1/action-items/{item_id}", response_model=ActionItemView)
def get(item_id: int, warroom: Runtime, actor: Viewer) -> ActionItemView:
    return warroom.action_items.get(actor, item_id)


@router.patch("/api/v1/action-items/{item_id}", response_model=ActionItemView)
def update(item_id: int, command: ActionItemChanges, warroom: Runtime, actor: Responder) -> ActionItemView:
    return warroom.action_items.update(actor, item_id, command)


@router.post("/api/v1/action-items/{item_id}/status", response_model=ActionItemView)
def change_status(item_id: int, command: StatusChange, warroom: Runtime, actor: Responder) -> ActionItemView:
    return warroom.action_items.change_status(actor, item_id, command)


@router.post(
    "/api/v1/action-items/{item_id}/push",
    response_model=PushResult,
    responses={201: {"model": PushResult}, 502: {"description": "The tracker refused or could not be reached."}},
)
def push(item_id: int, body: PushRequest, warroom: Runtime, actor: Responder) -> Response:
    """201 with the new issue's key and URL; 200 when the item had already been pushed (nothing created)."""
    try:
        result = warroom.action_items.push(actor, item_id, body.tracker)
    except TrackerError as error:
        return problem(502, error.title, error.detail, tracker=error.tracker, tracker_status=error.status)
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if result.created else 200)
