"""Signed acknowledgement links from e-mails and push notifications: /ack/{token}.

A GET only shows what the link would do and a button: mail scanners and link previews fetch every link,
and they must not acknowledge anybody's page. The POST acknowledges (ntfy's "http" action POSTs with no
body). Browsers get a small HTML page, clients that ask for JSON get JSON. The token is the credential,
so pages are not cached, not indexed and send no Referer onwards.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from warroom.api.problems import problem
from warroom.auth.actors import AccessRole, Actor
from warroom.errors import Conflict, FieldProblem, InvalidInput, NotFound, WarroomError
from warroom.incidents.lifecycle import OPEN_STATUSES
from warroom.incidents.views import incident_ref
from warroom.notify.ack_links import AckClaim, verify
from warroom.runtime import Warroom

router = APIRouter(tags=["acknowledgements"])

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
_STATUS = {InvalidInput: 400, NotFound: 404, Conflict: 409}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "json" in accept and "text/html" not in accept


def html_page(title: str, message: str, *, button: str | None = None, status: int = 200) -> HTMLResponse:
    """Every text is escaped here; callers pass plain text. The form has no action: it posts to this URL."""
    form = f'<form method="post"><button type="submit">{escape(button)}</button></form>' if button else ""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)} · Warroom</title></head>"
        f"<body><main><h1>{escape(title)}</h1><p>{escape(message)}</p>{form}</main></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers=_PRIVATE)


def refusal(request: Request, error: WarroomError) -> Response:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    link = isinstance(error, InvalidInput)
    title = "Link refused" if link else "Not acknowledged"
    if wants_json(request):
        field = FieldProblem("token" if link else "incident", error.detail)
        answer = problem(status, title, error.detail, error.problems or [field])
        answer.headers.update(_PRIVATE)
        return answer
    return html_page(title, error.detail, status=status)


def _claim(warroom: Warroom, token: str) -> AckClaim:
    return verify(warroom.ack_key, token, warroom.clock.now())


@router.get("/ack/{token}", response_class=HTMLResponse, summary="Show what an acknowledgement link does")
async def confirm(token: str, request: Request) -> Response:
    warroom: Warroom = request.app.state.warroom
    try:
        claim = _claim(warroom, token)
    except InvalidInput as error:
        return refusal(request, error)
    ref = incident_ref(claim.incident_id)
    question = f"Acknowledge {ref} as {claim.person}?"
    try:
        view = await run_in_threadpool(
            warroom.incidents.get, Actor(claim.person, AccessRole.RESPONDER), str(claim.incident_id)
        )
    except NotFound:
        view = None  # a private incident this person does not see yet: the link still acknowledges it
    if view is not None:
        if view.status not in OPEN_STATUSES:
            return refusal(request, Conflict(f"{ref} is {view.status.value}; nothing to acknowledge"))
        question = f"{ref}: {view.title} ({view.severity_label}, {view.status.value}). {question}"
    if wants_json(request):
        return JSONResponse(
            {"incident": ref, "person": claim.person, "expires_at": claim.expires_at.isoformat(), "method": "POST"},
            headers=_PRIVATE,
        )
    return html_page(f"Acknowledge {ref}", question, button=f"Acknowledge {ref}")


@router.post("/ack/{token}", response_class=HTMLResponse, summary="Acknowledge the page a link names")
async def acknowledge(token: str, request: Request) -> Response:
    warroom: Warroom = request.app.state.warroom
    try:
        claim = _claim(warroom, token)
        done = await run_in_threadpool(
            warroom.acknowledgements.acknowledge, claim.person, str(claim.incident_id), "link"
        )
    except (InvalidInput, NotFound, Conflict) as error:
        return refusal(request, error)
    if wants_json(request):
        body = {"incident": done.incident, "person": done.person, "first": done.first, "text": done.text}
        return JSONResponse(body, headers=_PRIVATE)
    return html_page(f"{done.incident} acknowledged", done.text)
