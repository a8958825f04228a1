"""/api/v1/audit: the append-only audit log, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from warroom.api.deps import admin, runtime
from warroom.audit.log import AuditEntry, list_audit
from warroom.auth.actors import Actor
from warroom.runtime import Warroom

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", response_model=list[AuditEntry])
def audit(
    warroom: Annotated[Warroom, Depends(runtime)],
    _actor: Annotated[Actor, Depends(admin)],
    subject: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntry]:
    with warroom.db.read() as connection:
        return list_audit(connection, subject, limit)
