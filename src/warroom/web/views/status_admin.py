"""Status page admin: component statuses, public incidents (open, update, resolve) and scheduled maintenances.
Responders change; viewers read. Only public wording is shown or written here; an internal link shows only
to those who may see that incident (the StatusPageService decides)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData

from warroom.errors import WarroomError
from warroom.status.commands import (
    ComponentPatch,
    OpenPublicIncident,
    PostPublicUpdate,
    ScheduleMaintenance,
    UpdateMaintenance,
)
from warroom.status.vocabulary import ComponentStatus, Impact, IncidentStatus, Kind, MaintenanceStatus
from warroom.web.context import Form, Responder, Runtime, Session, error_status, field, redirect, render, runtime
from warroom.web.incident_forms import command_or_error
from warroom.web.sessions import WebSession

router = APIRouter(prefix="/status-admin")
PAGE = "/status-admin"
RESOLVED_WORDING = "This incident has been resolved."


def _page(request: Request, session: WebSession, status_code: int = 200, **extra: Any) -> HTMLResponse:
    warroom = runtime(request)
    components = warroom.status_page.components(session.actor)
    values: dict[str, Any] = {
        "components": [c for c in components if not c.hidden],
        "names": {c.code: c.name for c in components},
        "incidents": warroom.status_page.incidents(session.actor, Kind.INCIDENT, limit=50),
        "maintenances": warroom.status_page.incidents(session.actor, Kind.MAINTENANCE, limit=50),
        "component_statuses": list(ComponentStatus),
        "incident_statuses": list(IncidentStatus),
        "maintenance_statuses": list(MaintenanceStatus),
        "impacts": [impact for impact in Impact if impact is not Impact.MAINTENANCE],
        "draft": {},
        "draft_for": "",
    }
    return render(request, "status_admin.html", session, status_code=status_code, **{**values, **extra})


def _component_changes(form: FormData) -> dict[str, str]:
    """`component.<key>` selects; an empty choice leaves that component as it is."""
    changes = {}
    for name, value in form.multi_items():
        if name.startswith("component.") and isinstance(value, str) and value.strip():
            changes[name.removeprefix("component.")] = value.strip()
    return changes


def _when(form: FormData, name: str) -> str | datetime:
    """A datetime-local input is read as UTC (the page says so); anything else goes to pydantic as typed."""
    text = field(form, name)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _run(
    request: Request, session: WebSession, model: type[BaseModel], values: dict[str, Any], action: Any, anchor: str
) -> Response:
    """Validate the form into the command, run the use case; a refusal re-renders with the reason."""
    command, problem = command_or_error(model, values)
    draft = {key: value for key, value in values.items() if isinstance(value, str)}
    try:
        if command is None:
            return _page(request, session, status_code=400, error=problem, draft=draft, draft_for=anchor)
        action(command)
    except WarroomError as error:
        status_code = error_status(error)
        return _page(request, session, status_code=status_code, error=error.detail, draft=draft, draft_for=anchor)
    return redirect(f"{PAGE}#{anchor}")


@router.get("")
def status_admin(request: Request, session: Session) -> HTMLResponse:
    return _page(request, session)


@router.post("/components/{key}")
def change_component(
    request: Request, key: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    values = {"status": field(form, "status")}
    return _run(
        request,
        session,
        ComponentPatch,
        values,
        lambda command: warroom.status_page.change_component(actor, key, command),
        "components",
    )


@router.post("/incidents")
def open_incident(request: Request, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    values: dict[str, Any] = {
        "name": field(form, "name"),
        "body": field(form, "body"),
        "status": field(form, "status") or IncidentStatus.INVESTIGATING.value,
        "impact": field(form, "impact") or None,
        "incident": field(form, "incident") or None,
        "components": _component_changes(form),
    }
    return _run(
        request,
        session,
        OpenPublicIncident,
        values,
        lambda command: warroom.status_page.open_incident(actor, command),
        "incidents",
    )


@router.post("/incidents/{code}/updates")
def post_update(
    request: Request, code: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    values: dict[str, Any] = {
        "status": field(form, "status"),
        "body": field(form, "body"),
        "components": _component_changes(form),
    }
    return _run(
        request,
        session,
        PostPublicUpdate,
        values,
        lambda command: warroom.status_page.post_update(actor, code, command),
        f"incident-{code}",
    )


@router.post("/incidents/{code}/resolve")
def resolve(request: Request, code: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    values: dict[str, Any] = {
        "status": IncidentStatus.RESOLVED.value,
        "body": field(form, "body") or RESOLVED_WORDING,
        "components": _component_changes(form),
    }
    return _run(
        request,
        session,
        PostPublicUpdate,
        values,
        lambda command: warroom.status_page.post_update(actor, code, command),
        f"incident-{code}",
    )


@router.post("/maintenances")
def schedule_maintenance(
    request: Request, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    values: dict[str, Any] = {
        "name": field(form, "name"),
        "body": field(form, "body"),
        "scheduled_for": _when(form, "scheduled_for"),
        "scheduled_until": _when(form, "scheduled_until"),
        "components": [value for value in form.getlist("components") if isinstance(value, str) and value],
    }
    return _run(
        request,
        session,
        ScheduleMaintenance,
        values,
        lambda command: warroom.status_page.schedule_maintenance(actor, command),
        "maintenances",
    )


@router.post("/maintenances/{code}/updates")
def update_maintenance(
    request: Request, code: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    values: dict[str, Any] = {"status": field(form, "status") or None, "body": field(form, "body")}
    return _run(
        request,
        session,
        UpdateMaintenance,
        values,
        lambda command: warroom.status_page.update_maintenance(actor, code, command),
        f"maintenance-{code}",
    )
