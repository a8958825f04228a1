"""/api/v1/playbook and /api/v1/triage: read the active playbook, ask triage for a severity."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import runtime, viewer
from warroom.auth.actors import Actor
from warroom.incidents.commands import ImpactFacts
from warroom.runtime import Warroom

router = APIRouter(prefix="/api/v1", tags=["playbook"])


class TriageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    impact: ImpactFacts = Field(default_factory=dict)


class TriageAnswer(BaseModel):
    severity: str
    severity_label: str
    reason: str
    needs_confirmation: bool


@router.get("/playbook")
def read_playbook(
    warroom: Annotated[Warroom, Depends(runtime)], _actor: Annotated[Actor, Depends(viewer)]
) -> dict[str, Any]:
    version, playbook = warroom.playbooks.active
    return {"version": version, "playbook": playbook.model_dump(mode="json", by_alias=True)}


@router.post("/triage", response_model=TriageAnswer)
def triage(
    body: TriageRequest, warroom: Annotated[Warroom, Depends(runtime)], _actor: Annotated[Actor, Depends(viewer)]
) -> TriageAnswer:
    playbook, suggestion = warroom.incidents.suggest(body.impact)
    return TriageAnswer(
        severity=suggestion.severity,
        severity_label=playbook.severity(suggestion.severity).label,
        reason=suggestion.reason,
        needs_confirmation=suggestion.needs_confirmation,
    )
