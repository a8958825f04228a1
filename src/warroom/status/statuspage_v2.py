"""Atlassian Statuspage's public v2 JSON, field for field, so tools that read a Statuspage read ours.

Timestamps are UTC with milliseconds ("2026-12-01T10:00:00.000Z"). Everything here is built from a PublicPage:
public wording only, never the internal incident behind it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from warroom.status.records import ComponentRecord, PublicIncidentRecord, PublicPage, UpdateRecord
from warroom.status.vocabulary import Kind

Json = dict[str, Any]


def stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def shortlink(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/status/incidents/{code}"


def page_json(page: PublicPage) -> Json:
    identity = page.identity
    return {
        "id": identity.id,
        "name": identity.name,
        "url": identity.url,
        "time_zone": identity.time_zone,
        "updated_at": stamp(page.updated_at),
    }


def component_json(page: PublicPage, component: ComponentRecord) -> Json:
    group = page.group_of(component)
    body: Json = {
        "id": component.code,
        "name": component.name,
        "status": page.shown_status(component).value,
        "created_at": stamp(component.created_at),
        "updated_at": stamp(component.updated_at),
        "position": component.position,
        "description": component.description,
        "showcase": component.showcase,
        "start_date": None,
        "group_id": group.code if group else None,
        "page_id": page.identity.id,
        "group": component.is_group,
        "only_show_if_degraded": component.only_show_if_degraded,
    }
    if component.is_group:
        body["components"] = [member.code for member in page.members(component)]
    return body


def update_json(incident: PublicIncidentRecord, update: UpdateRecord) -> Json:
    return {
        "id": update.code,
        "status": update.status,
        "body": update.body,
        "incident_id": incident.code,
        "created_at": stamp(update.created_at),
        "updated_at": stamp(update.created_at),
        "display_at": stamp(update.display_at),
        "affected_components": [dict(item) for item in update.affected_components] or None,
        "deliver_notifications": update.deliver_notifications,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_json(page: PublicPage, incident: PublicIncidentRecord) -> Json:
    components = [page.component(code) for code in incident.component_codes]
    body: Json = {
        "id": incident.code,
        "name": incident.name,
        "status": incident.status,
        "created_at": stamp(incident.created_at),
        "updated_at": stamp(incident.updated_at),
        "monitoring_at": stamp(incident.monitoring_at),
        "resolved_at": stamp(incident.resolved_at),
        "impact": incident.impact.value,
        "shortlink": shortlink(page.identity.public_url, incident.code),
        "started_at": stamp(incident.started_at),
        "page_id": page.identity.id,
        "incident_updates": [update_json(incident, update) for update in incident.updates],
        "components": [component_json(page, c) for c in components if c is not None],
    }
    if incident.kind is Kind.MAINTENANCE:
        body["scheduled_for"] = stamp(incident.scheduled_for)
        body["scheduled_until"] = stamp(incident.scheduled_until)
    return body


def status_json(page: PublicPage) -> Json:
    status = page.status()
    return {"page": page_json(page), "status": {"indicator": status.indicator.value, "description": status.description}}


def components_json(page: PublicPage) -> Json:
    return {"page": page_json(page), "components": [component_json(page, c) for c in page.components]}


def incidents_json(page: PublicPage) -> Json:
    return {"page": page_json(page), "incidents": [incident_json(page, i) for i in page.recent_incidents()]}


def unresolved_json(page: PublicPage) -> Json:
    return {"page": page_json(page), "incidents": [incident_json(page, i) for i in page.unresolved()]}


def maintenances_json(page: PublicPage) -> Json:
    return {
        "page": page_json(page),
        "scheduled_maintenances": [incident_json(page, m) for m in page.recent_maintenances()],
    }


def upcoming_json(page: PublicPage) -> Json:
    return {"page": page_json(page), "scheduled_maintenances": [incident_json(page, m) for m in page.upcoming()]}


def active_json(page: PublicPage) -> Json:
    return {"page": page_json(page), "scheduled_maintenances": [incident_json(page, m) for m in page.active()]}


def summary_json(page: PublicPage) -> Json:
    status = page.status()
    return {
        "page": page_json(page),
        "components": [component_json(page, c) for c in page.components],
        "incidents": [incident_json(page, i) for i in page.unresolved()],
        "scheduled_maintenances": [incident_json(page, m) for m in [*page.active(), *page.upcoming()]],
        "status": {"indicator": status.indicator.value, "description": status.description},
    }


ENDPOINTS = {
    "status.json": status_json,
    "summary.json": summary_json,
    "components.json": components_json,
    "incidents.json": incidents_json,
    "incidents/unresolved.json": unresolved_json,
    "scheduled-maintenances.json": maintenances_json,
    "scheduled-maintenances/upcoming.json": upcoming_json,
    "scheduled-maintenances/active.json": active_json,
}
