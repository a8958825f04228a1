"""Follow-up lists across incidents: postmortems (by state, overdue) and action items (by status, owner,
overdue), with action-item status changes from the list."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from warroom.errors import WarroomError
from warroom.postmortems.action_item_models import ActionItemFilter, StatusChange
from warroom.postmortems.action_item_rules import ItemStatus
from warroom.postmortems.postmortem_models import PostmortemFilter
from warroom.postmortems.states import PostmortemState
from warroom.runtime import Warroom
from warroom.web.context import Form, Responder, Runtime, Session, error_status, field, redirect, render
from warroom.web.incident_forms import command_or_error
from warroom.web.sessions import WebSession

router = APIRouter()
Overdue = Annotated[str, Query(pattern=r"^(|yes|no)$")]
_OVERDUE = {"yes": True, "no": False, "": None}


@router.get("/postmortems")
def postmortem_list(
    request: Request,
    warroom: Runtime,
    session: Session,
    state: Annotated[PostmortemState | None, Query()] = None,
    overdue: Overdue = "",
) -> HTMLResponse:
    if overdue == "yes" and state is None:
        found = warroom.postmortems.overdue(session.actor)
    else:
        filters = PostmortemFilter(states=(state,) if state else (), overdue=_OVERDUE[overdue])
        found = warroom.postmortems.search(session.actor, filters)
    return render(
        request,
        "postmortems.html",
        session,
        postmortems=found,
        state=state.value if state else "",
        states=list(PostmortemState),
        overdue=overdue,
    )


def _items_page(
    request: Request,
    warroom: Warroom,
    session: WebSession,
    filters: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    error = extra.pop("error", None)
    query = ActionItemFilter(
        statuses=(filters["status"],) if filters["status"] else (),
        owner=filters["owner"] or None,
        overdue=_OVERDUE.get(filters["overdue"]),
    )
    try:
        items = warroom.action_items.search(session.actor, query)
    except WarroomError as problem:
        items, error, status_code = [], problem.detail, error_status(problem)
    return render(
        request,
        "action_items.html",
        session,
        status_code=status_code,
        error=error,
        items=items,
        filters=filters,
        query=urlencode(filters),
        statuses=list(ItemStatus),
        **extra,
    )


@router.get("/action-items")
def action_item_list(
    request: Request,
    warroom: Runtime,
    session: Session,
    status: Annotated[str, Query(max_length=32)] = "",
    owner: Annotated[str, Query(max_length=200)] = "",
    overdue: Overdue = "",
) -> HTMLResponse:
    filters = {"status": status, "owner": owner.strip(), "overdue": overdue}
    return _items_page(request, warroom, session, filters)


@router.post("/action-items/{item_id}/status")
def change_action_item_status(
    request: Request, item_id: int, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    # The list's filters ride along so the answer shows the same list.
    filters = {name: field(form, f"back_{name}") for name in ("status", "owner", "overdue")}
    if filters["overdue"] not in _OVERDUE:
        filters["overdue"] = ""
    command, problem = command_or_error(
        StatusChange, {"status": field(form, "status"), "note": field(form, "note") or None}
    )
    try:
        if command is None:
            return _items_page(request, warroom, session, filters, status_code=400, error=problem)
        warroom.action_items.change_status(actor, item_id, command)
    except WarroomError as error:
        return _items_page(
            request, warroom, session, filters, status_code=error_status(error), error=f"#{item_id}: {error.detail}"
        )
    return redirect(f"/action-items?{urlencode(filters)}#item-{item_id}")
