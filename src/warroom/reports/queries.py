"""The reports' SQL: only the columns a report needs, filtered by window in SQL, instants as epoch seconds.

Incidents are selected by trigger time on `ix_incidents_triggered_at`; postmortems ride on that selection;
action items by their creation time and pages by their page time. Timestamps come back as whole epoch
seconds computed by the database, so 100,000 rows cost no Python datetime parsing. A reader who is not an
admin sees what the incident list shows them: public incidents and the private ones they took part in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    Text,
    and_,
    case,
    cast,
    distinct,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from warroom.auth.actors import Actor
from warroom.reports.followups import DAY, ActionItemRecord, PersonLoad, PostmortemRecord
from warroom.reports.metrics import IncidentRecord
from warroom.reports.periods import ReportWindow
from warroom.store.tables import action_items, incident_participants, incident_roles, incidents, pages, postmortems

_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38, 0)  # faster than strftime('%s'), same whole seconds


def epoch(column: Any, sqlite: bool) -> ColumnElement[int]:
    """Whole seconds since 1970 UTC (SQLite stores UTC text; PostgreSQL timestamptz)."""
    if sqlite:
        if _UNIXEPOCH:
            return cast(func.unixepoch(column), Integer)
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(extract("epoch", column)), BigInteger)


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The incident list's rule (IncidentService._visibility): admins see all."""
    if actor.is_admin:
        return true()
    took_part = exists().where(
        and_(incident_participants.c.incident_id == incidents.c.id, incident_participants.c.name == actor.name)
    )
    return or_(incidents.c.private.is_(False), took_part)


def _in_window(window: ReportWindow) -> tuple[ColumnElement[bool], ...]:
    return (incidents.c.triggered_at >= window.since, incidents.c.triggered_at < window.until)


@dataclass
class IncidentSet:
    records: list[IncidentRecord] = field(default_factory=list)
    duplicates: int = 0
    versions: dict[str, int] = field(default_factory=dict)  # severity key -> a playbook version that has it


def incident_set(connection: Connection, window: ReportWindow, actor: Actor, sqlite: bool) -> IncidentSet:
    query = select(
        incidents.c.id,
        incidents.c.severity,
        cast(incidents.c.services, Text),  # parsed once per distinct list below, not once per row
        incidents.c.detection_source,
        incidents.c.duplicate_of,
        incidents.c.playbook_version_id,
        epoch(incidents.c.started_at, sqlite),
        epoch(incidents.c.detected_at, sqlite),
        epoch(incidents.c.triggered_at, sqlite),
        epoch(incidents.c.acknowledged_at, sqlite),
        epoch(incidents.c.mitigated_at, sqlite),
        epoch(incidents.c.resolved_at, sqlite),
    ).where(*_in_window(window), visible_to(actor))
    rows = connection.execute(query).all()
    # Comprehensions, and each distinct services list parsed once: this runs over 100,000 rows.
    service_lists = {text: tuple(json.loads(text or "[]") or ()) for text in {row[2] for row in rows}}
    records = [
        IncidentRecord(number, severity, service_lists[services], source, *stamps)
        for number, severity, services, source, duplicate_of, _, *stamps in rows
        if duplicate_of is None  # a duplicate is the same incident counted twice
    ]
    versions = {row[1]: row[5] for row in rows}
    return IncidentSet(records, len(rows) - len(records), versions)


def postmortem_records(
    connection: Connection, window: ReportWindow, actor: Actor, sqlite: bool
) -> list[PostmortemRecord]:
    """The postmortems of the window's incidents (duplicates excluded)."""
    query = (
        select(
            postmortems.c.requirement,
            postmortems.c.state,
            epoch(postmortems.c.due_at, sqlite),
            epoch(postmortems.c.published_at, sqlite),
        )
        .join(incidents, incidents.c.id == postmortems.c.incident_id)
        .where(*_in_window(window), incidents.c.duplicate_of.is_(None), visible_to(actor))
    )
    return [PostmortemRecord(*row) for row in connection.execute(query).all()]


