"""The public status page, no authentication: Statuspage's v2 JSON, the HTML page, the Atom feed, subscribing.

Everything here renders public wording only (status_incidents rows); nothing of an internal incident.
Subscription links work like acknowledgement links: a GET only shows a button (mail scanners follow links),
the POST acts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from warroom.api.problems import problem
from warroom.errors import Conflict, FieldProblem, InvalidInput, NotFound, WarroomError
from warroom.runtime import Warroom
from warroom.status import statuspage_v2
from warroom.status.commands import Subscribe
from warroom.status.feed import MEDIA_TYPE, atom_feed
from warroom.status.pages import render_incident, render_message, render_status
from warroom.status.records import PublicPage
from warroom.status.views import Subscription

router = APIRouter(tags=["status page"])

# Statuspage's public API is read by browsers' widgets on other sites: open CORS, short caching.
_PUBLIC = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=10"}
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
_STATUS = {InvalidInput: 400, NotFound: 404, Conflict: 409}


def _warroom(request: Request) -> Warroom:
    app_runtime: Warroom = request.app.state.warroom
    return app_runtime


def _endpoint(build: Callable[[PublicPage], dict[str, Any]]) -> Callable[[Request], JSONResponse]:
    def serve(request: Request) -> JSONResponse:
        return JSONResponse(build(_warroom(request).status_page.public_page()), headers=_PUBLIC)

    return serve


for _name, _build in statuspage_v2.ENDPOINTS.items():
    router.add_api_route(
        f"/api/v2/{_name}",
        _endpoint(_build),
        methods=["GET"],
        summary=f"Statuspage v2: {_name}",
        response_class=JSONResponse,
    )


@router.get("/status", response_class=HTMLResponse, summary="The status page")
def status_page(request: Request) -> HTMLResponse:
    warroom = _warroom(request)
    page = warroom.status_page.public_page()
    html = render_status(page, subscribe=warroom.status_page.subscriptions.email_enabled)
    return HTMLResponse(html, headers=_PUBLIC)


@router.get("/status/history.atom", summary="The incident history as an Atom feed")
def history_feed(request: Request) -> Response:
    return Response(atom_feed(_warroom(request).status_page.public_page()), media_type=MEDIA_TYPE, headers=_PUBLIC)


@router.get("/status/incidents/{code}", response_class=HTMLResponse, summary="One public incident (its shortlink)")
def incident_page(code: str, request: Request) -> HTMLResponse:
    warroom = _warroom(request)
    try:
        page, record = warroom.status_page.public_incident(code)
    except NotFound as error:
        name = warroom.status_page.identity().name
        return HTMLResponse(render_message("Not found", error.detail, page_name=name), status_code=404)
    return HTMLResponse(render_incident(page, record), headers=_PUBLIC)


@router.post("/status/subscribe", summary="Subscribe by e-mail, or a webhook confirmed by its owner's e-mail")
async def subscribe(request: Request) -> Response:
    warroom = _warroom(request)
    raw = await request.body()
    form = "application/x-www-form-urlencoded" in request.headers.get("content-type", "")
    try:
        command = _subscribe_command(raw, form)
        message = await run_in_threadpool(warroom.status_page.subscriptions.subscribe, command)
    except WarroomError as error:
        return _refusal(request, error, form)
    if form:
        name = warroom.status_page.identity().name
        return HTMLResponse(render_message("Almost done", message, page_name=name), status_code=202, headers=_PRIVATE)
    return JSONResponse({"message": message}, status_code=202, headers=_PRIVATE)


@router.get("/status/subscriptions/{token}/confirm", response_class=HTMLResponse, summary="Show a confirm button")
def show_confirm(token: str, request: Request) -> Response:
    return _show(request, token, "confirm", "Confirm your subscription", "Confirm")


@router.post("/status/subscriptions/{token}/confirm", summary="Confirm a subscription")
def confirm(token: str, request: Request) -> Response:
    return _act(request, token, "confirm", "Subscription confirmed", "You will receive status updates.")


@router.get(
    "/status/subscriptions/{token}/unsubscribe", response_class=HTMLResponse, summary="Show an unsubscribe button"
)
def show_unsubscribe(token: str, request: Request) -> Response:
    return _show(request, token, "unsubscribe", "Unsubscribe", "Unsubscribe")


@router.post("/status/subscriptions/{token}/unsubscribe", summary="Unsubscribe (also RFC 8058 one-click)")
def unsubscribe(token: str, request: Request) -> Response:
    return _act(request, token, "unsubscribe", "Unsubscribed", "You will receive no more status updates.")


def _subscribe_command(raw: bytes, form: bool) -> Subscribe:
    try:
        if form:
            fields = parse_qs(raw.decode("utf-8", errors="replace"), max_num_fields=50)
            data: dict[str, Any] = {name: values[0] for name, values in fields.items() if name in ("email", "webhook")}
            if "components" in fields:
                data["components"] = fields["components"]
            return Subscribe.model_validate(data)
        return Subscribe.model_validate_json(raw or b"{}")
    except ValidationError as error:
        problems = [
            FieldProblem(".".join(str(part) for part in item["loc"]) or "body", str(item["msg"]))
            for item in error.errors()
        ]
        raise InvalidInput("; ".join(f"{p.field}: {p.reason}" for p in problems), problems) from None


def _show(request: Request, token: str, action: str, title: str, button: str) -> Response:
    warroom = _warroom(request)
    try:
        subscription = warroom.status_page.subscriptions.lookup(token)
    except NotFound as error:
        return _refusal(request, error, not _wants_json(request))
    if _wants_json(request):
        return JSONResponse({**subscription.model_dump(), "method": "POST"}, headers=_PRIVATE)
    question = f"{title} for {_describe(subscription)}?"
    page_name = warroom.status_page.identity().name
    html = render_message(title, question, page_name=page_name, actions=[(str(request.url.path), button)])
    return HTMLResponse(html, headers=_PRIVATE)


def _act(request: Request, token: str, action: str, title: str, message: str) -> Response:
    warroom = _warroom(request)
    subscriptions = warroom.status_page.subscriptions
    try:
        done = subscriptions.confirm(token) if action == "confirm" else subscriptions.unsubscribe(token)
    except (NotFound, Conflict) as error:
        return _refusal(request, error, not _wants_json(request))
    if _wants_json(request):
        return JSONResponse(done.model_dump(), headers=_PRIVATE)
    text = f"{message} ({_describe(done)})"
    return HTMLResponse(render_message(title, text, page_name=warroom.status_page.identity().name), headers=_PRIVATE)


def _describe(subscription: Subscription) -> str:
    return f"{'the webhook' if subscription.kind == 'webhook' else 'the address'} {subscription.address}"


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "json" in accept and "text/html" not in accept


def _refusal(request: Request, error: WarroomError, html: bool) -> Response:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    if isinstance(error, InvalidInput):
        status = 422
    if html:
        name = _warroom(request).status_page.identity().name
        return HTMLResponse(render_message(error.title, error.detail, page_name=name), status_code=status)
    answer = problem(status, error.title, error.detail, error.problems)
    answer.headers.update(_PRIVATE)
    return answer
