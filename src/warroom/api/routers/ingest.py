"""Ingest doors: Alertmanager, Grafana, Sentry and generic JSON webhooks, and heartbeats.

The key in the URL is the integration's secret. A delivery is answered 2xx only once it is committed;
a store failure answers 503 so that senders retry (Alertmanager never retries a 4xx).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from warroom.alerts.adapters import alertmanager, generic, grafana, sentry
from warroom.alerts.events import AlertBatch, PayloadError, SignatureError, SourceConfig
from warroom.alerts.heartbeats import HeartbeatView
from warroom.alerts.intake import Outcome
from warroom.alerts.integrations import Integration, IntegrationKind, UnknownIntegration, ingest_path
from warroom.api.problems import problem
from warroom.errors import FieldProblem
from warroom.incidents.views import incident_ref
from warroom.runtime import Warroom

router = APIRouter(tags=["ingest"])

Parser = Callable[[bytes, Mapping[str, str], SourceConfig], AlertBatch]
PARSERS: dict[IntegrationKind, Parser] = {
    IntegrationKind.ALERTMANAGER: alertmanager.parse,
    IntegrationKind.GRAFANA: grafana.parse,
    IntegrationKind.SENTRY: sentry.parse,
    IntegrationKind.GENERIC: generic.parse,
}


async def find_integration(warroom: Warroom, secret_key: str) -> Integration:
    found = warroom.integrations.cached(secret_key)
    if found is None:
        found = await run_in_threadpool(warroom.integrations.by_secret_key, secret_key)
    return found


async def deliver(warroom: Warroom, integration: Integration, batch: AlertBatch) -> list[Outcome]:
    return await warroom.alerts.deliver(integration, batch)


def outcome_json(outcome: Outcome) -> dict[str, object]:
    return {
        "dedup_key": outcome.dedup_key,
        "result": outcome.result,
        "alert_id": outcome.alert_id,
        "incident": None if outcome.incident_id is None else incident_ref(outcome.incident_id),
    }


def unknown_key() -> JSONResponse:
    return problem(404, "Unknown integration", "no enabled integration has this key", [FieldProblem("key", "unknown")])


@router.post("/ingest/{key}/{kind}", status_code=202, summary="Receive a webhook from a monitoring source")
async def ingest(key: str, kind: str, request: Request) -> JSONResponse:
    warroom: Warroom = request.app.state.warroom
    try:
        wanted = IntegrationKind(kind)
        parser = PARSERS[wanted]
    except (ValueError, KeyError):
        formats = ", ".join(k.value for k in PARSERS)
        return problem(404, "Unknown format", f"no ingest format {kind!r}; use {formats}", [FieldProblem("kind", kind)])
    try:
        integration = await find_integration(warroom, key)
    except UnknownIntegration:
        return unknown_key()
    if integration.kind is not wanted:
        right = ingest_path(integration.kind, "{key}")
        detail = f"this key belongs to a {integration.kind.value} integration; post to {right}"
        return problem(404, "Wrong format for this integration", detail, [FieldProblem("kind", detail)])
    body = await request.body()
    try:
        batch = parser(body, request.headers, integration.source)
    except SignatureError as error:
        return problem(401, "Bad signature", str(error), [FieldProblem("signature", str(error))])
    except PayloadError as error:
        problems = [FieldProblem(*_split(item)) for item in error.errors]
        return problem(400, "Invalid payload", f"not a valid {wanted.value} webhook: {error}", problems)
    outcomes = await deliver(warroom, integration, batch)
    incidents = sorted({o["incident"] for o in map(outcome_json, outcomes) if o["incident"]}, key=str)
    return JSONResponse(
        {"status": "accepted", "alerts": [outcome_json(o) for o in outcomes], "incidents": incidents}, status_code=202
    )


@router.post("/api/v1/heartbeats/{key}", response_model=HeartbeatView, tags=["heartbeats"])
async def heartbeat(key: str, request: Request) -> HeartbeatView | JSONResponse:
    """A ping from a cron job or a service. Miss the interval and an alert is raised."""
    warroom: Warroom = request.app.state.warroom
    try:
        integration = await find_integration(warroom, key)
    except UnknownIntegration:
        return unknown_key()
    view: HeartbeatView = await run_in_threadpool(warroom.heartbeats.ping, integration)
    return view


def _split(item: str) -> tuple[str, str]:
    field, _, reason = item.partition(": ")
    return (field, reason) if reason else ("body", item)
