"""The incident timeline: typed events (who, when, what, before and after), notes, pins and exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from warroom.incidents.views import TimelineEvent, incident_ref
from warroom.store.tables import timeline_events

_INSERT_EVENT = insert(timeline_events).returning(timeline_events.c.id)


def append_event(
    tx: Connection,
    incident_id: int,
    at: datetime,
    actor: str,
    kind: str,
    text: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    pinned: bool = False,
) -> int:
    result = tx.execute(
        _INSERT_EVENT,
        dict(
            incident_id=incident_id,
            at=at,
            actor=actor,
            kind=kind,
            text=text,
            before=before,
            after=after,
            pinned=pinned,
        ),
    )
    return int(result.scalar_one())


def read_events(connection: Connection, incident_id: int) -> list[TimelineEvent]:
    rows = connection.execute(
        select(timeline_events)
        .where(timeline_events.c.incident_id == incident_id)
        .order_by(timeline_events.c.at, timeline_events.c.id)
    )
    return [
        TimelineEvent(
            id=row.id,
            incident=incident_ref(row.incident_id),
            at=row.at,
            actor=row.actor,
            kind=row.kind,
            text=row.text,
            before=row.before,
            after=row.after,
            pinned=row.pinned,
        )
        for row in rows
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def to_markdown(title: str, events: list[TimelineEvent]) -> str:
    lines = [f"# Timeline: {_cell(title)}", "", "| Time (UTC) | Event | By | Pinned |", "|---|---|---|---|"]
    for event in events:
        when = event.at.strftime("%Y-%m-%d %H:%M:%S")
        pin = "yes" if event.pinned else ""
        lines.append(f"| {when} | {_cell(event.text)} | {_cell(event.actor)} | {pin} |")
    return "\n".join(lines) + "\n"


def to_csv(events: list[TimelineEvent]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "incident", "at", "actor", "kind", "text", "before", "after", "pinned"])
    for event in events:
        writer.writerow(
            [
                event.id,
                event.incident,
                event.at.isoformat(),
                _csv_safe(event.actor),
                event.kind,
                _csv_safe(event.text),
                json.dumps(event.before, sort_keys=True) if event.before is not None else "",
                json.dumps(event.after, sort_keys=True) if event.after is not None else "",
                "true" if event.pinned else "false",
            ]
        )
    return buffer.getvalue()


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
