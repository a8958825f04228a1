"""Liveness and readiness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from warroom.api.deps import runtime
from warroom.runtime import Warroom

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(warroom: Annotated[Warroom, Depends(runtime)]) -> JSONResponse:
    try:
        warroom.db.ping()
    except Exception as error:
        return JSONResponse({"status": "unavailable", "store": type(error).__name__}, status_code=503)
    return JSONResponse({"status": "ready", "playbook": warroom.playbook.name})
