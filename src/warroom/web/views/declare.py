"""Declare an incident: the playbook's triage questions, the suggested severity and why, then the incident."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from warroom.errors import WarroomError
from warroom.incidents.commands import DeclareIncident
from warroom.playbook.schema import Playbook
from warroom.playbook.schema.triage import FactSpec, FactType
from warroom.web.context import Form, Responder, Runtime, Session, error_status, field, redirect, render
from warroom.web.incident_forms import command_or_error

router = APIRouter()
FACT_PREFIX = "fact."


def triage_questions(playbook: Playbook) -> list[FactSpec]:
    """The facts the decision tree asks about, in the order its rules first use them, then the playbook's own."""
    catalog = playbook.triage.fact_catalog()
    keys: list[str] = []
    for rule in playbook.triage.rules:
        for condition in rule.conditions():
            if condition.fact not in keys:
                keys.append(condition.fact)
    keys += [fact.key for fact in playbook.triage.facts if fact.key not in keys]
    return [catalog[key] for key in keys if key in catalog]


def facts_from(form: FormData, playbook: Playbook) -> dict[str, Any]:
    """Ticked yes/no questions are true; unticked ones are left unknown. Numbers are passed as typed."""
    facts: dict[str, Any] = {}
    for fact in triage_questions(playbook):
        raw = field(form, FACT_PREFIX + fact.key)
        if not raw:
            continue
        facts[fact.key] = True if fact.type is FactType.BOOL else raw
    return facts


def _suggestion(request: Request, warroom: Any, form: FormData) -> dict[str, Any]:
    try:
        playbook, suggestion = warroom.incidents.suggest(facts_from(form, warroom.playbook))
    except WarroomError as error:
        return {"suggestion": None, "suggestion_error": error.detail}
    severity = playbook.severity(suggestion.severity)
    return {"suggestion": suggestion, "suggested": severity, "suggestion_error": None}


@router.get("/declare")
def declare_form(request: Request, warroom: Runtime, session: Session) -> HTMLResponse:
    return render(
        request,
        "declare.html",
        session,
        questions=triage_questions(warroom.playbook),
        form={},
        **_suggestion(request, warroom, FormData()),
    )


@router.post("/declare/triage")
def triage(request: Request, warroom: Runtime, session: Session, form: Form) -> HTMLResponse:
    """The suggested severity and why, for the answers so far (htmx swaps it in as they change)."""
    return render(request, "fragments/suggestion.html", session, **_suggestion(request, warroom, form))


@router.post("/declare")
def declare(request: Request, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    values = {
        "title": field(form, "title"),
        "summary": field(form, "summary"),
        "impact_statement": field(form, "impact_statement") or None,
        "severity": field(form, "severity") or None,
        "impact": facts_from(form, warroom.playbook),
    }
    command, problem = command_or_error(DeclareIncident, values)
    if command is not None:
        try:
            view = warroom.incidents.declare(actor, command)
        except WarroomError as error:
            problem, status = error.detail, error_status(error)
        else:
            return redirect(f"/incidents/{view.id}")
    else:
        status = 400
    return render(
        request,
        "declare.html",
        session,
        status_code=status,
        error=problem,
        questions=triage_questions(warroom.playbook),
        form=dict(form),
        **_suggestion(request, warroom, form),
    )
