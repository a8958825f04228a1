"""The FastAPI application: routers, error translation and limits. No decisions are made here."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from warroom import __version__
from warroom.alerts.adapters import events_v2 as events_v2_adapter
from warroom.api import problems
from warroom.api.limits import BodyLimit, PathLimit
from warroom.api.routers import (
    acknowledgements,
    action_items,
    alerts,
    audit,
    chat_commands,
    checklists,
    communication,
    escalations,
    events_v2,
    health,
    incidents,
    ingest,
    integrations,
    metrics,
    oncall,
    playbook,
    postmortems,
    reports,
    slack_actions,
    status_admin,
    status_public,
    twilio_hooks,
)
from warroom.errors import WarroomError
from warroom.runtime import Warroom
from warroom.store.database import StoreUnavailable
from warroom.web.app import install_web


def create_app(warroom: Warroom) -> FastAPI:
    app = FastAPI(
        title="Warroom",
        version=__version__,
        description="Incident response from a playbook: alerts in, incidents, timeline, roles, triage.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.warroom = warroom
    app.add_exception_handler(WarroomError, problems.on_domain_error)
    app.add_exception_handler(RequestValidationError, problems.on_validation_error)
    app.add_exception_handler(StarletteHTTPException, problems.on_http_error)
    app.add_exception_handler(StoreUnavailable, problems.on_store_unavailable)
    app.add_exception_handler(OperationalError, problems.on_store_unavailable)
    for module in (
        health,
        metrics,
        incidents,
        escalations,
        communication,
        oncall,
        playbook,
        audit,
        integrations,
        alerts,
        ingest,
        events_v2,
        acknowledgements,
        twilio_hooks,
        slack_actions,
        chat_commands,
        status_admin,
        status_public,
        reports,
        action_items,
        postmortems,
        checklists,
    ):
        app.include_router(module.router)
    install_web(app, warroom)  # the web UI's pages and assets (issue 8)
    # PagerDuty's limit, refused in PagerDuty's words (400 "invalid event": do not retry).
    enqueue_limit = PathLimit("/v2/enqueue", events_v2_adapter.MAX_BODY, events_v2.invalid_event)
    app.add_middleware(BodyLimit, max_bytes=warroom.settings.max_body_bytes, paths=[enqueue_limit])
    return app
