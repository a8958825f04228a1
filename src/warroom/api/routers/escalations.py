"""Escalation of one incident: who was paged when, "escalate now" / "escalate to level N", and paging anyone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from warroom.api.deps import responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.incidents.service import parse_ref
from warroom.runtime import Warroom

router = APIRouter(prefix="/api/v1/incidents", tags=["escalation"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]


class Escalate(BaseModel):
    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=1, max_length=2_000)
    level: int | None = Field(None, ge=1, le=50, description="Page this level now; omit for the next level.")
    policy: str | None = Field(None, max_length=64, description="Which of the incident's policies; default the first.")


class PageRequest(BaseModel):
    model_config = {"extra": "forbid"}
    target: str = Field(
        min_length=1, max_length=200, description="A role (key, short name or name), team, schedule or person."
    )
    message: str = Field(min_length=1, max_length=2_000, description="Why they are needed; it reaches them.")


class EscalationOut(BaseModel):
    policy: str
    name: str
    kind: str
    state: str
    level: int
    levels: int
    round: int
    next_due_at: datetime | None
    stop_reason: str | None


class PageOut(BaseModel):
    policy: str
    level: int
    round: int
    person: str
    via: str
    methods: list[str]
    paged_at: datetime


class EscalationState(BaseModel):
    incident: str
    escalations: list[EscalationOut]
    pages: list[PageOut]


class Paged(EscalationState):
    paged: list[str] = Field(description="The people this page reached.")


def _state(warroom: Warroom, actor: Actor, ref: str) -> EscalationState:
    view = warroom.incidents.get(actor, ref)  # 404 for incidents the actor may not see
    escalations, pages = warroom.escalations.state(parse_ref(ref))
    return EscalationState(
        incident=view.id,
        escalations=[EscalationOut.model_validate(e, from_attributes=True) for e in escalations],
        pages=[PageOut.model_validate(p, from_attributes=True) for p in pages],
    )


@router.get("/{ref}/escalations", response_model=EscalationState)
def escalation_state(ref: str, warroom: Runtime, actor: Viewer) -> EscalationState:
    return _state(warroom, actor, ref)


@router.post("/{ref}/escalate", response_model=EscalationState)
def escalate(ref: str, body: Escalate, warroom: Runtime, actor: Responder) -> EscalationState:
    warroom.incidents.get(actor, ref)
    warroom.escalations.escalate(actor, parse_ref(ref), body.level, body.reason, body.policy)
    return _state(warroom, actor, ref)


@router.post("/{ref}/page", response_model=Paged)
def page(ref: str, body: PageRequest, warroom: Runtime, actor: Responder) -> Paged:
    warroom.incidents.get(actor, ref)  # 404 for incidents the actor may not see
    paged = warroom.escalations.page(actor, parse_ref(ref), body.target, body.message)
    return Paged(**_state(warroom, actor, ref).model_dump(), paged=paged)
