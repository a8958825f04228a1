"""The incidents list: search by text, status and severity, newest first, paged by cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from warroom.incidents.lifecycle import Status
from warroom.incidents.service import ListFilter
from warroom.web.context import Runtime, Session, render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/incidents")
def incident_list(
    request: Request,
    warroom: Runtime,
    session: Session,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[Status | None, Query()] = None,
    severity: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$")] = None,
) -> HTMLResponse:
    filters = ListFilter(
        statuses=(status,) if status else (),
        severities=(severity,) if severity else (),
        query=q or None,
        limit=PAGE_SIZE,
        cursor=int(cursor) if cursor else None,
    )
    page = warroom.incidents.search(session.actor, filters)
    return render(
        request,
        "incidents.html",
        session,
        page=page,
        q=q or "",
        status=status.value if status else "",
        severity=severity or "",
        statuses=list(Status),
        rank={s.key: i for i, s in enumerate(warroom.playbook.severities)},
    )
