"""What every page needs: the signed-in session (or a redirect to sign in), the CSRF check of a form, rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from warroom.auth.actors import AccessRole, Actor
from warroom.errors import WarroomError
from warroom.runtime import Warroom
from warroom.web import csrf
from warroom.web.sessions import COOKIE, WebSession

if TYPE_CHECKING:
    from warroom.web.app import WebState


class SignInRequired(Exception):
    """No valid session: pages redirect to /signin."""


class CsrfRefused(Exception):
    """A state-changing request without this session's CSRF token: 403, nothing changes."""


class NotAllowed(Exception):
    """The signed-in role may not do this."""


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def runtime(request: Request) -> Warroom:
    warroom: Warroom = request.app.state.warroom
    return warroom


def signed_in(request: Request) -> WebSession:
    session = web_state(request).sessions.load(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired()
    return session


async def posted_form(request: Request, session: Annotated[WebSession, Depends(signed_in)]) -> FormData:
    """The form of a POST whose CSRF token (form field or htmx header) matches the session; else 403."""
    form = await request.form()
    submitted = request.headers.get(csrf.HEADER) or form.get(csrf.FORM_FIELD)
    if not isinstance(submitted, str) or not csrf.is_valid(session, submitted):
        raise CsrfRefused()
    return form


def responder_actor(session: Annotated[WebSession, Depends(signed_in)]) -> Actor:
    if not session.actor.role.allows(AccessRole.RESPONDER):
        raise NotAllowed(f"this needs the responder role; you are signed in as {session.actor.role.value}")
    return session.actor


Session = Annotated[WebSession, Depends(signed_in)]
Form = Annotated[FormData, Depends(posted_form)]
Responder = Annotated[Actor, Depends(responder_actor)]
Runtime = Annotated[Warroom, Depends(runtime)]


def field(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else default


def render(
    request: Request, template: str, session: WebSession | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    warroom = runtime(request)
    context = {
        "session": session,
        "csrf": csrf.token_for(session) if session else "",
        "now": warroom.clock.now(),
        "playbook": warroom.playbook,
        "path": request.url.path,
        "error": None,
        **values,
    }
    response: HTMLResponse = web_state(request).templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response


def error_status(error: WarroomError) -> int:
    from warroom.errors import Conflict, Forbidden, NotFound

    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, Forbidden):
        return 403
    return 400


def redirect(url: str) -> RedirectResponse:
    """After a successful form: see the result (POST, redirect, GET), so a reload does not post again."""
    return RedirectResponse(url, status_code=303)
