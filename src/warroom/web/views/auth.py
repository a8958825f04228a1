"""Sign in (a local account, or an API token) and sign out."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from warroom.auth.tokens import authenticate
from warroom.errors import Unauthenticated
from warroom.web.accounts import SignInRefused
from warroom.web.context import Form, Runtime, field, redirect, render, web_state
from warroom.web.sessions import COOKIE

router = APIRouter()

# Before a session exists, the sign-in form is protected by a double-submit token (login CSRF).
SIGNIN_COOKIE = "warroom_signin"
REFUSED = "The username or password is not right."


def _sign_in_page(request: Request, message: str | None = None, status_code: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", None, status_code=status_code, signin_token=token, error=message)
    response.set_cookie(
        SIGNIN_COOKIE, token, httponly=True, samesite="lax", secure=web_state(request).secure_cookies, max_age=3600
    )
    return response


@router.get("/signin")
def sign_in_form(request: Request) -> HTMLResponse:
    return _sign_in_page(request)


@router.post("/signin")
async def sign_in(request: Request, warroom: Runtime) -> Response:
    form = await request.form()
    submitted = form.get("signin_token")
    expected = request.cookies.get(SIGNIN_COOKIE) or ""
    if not isinstance(submitted, str) or not expected or not hmac.compare_digest(submitted, expected):
        return _sign_in_page(request, "The sign-in form expired; please try again.", status_code=403)
    web = web_state(request)
    api_token = field(form, "token")
    account_id: int | None = None
    try:
        if api_token:
            actor = authenticate(warroom.db, api_token)
        else:
            account = web.accounts.sign_in(field(form, "username"), str(form.get("password") or ""))
            actor, account_id = account.actor, account.id
    except (SignInRefused, Unauthenticated):
        return _sign_in_page(request, REFUSED if not api_token else "That API token is not valid.", status_code=401)
    token, session = web.sessions.start(actor, account_id)
    response = redirect("/")
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=web.secure_cookies,
        max_age=int((session.expires_at - warroom.clock.now()).total_seconds()),
    )
    response.delete_cookie(SIGNIN_COOKIE)
    return response


@router.post("/signout")
def sign_out(request: Request, _form: Form) -> Response:
    web_state(request).sessions.end(request.cookies.get(COOKIE))
    response = redirect("/signin")
    response.delete_cookie(COOKIE)
    return response
