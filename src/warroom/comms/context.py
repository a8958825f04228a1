"""What a message template sees: the incident as people read it (docs/playbook-format.md, "Template context").

A value the incident does not have yet (no root cause written, not resolved, nobody in a role) is absent,
not None or "", so a template that prints it fails before sending instead of mailing a blank (SEMANTICS,
"Names and text"). Durations follow SEMANTICS "Clocks and anchors" and are computed, never typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.errors import NotFound
from warroom.incidents import lifecycle
from warroom.incidents.lifecycle import DetectionSource
from warroom.incidents.records import stamps_of
from warroom.incidents.views import incident_ref
from warroom.playbook.schema import FactSpec, FactType, Playbook
from warroom.store.tables import incident_participants, incident_roles, incidents, timeline_events

# Timeline kinds that are bookkeeping, not events of the incident: field edits ("Updated root_cause"),
# people joining, the plumbing of alert intake and delivery, update reminders and the pinned evidence
# checklist. Pages, acknowledgements, status changes, notes, messages sent and missed deadlines stay.
MECHANICAL_KINDS = frozenset(
    {
        "updated",
        "participant_added",
        "alerts_truncated",
        "delivery_failed",
        "escalation_skipped",
        "update_due",
        "evidence_checklist",
        "postmortem",  # the postmortem document's own events (created, edited, reminded), not the incident's
    }
)

DETECTION_WORDS = {
    DetectionSource.ALERT: "monitoring alert",
    DetectionSource.USER_REPORT: "user report",
    DetectionSource.MANUAL: "declared manually",
}


def playbook_context(playbook: Playbook, now: datetime) -> dict[str, Any]:
    """What every template sees, with or without an incident."""
    return {"now": _utc(now), "playbook": {"name": playbook.name}}


def handoff_context(playbook: Playbook, now: datetime) -> dict[str, Any]:
    """The on-call handoff: no incident; the presets' handoff templates take the rest from `fields`."""
    return playbook_context(playbook, now)


