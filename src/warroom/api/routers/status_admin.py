"""/api/v1/status: run the public status page. Responders post; administrators manage subscribers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from warroom.api.deps import admin, responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.runtime import Warroom
from warroom.status.commands import (
    AddWebhookSubscriber,
    ComponentPatch,
    LinkIncident,
    OpenPublicIncident,
    PostPublicUpdate,
    ResolvePublicIncident,
    ScheduleMaintenance,
    UpdateMaintenance,
)
from warroom.status.views import ComponentView, PublicIncident, SubscriberView
from warroom.status.vocabulary import IncidentStatus, Kind

router = APIRouter(prefix="/api/v1/status", tags=["status page (admin)"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]
Admin = Annotated[Actor, Depends(admin)]


@router.get("/components", response_model=list[ComponentView])
def list_components(warroom: Runtime, actor: Viewer) -> list[ComponentView]:
    return warroom.status_page.components(actor)


@router.patch("/components/{key}", response_model=ComponentView)
def change_component(key: str, body: ComponentPatch, warroom: Runtime, actor: Responder) -> ComponentView:
    return warroom.status_page.change_component(actor, key, body)


@router.get("/incidents", response_model=list[PublicIncident])
def list_incidents(warroom: Runtime, actor: Viewer) -> list[PublicIncident]:
    return warroom.status_page.incidents(actor, Kind.INCIDENT)


@router.post("/incidents", status_code=status.HTTP_201_CREATED, response_model=PublicIncident)
def open_incident(body: OpenPublicIncident, warroom: Runtime, actor: Responder, response: Response) -> PublicIncident:
    created = warroom.status_page.open_incident(actor, body)
    response.headers["Location"] = f"/api/v1/status/incidents/{created.code}"
    return created


@router.get("/incidents/{code}", response_model=PublicIncident)
def get_incident(code: str, warroom: Runtime, actor: Viewer) -> PublicIncident:
    return warroom.status_page.get(actor, code)


@router.post("/incidents/{code}/updates", response_model=PublicIncident)
def post_update(code: str, body: PostPublicUpdate, warroom: Runtime, actor: Responder) -> PublicIncident:
    return warroom.status_page.post_update(actor, code, body)


@router.post("/incidents/{code}/resolve", response_model=PublicIncident)
def resolve(code: str, warroom: Runtime, actor: Responder, body: ResolvePublicIncident | None = None) -> PublicIncident:
    body = body or ResolvePublicIncident()
    update = PostPublicUpdate(
        status=IncidentStatus.RESOLVED,
        body=body.body,
        components=body.components,
        deliver_notifications=body.deliver_notifications,
    )
    return warroom.status_page.post_update(actor, code, update)


@router.put("/incidents/{code}/link", response_model=PublicIncident)
def link(code: str, body: LinkIncident, warroom: Runtime, actor: Responder) -> PublicIncident:
    return warroom.status_page.link(actor, code, body.incident)


@router.get("/maintenances", response_model=list[PublicIncident])
def list_maintenances(warroom: Runtime, actor: Viewer) -> list[PublicIncident]:
    return warroom.status_page.incidents(actor, Kind.MAINTENANCE)


@router.post("/maintenances", status_code=status.HTTP_201_CREATED, response_model=PublicIncident)
def schedule(body: ScheduleMaintenance, warroom: Runtime, actor: Responder, response: Response) -> PublicIncident:
    created = warroom.status_page.schedule_maintenance(actor, body)
    response.headers["Location"] = f"/api/v1/status/maintenances/{created.code}"
    return created


@router.get("/maintenances/{code}", response_model=PublicIncident)
def get_maintenance(code: str, warroom: Runtime, actor: Viewer) -> PublicIncident:
    return warroom.status_page.get(actor, code)


@router.post("/maintenances/{code}/updates", response_model=PublicIncident)
def update_maintenance(code: str, body: UpdateMaintenance, warroom: Runtime, actor: Responder) -> PublicIncident:
    return warroom.status_page.update_maintenance(actor, code, body)


@router.get("/subscribers", response_model=list[SubscriberView])
def list_subscribers(warroom: Runtime, actor: Admin) -> list[SubscriberView]:
    return warroom.status_page.subscriptions.listing(actor)


@router.post("/subscribers", status_code=status.HTTP_201_CREATED, response_model=SubscriberView)
def add_subscriber(body: AddWebhookSubscriber, warroom: Runtime, actor: Admin) -> SubscriberView:
    return warroom.status_page.subscriptions.add_webhook(actor, body)


@router.delete("/subscribers/{subscriber_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_subscriber(subscriber_id: int, warroom: Runtime, actor: Admin) -> Response:
    warroom.status_page.subscriptions.remove(actor, subscriber_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
