"""/api/v1/integrations: create, list, read and disable the monitoring sources pointed at Warroom."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from warroom.alerts.integrations import CreateIntegration, IntegrationCreated, IntegrationView
from warroom.api.deps import admin, responder, runtime
from warroom.auth.actors import Actor
from warroom.runtime import Warroom

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])

Runtime = Annotated[Warroom, Depends(runtime)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IntegrationCreated)
def create(
    body: CreateIntegration, warroom: Runtime, actor: Annotated[Actor, Depends(admin)], response: Response
) -> IntegrationCreated:
    """The answer holds the secret key once; it is stored only as a hash."""
    created = warroom.integrations.create(actor, body)
    response.headers["Location"] = f"/api/v1/integrations/{created.key}"
    response.headers["Cache-Control"] = "no-store"
    return created


@router.get("", response_model=list[IntegrationView])
def list_integrations(warroom: Runtime, _actor: Annotated[Actor, Depends(responder)]) -> list[IntegrationView]:
    return warroom.integrations.list()


@router.get("/{key}", response_model=IntegrationView)
def get(key: str, warroom: Runtime, _actor: Annotated[Actor, Depends(responder)]) -> IntegrationView:
    return warroom.integrations.get(key)


@router.post("/{key}/disable", response_model=IntegrationView)
def disable(key: str, warroom: Runtime, actor: Annotated[Actor, Depends(admin)]) -> IntegrationView:
    return warroom.integrations.disable(actor, key)
