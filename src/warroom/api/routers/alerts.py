"""/api/v1/alerts and /api/v1/maintenance: what monitoring sent, and when nobody should be paged."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from warroom.alerts.maintenance import CreateMaintenance, MaintenanceView
from warroom.alerts.service import AlertFilter
from warroom.alerts.views import AlertPage, AlertView
from warroom.api.deps import responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.errors import InvalidInput
from warroom.runtime import Warroom

router = APIRouter(tags=["alerts"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]


@router.get("/api/v1/alerts", response_model=AlertPage)
def list_alerts(
    warroom: Runtime,
    actor: Viewer,
    status_: Annotated[
        Literal["open", "triggered", "acknowledged", "resolved", "suppressed"] | None, Query(alias="status")
    ] = None,
    integration: str | None = None,
    service: str | None = None,
    incident: Annotated[str | None, Query(description="INC-n")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the summary or alert name")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> AlertPage:
    if cursor is not None and not cursor.isdigit():
        raise InvalidInput.of("cursor", "use the next_cursor of the previous page")
    filters = AlertFilter(
        status=status_,
        integration=integration,
        service=service,
        incident=incident,
        query=q,
        limit=limit,
        cursor=int(cursor) if cursor else None,
    )
    return warroom.alerts.search(actor, filters)


@router.get("/api/v1/alerts/{number}", response_model=AlertView)
def get_alert(number: int, warroom: Runtime, actor: Viewer) -> AlertView:
    return warroom.alerts.get(actor, number)


@router.post("/api/v1/maintenance", status_code=status.HTTP_201_CREATED, response_model=MaintenanceView)
def create_maintenance(body: CreateMaintenance, warroom: Runtime, actor: Responder) -> MaintenanceView:
    return warroom.maintenance.create(actor, body)


@router.get("/api/v1/maintenance", response_model=list[MaintenanceView])
def list_maintenance(warroom: Runtime, _actor: Viewer, include_past: bool = False) -> list[MaintenanceView]:
    return warroom.maintenance.list(include_past)


@router.post("/api/v1/maintenance/{number}/end", response_model=MaintenanceView)
def end_maintenance(number: int, warroom: Runtime, actor: Responder) -> MaintenanceView:
    return warroom.maintenance.end(actor, number)
