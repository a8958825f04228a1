"""An incident's postmortem: read and edit its Markdown (with the revision it started from), add action items."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from warroom.errors import WarroomError
from warroom.postmortems.action_item_models import ActionItemFilter, NewActionItem
from warroom.postmortems.postmortem_models import EditPostmortem
from warroom.runtime import Warroom
from warroom.web.context import Form, Responder, Runtime, Session, error_status, field, redirect, render
from warroom.web.incident_forms import command_or_error
from warroom.web.sessions import WebSession

router = APIRouter(prefix="/incidents/{ref}")


def _page(
    request: Request, warroom: Warroom, session: WebSession, ref: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    incident = warroom.incidents.get(session.actor, ref)
    postmortem = warroom.postmortems.get(session.actor, incident.id)
    items = warroom.action_items.search(session.actor, ActionItemFilter(incident=incident.id))
    values: dict[str, Any] = {"incident": incident, "postmortem": postmortem, "items": items, "draft": None}
    return render(request, "postmortem.html", session, status_code=status_code, **{**values, **extra})


@router.get("/postmortem")
def postmortem_page(request: Request, ref: str, warroom: Runtime, session: Session) -> HTMLResponse:
    return _page(request, warroom, session, ref)


@router.post("/postmortem")
def edit_postmortem(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    markdown = str(form.get("markdown") or "").replace("\r\n", "\n")
    command, problem = command_or_error(EditPostmortem, {"markdown": markdown, "revision": field(form, "revision")})
    try:
        if command is None:
            return _page(request, warroom, session, ref, status_code=400, error=problem, draft=markdown)
        warroom.postmortems.edit(actor, ref, command)
    except WarroomError as error:
        return _page(
            request, warroom, session, ref, status_code=error_status(error), error=error.detail, draft=markdown
        )
    return redirect(f"/incidents/{warroom.incidents.get(actor, ref).id}/postmortem")


@router.post("/action-items")
def add_action_item(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    values = {
        "title": field(form, "title"),
        "description": field(form, "description"),
        "owner": field(form, "owner") or None,
        "priority": field(form, "priority") or "p2",
        "due": field(form, "due") or None,
    }
    command, problem = command_or_error(NewActionItem, values)
    try:
        if command is None:
            return _page(request, warroom, session, ref, status_code=400, error=problem)
        warroom.action_items.create(actor, ref, command)
    except WarroomError as error:
        return _page(request, warroom, session, ref, status_code=error_status(error), error=error.detail)
    return redirect(f"/incidents/{warroom.incidents.get(actor, ref).id}/postmortem#action-items")
