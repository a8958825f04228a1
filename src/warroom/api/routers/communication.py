"""Stakeholder communication: preview and send templated messages, the clocks of one incident, security
approval, the personal-data breach flag, the regulator notice, waiving a clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from warroom.api.deps import responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.comms.commands import ComposeMessage, FlagBreach, RegulatorNotice, Waive
from warroom.comms.rendering import required_fields
from warroom.comms.views import CommsStatus, CommunicationView, Preview
from warroom.runtime import Warroom

router = APIRouter(tags=["communication"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]


class TemplateOut(BaseModel):
    key: str
    name: str
    kind: str
    channel: str | None
    subject: str | None
    body: str
    required_fields: list[str]
    source: str | None


class ChannelOut(BaseModel):
    key: str
    name: str
    kind: str
    audience: str
    target: str


class Approve(BaseModel):
    model_config = {"extra": "forbid"}
    note: str | None = Field(None, max_length=2_000)


@router.get("/api/v1/comms/templates", response_model=list[TemplateOut])
def templates(warroom: Runtime, actor: Viewer) -> list[TemplateOut]:
    return [
        TemplateOut(
            key=t.key,
            name=t.name,
            kind=t.kind.value,
            channel=t.channel,
            subject=t.subject,
            body=t.body,
            required_fields=required_fields(t),
            source=t.source,
        )
        for t in warroom.playbook.templates
    ]


@router.get("/api/v1/comms/channels", response_model=list[ChannelOut])
def channels(warroom: Runtime, actor: Viewer) -> list[ChannelOut]:
    return [
        ChannelOut(key=c.key, name=c.name, kind=c.kind.value, audience=c.audience.value, target=c.target)
        for c in warroom.playbook.channels
    ]


@router.post("/api/v1/comms/preview", response_model=Preview)
def preview(command: ComposeMessage, warroom: Runtime, actor: Viewer) -> Preview:
    return warroom.communication.preview(actor, command)


@router.post("/api/v1/comms/send", response_model=CommunicationView, status_code=status.HTTP_201_CREATED)
def send(command: ComposeMessage, warroom: Runtime, actor: Responder) -> CommunicationView:
    return warroom.communication.send(actor, command)


@router.get("/api/v1/incidents/{ref}/comms", response_model=CommsStatus)
def incident_comms(ref: str, warroom: Runtime, actor: Viewer) -> CommsStatus:
    return warroom.communication.status(actor, ref)


@router.post("/api/v1/incidents/{ref}/comms/approve", response_model=CommsStatus)
def approve(ref: str, body: Approve, warroom: Runtime, actor: Responder) -> CommsStatus:
    warroom.comms_controls.approve(actor, ref, body.note)
    return warroom.communication.status(actor, ref)


@router.post("/api/v1/incidents/{ref}/comms/breach", response_model=CommsStatus)
def flag_breach(ref: str, body: FlagBreach, warroom: Runtime, actor: Responder) -> CommsStatus:
    warroom.comms_controls.flag_breach(actor, ref, body)
    return warroom.communication.status(actor, ref)


@router.post("/api/v1/incidents/{ref}/comms/regulator-notice", response_model=CommsStatus)
def regulator_notice(ref: str, body: RegulatorNotice, warroom: Runtime, actor: Responder) -> CommsStatus:
    warroom.comms_controls.record_regulator_notice(actor, ref, body)
    return warroom.communication.status(actor, ref)


@router.post("/api/v1/incidents/{ref}/comms/clocks/{deadline}/waive", response_model=CommsStatus)
def waive(ref: str, deadline: str, body: Waive, warroom: Runtime, actor: Responder) -> CommsStatus:
    warroom.comms_controls.waive(actor, ref, deadline, body)
    return warroom.communication.status(actor, ref)
