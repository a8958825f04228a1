"""On call: who is on call, schedules' shifts and gaps, overrides, calendar feeds, handoff and pay."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from warroom.api.deps import admin, responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.oncall.overrides import CreateOverride, OverrideView
from warroom.runtime import Warroom

router = APIRouter(tags=["on-call"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]
Admin = Annotated[Actor, Depends(admin)]


class OnCallOut(BaseModel):
    schedule: str
    name: str
    people: list[str]
    until: datetime | None


class ShiftOut(BaseModel):
    start: datetime
    end: datetime
    person: str
    layer: str | None


class GapOut(BaseModel):
    start: datetime
    end: datetime


class FeedRequest(BaseModel):
    model_config = {"extra": "forbid"}
    schedule: str | None = Field(None, max_length=64)
    person: str | None = Field(None, max_length=64)


class FeedOut(BaseModel):
    url: str
    schedule: str | None
    person: str | None


class HandoffIncidentOut(BaseModel):
    id: str
    title: str
    severity: str
    status: str
    triggered_at: datetime
    resolved_at: datetime | None


class HandoffOut(BaseModel):
    schedule: str
    outgoing: list[str]
    incoming: list[str]
    handoff_at: datetime | None
    open_incidents: list[HandoffIncidentOut]
    ongoing_issues: list[HandoffIncidentOut]
    recent_incidents: list[HandoffIncidentOut]
    upcoming_maintenance: list[dict[str, str]]
    notes: list[str]


class PayLineOut(BaseModel):
    person: str
    currency: str
    on_call_hours: Decimal
    stipend: Decimal
    incidents_handled: dict[str, int]
    incident_pay: Decimal
    overnight_pages: int
    comp_time_hours: Decimal
    total: Decimal


@router.get("/api/v1/oncall", response_model=list[OnCallOut])
def on_call_now(warroom: Runtime, _: Viewer, at: datetime | None = None) -> list[OnCallOut]:
    return [OnCallOut.model_validate(item, from_attributes=True) for item in warroom.oncall.now(at)]


@router.get("/api/v1/oncall/handoff", response_model=HandoffOut)
def handoff(warroom: Runtime, _: Viewer, schedule: str | None = None) -> HandoffOut:
    return HandoffOut.model_validate(warroom.oncall.handoff(schedule), from_attributes=True)


@router.get("/api/v1/oncall/pay", response_model=list[PayLineOut])
def pay(warroom: Runtime, _: Admin, start: datetime, end: datetime) -> list[PayLineOut]:
    return [PayLineOut(**{**line.__dict__, "total": line.total}) for line in warroom.oncall.pay(start, end)]


@router.get("/api/v1/schedules/{key}/shifts", response_model=list[ShiftOut])
def shifts(
    key: str, warroom: Runtime, _: Viewer, start: datetime | None = None, end: datetime | None = None
) -> list[ShiftOut]:
    start = start or warroom.clock.now()
    end = end or start + timedelta(days=14)
    return [ShiftOut.model_validate(s, from_attributes=True) for s in warroom.oncall.shifts(key, start, end)]


@router.get("/api/v1/schedules/{key}/gaps", response_model=list[GapOut])
def gaps(key: str, warroom: Runtime, _: Viewer, days: Annotated[int, Query(ge=1, le=366)] = 30) -> list[GapOut]:
    return [GapOut(start=a, end=b) for a, b in warroom.oncall.gaps(key, days)]


@router.get("/api/v1/schedules/{key}/overrides", response_model=list[OverrideView])
def list_overrides(
    key: str, warroom: Runtime, _: Viewer, start: datetime | None = None, end: datetime | None = None
) -> list[OverrideView]:
    warroom.oncall.schedule(key)
    start = start or warroom.clock.now()
    end = end or start + timedelta(days=90)
    return warroom.overrides.list(key, start, end)


@router.post("/api/v1/schedules/{key}/overrides", response_model=OverrideView, status_code=status.HTTP_201_CREATED)
def create_override(key: str, body: CreateOverride, warroom: Runtime, actor: Responder) -> OverrideView:
    return warroom.overrides.create(actor, key, body)


@router.delete("/api/v1/schedules/{key}/overrides/{number}", status_code=status.HTTP_204_NO_CONTENT)
def remove_override(key: str, number: int, warroom: Runtime, actor: Responder) -> Response:
    warroom.overrides.remove(actor, key, number)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/api/v1/calendar-feeds", status_code=status.HTTP_201_CREATED, response_model=FeedOut)
def create_feed(body: FeedRequest, warroom: Runtime, actor: Responder) -> FeedOut:
    """A subscribe URL for a calendar app. The URL is the credential: it is shown once."""
    feed = warroom.oncall.create_feed(actor, body.schedule, body.person)
    return FeedOut(url=feed.url, schedule=feed.schedule, person=feed.person)


@router.get("/ical/{token}.ics", include_in_schema=False)
def calendar(token: str, warroom: Runtime) -> Response:
    return Response(warroom.oncall.feed(token), media_type="text/calendar; charset=utf-8")
