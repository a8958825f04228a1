"""Alerts: what monitoring sent, filtered by status, service and text, newest first, paged; and one alert."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from warroom.alerts.service import AlertFilter
from warroom.web.context import Runtime, Session, render

router = APIRouter()
PAGE_SIZE = 50
STATUSES = ("open", "triggered", "acknowledged", "resolved", "suppressed")
SAFE_SCHEMES = ("https://", "http://")  # links come from monitoring payloads: never a javascript: URL


def safe_links(links: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(text, href) per link; href is None unless it is plain http(s), so a link in a payload cannot run script."""
    shown = []
    for link in links:
        href = str(link.get("href") or link.get("url") or "")
        text = str(link.get("text") or link.get("title") or href)
        shown.append((text, href if href.lower().startswith(SAFE_SCHEMES) else None))
    return shown


@router.get("/alerts")
def alert_list(
    request: Request,
    warroom: Runtime,
    session: Session,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    service: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,12}$")] = None,
) -> HTMLResponse:
    # The filter form sends an empty value for "any"; an unknown status is refused by name, not ignored.
    problem = f"status: one of {', '.join(STATUSES)}" if status and status not in STATUSES else None
    filters = AlertFilter(
        status=status if status and not problem else None,
        service=service or None,
        query=q or None,
        limit=PAGE_SIZE,
        cursor=int(cursor) if cursor else None,
    )
    return render(
        request,
        "alerts.html",
        session,
        status_code=400 if problem else 200,
        error=problem,
        page=warroom.alerts.search(session.actor, filters),
        q=q or "",
        status=status if status in STATUSES else "",
        service=service or "",
        statuses=STATUSES,
    )


@router.get("/alerts/{number}")
def alert_page(request: Request, number: int, warroom: Runtime, session: Session) -> HTMLResponse:
    alert = warroom.alerts.get(session.actor, number)
    # Pretty-printed here, escaped by the template: tojson would mark it safe.
    details = json.dumps(alert.details, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return render(request, "alert.html", session, alert=alert, links=safe_links(alert.links), details=details)
