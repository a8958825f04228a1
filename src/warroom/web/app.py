"""Wires the web UI into the FastAPI app: templates, static assets, the sign-in redirect and the page routers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from warroom.runtime import Warroom
from warroom.web import formatting
from warroom.web.accounts import AccountService
from warroom.web.context import CsrfRefused, NotAllowed, SignInRequired, render
from warroom.web.sessions import SessionStore
from warroom.web.views import (
    alerts,
    auth,
    dashboard,
    declare,
    followups,
    incident,
    incident_controls,
    incidents,
    oncall,
    playbook,
    postmortem,
    reports,
    status_admin,
)

HERE = Path(__file__).parent
ASSETS_PATH = "/assets"


@dataclass
class WebState:
    accounts: AccountService
    sessions: SessionStore
    templates: Jinja2Templates
    secure_cookies: bool


def template_environment() -> Environment:
    # Autoescape on for every template: user text is never marked safe.
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True
    )
    environment.filters["utc"] = formatting.utc
    environment.filters["iso"] = formatting.iso
    environment.filters["span"] = formatting.span
    environment.globals["relative"] = formatting.relative
    environment.globals["assets"] = ASSETS_PATH
    return environment


def _sign_in_required(request: Request, _error: Exception) -> Response:
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": "/signin"})
    return RedirectResponse("/signin", status_code=303)


def _refused(request: Request, error: Exception) -> Response:
    text = (
        "This form is out of date or was not sent from Warroom (CSRF check failed). Reload the page and try again."
        if isinstance(error, CsrfRefused)
        else str(error)
    )
    return render(request, "error.html", None, status_code=403, message=text)


def install_web(app: FastAPI, warroom: Warroom) -> None:
    """Add the pages to the API app (a small, additive call from api/app.py)."""
    app.state.web = WebState(
        accounts=AccountService(warroom.db, warroom.clock),
        sessions=SessionStore(warroom.db, warroom.clock),
        templates=Jinja2Templates(env=template_environment()),
        secure_cookies=warroom.settings.public_url.startswith("https://"),
    )
    app.mount(ASSETS_PATH, StaticFiles(directory=HERE / "static"), name="web-assets")
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(CsrfRefused, _refused)
    app.add_exception_handler(NotAllowed, _refused)
    for module in (
        auth,
        dashboard,
        declare,
        incidents,
        incident,
        incident_controls,
        postmortem,
        oncall,
        alerts,
        playbook,
        reports,
        status_admin,
        followups,
    ):
        app.include_router(module.router, include_in_schema=False, default_response_class=HTMLResponse)
