"""`POST /v2/enqueue`: PagerDuty Events API v2, answered in PagerDuty's own words."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warroom.alerts.adapters import events_v2
from warroom.alerts.events import PayloadError
from warroom.alerts.integrations import IntegrationKind, UnknownIntegration
from warroom.api.routers.ingest import deliver, find_integration

router = APIRouter(tags=["ingest"])


def invalid_event(errors: list[str]) -> JSONResponse:
    """400: do not retry. PagerDuty's body, so clients report it as they would PagerDuty's."""
    body = {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
    return JSONResponse(body, status_code=400)


@router.post("/v2/enqueue", status_code=202, summary="PagerDuty Events API v2 compatible")
async def enqueue(request: Request) -> JSONResponse:
    warroom = request.app.state.warroom
    body = await request.body()
    try:
        routing_key, batch = events_v2.parse(body)
    except PayloadError as error:
        return invalid_event(error.errors)
    try:
        integration = await find_integration(warroom, routing_key)
    except UnknownIntegration:
        return invalid_event(["routing_key: no enabled Events API v2 integration has this key"])
    if integration.kind is not IntegrationKind.EVENTS_V2:
        return invalid_event([f"routing_key: belongs to a {integration.kind.value} integration, not events_v2"])
    outcomes = await deliver(warroom, integration, batch)
    return JSONResponse(
        {"status": "success", "message": "Event processed", "dedup_key": outcomes[0].dedup_key}, status_code=202
    )


@router.post("/_bench/noop", status_code=202, include_in_schema=False)
async def noop(request: Request) -> JSONResponse:
    """The ceiling bench/ingest.py compares against: same server, body read and parsed, no store."""
    if not request.app.state.warroom.settings.noop_endpoint:
        return JSONResponse({"detail": "not found"}, status_code=404)
    body = await request.body()
    try:
        events_v2.parse(body)
    except PayloadError as error:
        return invalid_event(error.errors)
    return JSONResponse({"status": "success", "message": "Event processed", "dedup_key": "noop"}, status_code=202)
