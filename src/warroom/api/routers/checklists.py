"""Role and phase checklists of one incident: read them, tick or untick an item."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from warroom.api.deps import responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.incidents.checklists import ChecklistState
from warroom.runtime import Warroom

router = APIRouter(prefix="/api/v1/incidents", tags=["checklists"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]


class Tick(BaseModel):
    model_config = {"extra": "forbid"}
    done: bool = True


@router.get("/{ref}/checklists", response_model=ChecklistState)
def checklists(ref: str, warroom: Runtime, actor: Viewer) -> ChecklistState:
    return warroom.checklists.state(actor, ref)


@router.post("/{ref}/checklists/{list_key}/items/{item_index}", response_model=ChecklistState)
def tick(ref: str, list_key: str, item_index: int, body: Tick, warroom: Runtime, actor: Responder) -> ChecklistState:
    """Tick (`done: true`) or untick (`done: false`) item `item_index` (0-based) of `role:<key>` or `phase:<key>`."""
    return warroom.checklists.tick(actor, ref, list_key, item_index, body.done)