def action_item_records(
    connection: Connection, window: ReportWindow, actor: Actor, sqlite: bool
) -> list[ActionItemRecord]:
    """Action items created in the window."""
    query = select(action_items.c.status, epoch(action_items.c.due_at, sqlite)).where(
        action_items.c.created_at >= window.since, action_items.c.created_at < window.until
    )
    if not actor.is_admin:
        query = query.join(incidents, incidents.c.id == action_items.c.incident_id).where(visible_to(actor))
    return [ActionItemRecord(*row) for row in connection.execute(query).all()]


def _offset_at(paged_at: Any, spans: list[tuple[int, int]]) -> ColumnElement[int]:
    """The UTC offset of one zone at each page: a CASE over the spans where it is constant."""
    if len(spans) == 1:
        return literal(spans[0][1], Integer)
    whens = [(paged_at < datetime.fromtimestamp(start, UTC), offset) for (_, offset), (start, _) in pairwise(spans)]
    return case(*whens, else_=literal(spans[-1][1], Integer))


def on_call_load(
    connection: Connection,
    window: ReportWindow,
    actor: Actor,
    sqlite: bool,
    zones: dict[str, list[tuple[int, int]]],
    people_zones: dict[str, str],
    default_spans: list[tuple[int, int]],
    night: tuple[int, int],
) -> list[PersonLoad]:
    """Per person paged in the window: pages, distinct incidents and night pages, in one GROUP BY.

    `zones` maps a zone name to its offset spans (followups.offset_spans), `people_zones` a person to a zone name;
    others use `default_spans`. `night` is (start, length) in seconds (followups.night_shift)."""
    paged_at = pages.c.paged_at
    by_zone: dict[str, list[str]] = {}
    for person, zone in people_zones.items():
        by_zone.setdefault(zone, []).append(person)
    offset: ColumnElement[int] = _offset_at(paged_at, default_spans)
    if by_zone:
        branches = [(pages.c.person.in_(people), _offset_at(paged_at, zones[zone])) for zone, people in by_zone.items()]
        offset = case(*branches, else_=offset)
    start, length = night
    is_night = (epoch(paged_at, sqlite) + offset - start) % DAY < length
    query = (
        select(
            pages.c.person,
            func.count(),
            func.count(distinct(pages.c.incident_id)),
            func.sum(case((is_night, 1), else_=0)),
        )
        .where(paged_at >= window.since, paged_at < window.until)
        .group_by(pages.c.person)
    )
    if not actor.is_admin:
        query = query.join(incidents, incidents.c.id == pages.c.incident_id).where(visible_to(actor))
    loads = [PersonLoad(person, count, distinct_incidents, int(nights or 0))
             for person, count, distinct_incidents, nights in connection.execute(query).all()]  # fmt: skip
    return sorted(loads, key=lambda load: (-load.pages, load.person))


@dataclass(frozen=True, slots=True)
class LogRow:
    number: int
    title: str
    severity: str
    status: str
    playbook_version_id: int
    started: int
    resolved: int | None
    rca_owner: str | None  # the postmortem's owner, else the commander
    commander: str | None


def incident_log_rows(
    connection: Connection, window: ReportWindow, actor: Actor, sqlite: bool, commander_role: str | None
) -> Iterator[LogRow]:
    """The window's incidents by start, with the postmortem owner and the commander (the first role)."""
    commander = incident_roles.alias("commander")
    on_commander = and_(commander.c.incident_id == incidents.c.id, commander.c.role == (commander_role or ""))
    query = (
        select(
            incidents.c.id,
            incidents.c.title,
            incidents.c.severity,
            incidents.c.status,
            incidents.c.playbook_version_id,
            epoch(incidents.c.started_at, sqlite),
            epoch(incidents.c.resolved_at, sqlite),
            postmortems.c.owner,
            commander.c.person,
        )
        .select_from(incidents)
        .outerjoin(postmortems, postmortems.c.incident_id == incidents.c.id)
        .outerjoin(commander, on_commander)
        .where(*_in_window(window), incidents.c.duplicate_of.is_(None), visible_to(actor))
        .order_by(incidents.c.started_at, incidents.c.id)
    )
    for number, title, severity, status, version, started, resolved, owner, ic in connection.execute(query):
        yield LogRow(number, title, severity, status, version, started, resolved, owner or ic, ic)
