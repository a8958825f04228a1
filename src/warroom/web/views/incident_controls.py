"""The incident page's controls for checklists, escalation and security communication.

Each form calls one service on the signed-in responder and redirects back to the incident (PRG); a refusal
re-renders the incident page with the reason naming the field. Viewers get the 403 page (`Responder`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from warroom.comms.commands import FlagBreach, RegulatorNotice, Waive
from warroom.incidents.service import parse_ref
from warroom.web.context import Form, Responder, Runtime, Session, field
from warroom.web.incident_forms import command_or_error
from warroom.web.views.incident import apply, done_or_refused

router = APIRouter(prefix="/incidents/{ref}")


def _moment(text: str) -> str | None:
    """A form's date-time: blank is None (now); without a zone it is read as UTC (the page shows UTC)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # pydantic names the field and the reason
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


@router.post("/checklists/tick")
def tick(request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    list_key = field(form, "list_key")
    item = field(form, "item")
    if not list_key:
        return done_or_refused(request, warroom, session, ref, "list_key: choose a checklist")
    if not item.isdigit():
        return done_or_refused(request, warroom, session, ref, "item: must be the item's number")
    done = field(form, "done", "1") != "0"
    return apply(request, warroom, session, ref, warroom.checklists.tick, actor, ref, list_key, int(item), done)


@router.post("/escalate")
def escalate(request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    reason = field(form, "reason")
    if not reason:
        return done_or_refused(request, warroom, session, ref, "reason: say why you escalate")
    if len(reason) > 2_000:
        return done_or_refused(request, warroom, session, ref, "reason: at most 2000 characters")

    def escalate_visible() -> None:
        warroom.incidents.get(actor, ref)  # NotFound for an incident this person may not see
        warroom.escalations.escalate(actor, parse_ref(ref), None, reason)

    return apply(request, warroom, session, ref, escalate_visible)


@router.post("/page")
def page(request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    target, message = field(form, "target"), field(form, "message")
    if not target or len(target) > 200:
        return done_or_refused(request, warroom, session, ref, "target: name a role, team, schedule or person")
    if not message or len(message) > 2_000:
        return done_or_refused(request, warroom, session, ref, "message: say why they are needed (2000 at most)")

    def page_visible() -> None:
        warroom.incidents.get(actor, ref)
        warroom.escalations.page(actor, parse_ref(ref), target, message)

    return apply(request, warroom, session, ref, page_visible)


@router.post("/comms/approve")
def approve(request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    note = field(form, "note") or None
    if note is not None and len(note) > 2_000:
        return done_or_refused(request, warroom, session, ref, "note: at most 2000 characters")
    return apply(request, warroom, session, ref, warroom.comms_controls.approve, actor, ref, note)


@router.post("/comms/breach")
def flag_breach(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    command, problem = command_or_error(
        FlagBreach, {"at": _moment(field(form, "at")), "note": field(form, "note") or None}
    )
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    return apply(request, warroom, session, ref, warroom.comms_controls.flag_breach, actor, ref, command)


@router.post("/comms/regulator-notice")
def regulator_notice(
    request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    command, problem = command_or_error(
        RegulatorNotice, {"at": _moment(field(form, "at")), "reference": field(form, "reference")}
    )
    if command is None:
        return done_or_refused(request, warroom, session, ref, problem or "invalid")
    return apply(request, warroom, session, ref, warroom.comms_controls.record_regulator_notice, actor, ref, command)


@router.post("/comms/waive")
def waive(request: Request, ref: str, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    deadline = field(form, "deadline")
    command, problem = command_or_error(Waive, {"reason": field(form, "reason")})
    if command is None or not deadline:
        return done_or_refused(request, warroom, session, ref, problem or "deadline: choose a clock")
    return apply(request, warroom, session, ref, warroom.comms_controls.waive, actor, ref, deadline, command)
