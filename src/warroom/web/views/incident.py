"""One incident: summary, status and severity controls, roles, checklists, timeline, clocks, escalation, messages.

Every form posts, changes state through a service and redirects back (PRG); a refused change re-renders the
page with the reason. The live region is re-fetched by htmx every few seconds (`hx-select="#live"`). An unknown
incident, or one the signed-in person may not see, is an HTML 404 page. The controls for checklists, escalation
and security communication are in `incident_controls.py`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from warroom.alerts.service import AlertFilter
from warroom.auth.actors import Actor
from warroom.comms.commands import ComposeMessage
from warroom.comms.rendering import optional_fields, required_fields
from warroom.errors import NotFound, WarroomError
from warroom.incidents.checklists import ROLE_PREFIX
from warroom.incidents.commands import AddNote, AssignRole, ChangeSeverity, ChangeStatus
from warroom.incidents.service import parse_ref
from warroom.runtime import Warroom
from warroom.web.clocks import incident_clocks
from warroom.web.context import Form, Responder, Runtime, Session, error_status, field, redirect, render
from warroom.web.incident_forms import command_or_error
from warroom.web.sessions import WebSession

router = APIRouter(prefix="/incidents/{ref}")
FIELD_PREFIX = "field."


def incident_values(warroom: Warroom, actor: Actor, ref: str) -> dict[str, Any]:
    view, events = warroom.incidents.timeline(actor, ref)
    frozen = warroom.playbooks.get(view.playbook_version)
    comms = warroom.communication.status(actor, view.id)
    escalations, pages = warroom.escalations.state(parse_ref(view.id))
    try:
        postmortem = warroom.postmortems.get(actor, view.id)
    except NotFound:
        postmortem = None
    templates = [(t, required_fields(t), optional_fields(t)) for t in frozen.templates]
    clocks = incident_clocks(view, comms, frozen, warroom.clock.now())
    if view.resolved_at is not None:  # a resolved incident shows how long it lasted, not a clock still counting
        clocks = [c for c in clocks if c.counts != "since"]
    runbooks = {runbook.key: runbook for runbook in frozen.runbooks}
    checklists = warroom.checklists.state(actor, view.id)
    return {
        "incident": view,
        "events": list(reversed(events)),
        "pinned": [e for e in events if e.pinned],
        "frozen": frozen,
        "comms": comms,
        "clocks": clocks,
        "lasted_seconds": view.durations.duration_seconds if view.resolved_at is not None else None,
        "checklists": checklists,
        "role_checklists": {c.key.removeprefix(ROLE_PREFIX): c for c in checklists.roles},
        "runbooks": [(ref_, runbooks.get(ref_)) for ref_ in view.runbooks],
        "security_panel": view.security or view.personal_data_breach_at is not None,
        "escalations": escalations,
        "pages": pages,
        "postmortem": postmortem,
        "templates": templates,
        "alerts": warroom.alerts.search(actor, AlertFilter(incident=view.id, limit=20)).items,
        "roles": {holder.role: holder for holder in view.roles},
        "severity_rank": {s.key: i for i, s in enumerate(frozen.severities)},
    }


def _page(
    request: Request, warroom: Warroom, session: WebSession, ref: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    try:
        values = incident_values(warroom, session.actor, ref)
    except NotFound:
        message = f"There is no incident {ref}, or you may not see it."
        return render(request, "not_found.html", session, status_code=404, message=message)
    defaults: dict[str, Any] = {"preview": None, "preview_form": {}, "open_template": None}
    return render(request, "incident.html", session, status_code=status_code, **{**defaults, **values, **extra})


def done_or_refused(
    request: Request, warroom: Warroom, session: WebSession, ref: str, error: WarroomError | str
) -> HTMLResponse:
    if isinstance(error, str):
        return _page(request, warroom, session, ref, status_code=400, error=error)
    return _page(request, warroom, session, ref, status_code=error_status(error), error=error.detail)


@router.get("")
def incident_page(request: Request, ref: str, warroom: Runtime, session: Session) -> HTMLResponse:
    return _page(request, warroom, session, ref)


@router.post("/acknowledge")
def acknowledge(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    try:
        view = warroom.incidents.acknowledge(actor, ref)
    except WarroomError as error:
        return done_or_refused(request, warroom, session, ref, error)
    return redirect(f"/incidents/{view.id}")


def apply(request: Request, warroom: Warroom, session: WebSession, ref: str, action: Any, *args: Any) -> Response:
    """Run one service call; on success back to the incident (at `#anchor` if given), else the page with the reason."""
    try:
        action(*args)
    except WarroomError as error:
        return done_or_refused(request, warroom, session, ref, error)
    return redirect(f"/incidents/{warroom.incidents.get(session.actor, ref).id}")


@router.post("/status")
def change_status(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    command, problem = command_or_error(
        ChangeStatus, {"status": field(form, "status"), "note": field(form, "note") or None}
    )
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    return apply(request, warroom, session, ref, warroom.incidents.change_status, actor, ref, command)


@router.post("/severity")
def change_severity(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    command, problem = command_or_error(
        ChangeSeverity, {"severity": field(form, "severity"), "reason": field(form, "reason")}
    )
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    return apply(request, warroom, session, ref, warroom.incidents.change_severity, actor, ref, command)


@router.post("/roles")
def assign_role(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    role = field(form, "role")
    person = field(form, "person")
    if person == "me":  # "take it": the signed-in person
        person = actor.name
    command, problem = command_or_error(AssignRole, {"person": person})
    if command is None or not role:
        return done_or_refused(request, warroom, session, ref, problem or "role: choose a role")
    return apply(request, warroom, session, ref, warroom.incidents.assign_role, actor, ref, role, command)


@router.post("/notes")
def add_note(request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    command, problem = command_or_error(AddNote, {"text": field(form, "text"), "pinned": bool(field(form, "pinned"))})
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    return apply(request, warroom, session, ref, warroom.incidents.add_note, actor, ref, command)


@router.post("/timeline/{event_id}/pin")
def pin(
    request: Request, ref: str, event_id: int, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    pinned = field(form, "pinned", "1") != "0"
    return apply(request, warroom, session, ref, warroom.incidents.pin, actor, ref, event_id, pinned)


def _message(form: FormData, ref: str) -> tuple[ComposeMessage | None, str | None]:
    fields = {
        key.removeprefix(FIELD_PREFIX): value.strip()
        for key, value in form.multi_items()
        if key.startswith(FIELD_PREFIX) and isinstance(value, str) and value.strip()
    }
    return command_or_error(
        ComposeMessage,
        {
            "incident": ref,
            "template": field(form, "template"),
            "channel": field(form, "channel") or None,
            "fields": fields,
        },
    )


@router.post("/messages/preview")
def preview_message(request: Request, ref: str, warroom: Runtime, session: Session, form: Form) -> HTMLResponse:
    """The rendered message, its audience and what is missing; htmx picks `#preview-<template>` out of the page."""
    command, problem = _message(form, ref)
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    try:
        preview = warroom.communication.preview(session.actor, command)
    except WarroomError as error:
        return done_or_refused(request, warroom, session, ref, error)
    return _page(
        request, warroom, session, ref, preview=preview, preview_form=dict(form), open_template=command.template
    )


@router.post("/messages/send")
def send_message(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    command, problem = _message(form, ref)
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    return apply(request, warroom, session, ref, warroom.communication.send, actor, command)