def incident_context(
    connection: Connection, playbook: Playbook, number: int, now: datetime, public_url: str
) -> dict[str, Any]:
    """`incident`, `now` and `playbook` for one incident. `playbook` is the one the incident runs under."""
    row = connection.execute(select(incidents).where(incidents.c.id == number)).first()
    if row is None:
        raise NotFound(f"no incident {incident_ref(number)}")
    now = _utc(now)
    people = {person.key: person.name for person in playbook.people}

    def person(name: str) -> str:
        return people.get(name, name)

    holders = {
        role: person(name)
        for role, name in connection.execute(
            select(incident_roles.c.role, incident_roles.c.person)
            .where(incident_roles.c.incident_id == number)
            .order_by(incident_roles.c.id)
        )
    }
    # Every preset lists the commander role first; the playbook, not the code, says which role leads.
    commander = holders.get(playbook.roles[0].key) if playbook.roles else None
    participants = [
        person(name)
        for name in connection.execute(
            select(incident_participants.c.name)
            .where(incident_participants.c.incident_id == number)
            .order_by(incident_participants.c.id)
        ).scalars()
    ]
    stamps = stamps_of(row)
    spans = lifecycle.durations(stamps)
    services = _services(playbook, row.services)
    incident = {
        "id": incident_ref(number),
        "number": number,
        "title": row.title,
        "summary": _text(row.summary),
        "url": f"{public_url.rstrip('/')}/incidents/{incident_ref(number)}",
        "severity": _severity(playbook, row.severity),
        "declared_severity_label": row.declared_severity_label,
        "status": row.status,
        "private": row.private,
        "impact": _text(row.impact_statement) or _impact_in_words(playbook, row.impact or {}),
        "impact_facts": dict(row.impact or {}),
        "started_at": stamps.started_at,
        "detected_at": stamps.detected_at,
        "triggered_at": stamps.triggered_at,
        "acknowledged_at": stamps.acknowledged_at,
        "acknowledged_by": person(row.acknowledged_by) if row.acknowledged_by else None,
        "mitigated_at": stamps.mitigated_at,
        "resolved_at": stamps.resolved_at,
        "closed_at": stamps.closed_at,
        "personal_data_breach_at": row.personal_data_breach_at,
        "comms_approved_at": row.comms_approved_at,
        # While open, the duration so far (SEMANTICS: duration = resolved - started).
        "duration": spans.duration if spans.duration is not None else max(now - stamps.started_at, timedelta(0)),
        "time_to_detect": spans.time_to_detect,
        "time_to_acknowledge": spans.time_to_acknowledge,
        "time_to_mitigate": spans.time_to_mitigate,
        "time_to_resolve": spans.time_to_resolve,
        "root_cause": _text(row.root_cause),
        "resolution": _text(row.resolution),
        "commander": commander,
        "roles": holders,
        "participants": participants,
        "services": [name for _, name in services] or None,
        "service_keys": [key for key, _ in services] or None,
        "affected_systems": _affected_systems(playbook, row.services) or None,
        "timeline": _timeline(connection, number, person),
        "links": [_present({"url": link.get("url"), "title": link.get("title")}) for link in row.links or []],
        "tags": list(row.tags or []),
        "detection_source": DETECTION_WORDS.get(DetectionSource(row.detection_source), row.detection_source),
        "detection_source_key": row.detection_source,
    }
    return {**playbook_context(playbook, now), "incident": _present(incident)}


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("the rendering instant must be timezone-aware")
    return value.astimezone(UTC)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Drop what is not there, so a template that prints it fails by name."""
    return {key: value for key, value in values.items() if value is not None}


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _severity(playbook: Playbook, key: str) -> dict[str, str]:
    try:
        severity = playbook.severity(key)
    except KeyError:  # a playbook other than the incident's own: show the key rather than fail
        return {"key": key, "label": key, "name": key}
    return {"key": severity.key, "label": severity.label, "name": severity.name}


def _services(playbook: Playbook, keys: list[str] | None) -> list[tuple[str, str]]:
    names = {service.key: service.name for service in playbook.services}
    return [(key, names.get(key, key)) for key in keys or []]


def _affected_systems(playbook: Playbook, keys: list[str] | None) -> list[str]:
    components = {component.key: component.name for component in playbook.components}
    systems: list[str] = []
    for key in keys or []:
        try:
            service = playbook.service(key)
        except KeyError:
            continue
        for component in service.components:
            name = components.get(component, component)
            if name not in systems:
                systems.append(name)
    return systems


def _impact_in_words(playbook: Playbook, facts: dict[str, Any]) -> str | None:
    """ "error rate 25%, all users affected": the stated facts in the catalog's order and words."""
    catalog = playbook.triage.fact_catalog()
    order = [key for key in catalog if key in facts] + [key for key in facts if key not in catalog]
    words = [_fact_in_words(catalog.get(key), key, facts[key]) for key in order]
    return ", ".join(word for word in words if word) or None


def _fact_in_words(spec: FactSpec | None, key: str, value: Any) -> str | None:
    label = spec.short if spec else key.replace("_", " ")
    if isinstance(value, bool) or (spec is not None and spec.type is FactType.BOOL):
        return label if value is True else None  # a fact that is false is no impact
    if isinstance(value, int | float):
        unit = spec.unit if spec else None
        number = f"{value:g}"
        if unit == "%" or (spec is not None and spec.type is FactType.PERCENT and unit is None):
            return f"{label} {number}%"
        return f"{label} {number} {unit}" if unit else f"{label} {number}"
    return f"{label} {value}"


def _timeline(connection: Connection, number: int, person: Callable[[str], str]) -> list[dict[str, Any]]:
    rows: list[Row[Any]] = list(
        connection.execute(
            select(timeline_events.c.at, timeline_events.c.actor, timeline_events.c.kind, timeline_events.c.text)
            .where(timeline_events.c.incident_id == number)
            .order_by(timeline_events.c.at, timeline_events.c.id)
        )
    )
    return [
        {"at": row.at, "actor": person(row.actor), "kind": row.kind, "text": row.text}
        for row in rows
        if row.kind not in MECHANICAL_KINDS
    ]
