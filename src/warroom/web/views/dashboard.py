"""The dashboard: open incidents by severity with live clocks, who is on call now, alerts firing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warroom.alerts.service import AlertFilter
from warroom.auth.actors import Actor
from warroom.incidents.lifecycle import OPEN_STATUSES
from warroom.incidents.service import ListFilter
from warroom.incidents.views import IncidentView
from warroom.runtime import Warroom
from warroom.web.clocks import Clock, incident_clocks
from warroom.web.context import Runtime, Session, render

router = APIRouter()

OPEN = tuple(OPEN_STATUSES)
DASHBOARD_LIMIT = 100  # past this the dashboard links to the list; a war room with 100 open incidents has other issues


@dataclass(frozen=True)
class OpenIncident:
    view: IncidentView
    clocks: list[Clock]


def open_incidents(warroom: Warroom, actor: Actor) -> tuple[list[tuple[Any, list[OpenIncident]]], bool]:
    """Open incidents grouped by severity, most severe first; and whether there were more than shown."""
    page = warroom.incidents.search(actor, ListFilter(statuses=OPEN, limit=DASHBOARD_LIMIT))
    now = warroom.clock.now()
    groups: dict[str, list[OpenIncident]] = {}
    for summary in page.items:
        view = warroom.incidents.get(actor, summary.id)
        comms = warroom.communication.status(actor, summary.id)
        frozen = warroom.playbooks.get(view.playbook_version)
        groups.setdefault(view.severity, []).append(OpenIncident(view, incident_clocks(view, comms, frozen, now)))
    playbook = warroom.playbook
    order = {s.key: rank for rank, s in enumerate(playbook.severities)}
    labels = {s.key: s for s in playbook.severities}
    ordered = sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
    return [(labels.get(key, key), items) for key, items in ordered], page.next_cursor is not None


def _dashboard_values(warroom: Warroom, actor: Actor) -> dict[str, Any]:
    groups, more = open_incidents(warroom, actor)
    return {"groups": groups, "more": more, "rank": {s.key: i for i, s in enumerate(warroom.playbook.severities)}}


@router.get("/")
def dashboard(request: Request, warroom: Runtime, session: Session) -> HTMLResponse:
    firing = warroom.alerts.search(session.actor, AlertFilter(status="open", limit=20)).items
    return render(
        request,
        "dashboard.html",
        session,
        oncall=warroom.oncall.now(),
        firing=firing,
        **_dashboard_values(warroom, session.actor),
    )


@router.get("/fragments/open-incidents")
def open_incidents_fragment(request: Request, warroom: Runtime, session: Session) -> HTMLResponse:
    """Polled by the dashboard (htmx, every few seconds)."""
    return render(request, "fragments/open_incidents.html", session, **_dashboard_values(warroom, session.actor))
