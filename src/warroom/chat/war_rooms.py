"""The war room: an incident whose severity requires one gets its own Slack channel when it opens.

The name follows the playbook's rule (`war_room.channel_name`), rendered in UTC with the severity label of
the declaration and slugged to Slack's rules (lowercase, at most 80 characters; the channel adds -2, -3
on a collision). Creation is an outbox message like any other: it is retried, it is on the ledger, and the
sender records the room when Slack answers, so commands typed there act on the incident.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import Connection, select

from warroom.auth.actors import Actor
from warroom.incidents.lifecycle import Status
from warroom.incidents.views import incident_ref
from warroom.notify.outbox import enqueue
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.playbook.schema.severity import WarRoom
from warroom.store.tables import incident_roles, incidents, pages
from warroom.templating import RenderError, render, slug

log = structlog.get_logger(__name__)

MAX_NAME = 80


def room_name(playbook: Playbook, incident: dict[str, object]) -> str:
    """The channel name for an incident; a rule that cannot be filled falls back to incident-<number>."""
    fallback = f"incident-{incident['number']}"
    if playbook.war_room is None:
        return fallback
    try:
        rendered = render(playbook.war_room.channel_name, {"incident": incident})
    except RenderError as error:
        log.warning("war_room_name_unfilled", error=str(error))
        return fallback
    name = slug(rendered)[:MAX_NAME].strip("-")
    return name or fallback


class WarRooms:
    """An incident hook; only the opening does anything."""

    def __init__(self, playbooks: PlaybookRegistry, enabled: bool) -> None:
        self.playbooks = playbooks
        self.enabled = enabled

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        if not self.enabled:
            return
        row = tx.execute(select(incidents).where(incidents.c.id == number)).one()
        playbook = self.playbooks.get(row.playbook_version_id, tx)
        severity = playbook.severity(row.severity)
        if severity.war_room is not WarRoom.REQUIRED:
            return
        context = {
            "number": number,
            "ref": incident_ref(number),
            "title": row.title,
            "severity": {"key": severity.key, "label": severity.label, "name": severity.name},
            "started_at": row.started_at or row.triggered_at,
            "triggered_at": row.triggered_at,
        }
        name = room_name(playbook, context)
        text = f"{incident_ref(number)} [{severity.label}] {row.title}: war room for this incident."
        if playbook.war_room is not None and playbook.war_room.bridge:
            text += f" Bridge: {playbook.war_room.bridge}"
        enqueue(
            tx,
            key=f"war-room:{number}",
            channel="slack",
            subject=f"War room for {incident_ref(number)}",
            body={
                "kind": "war_room",
                "name": name,
                "text": text,
                "incident": incident_ref(number),
                "invite": _slack_ids(tx, playbook, number),
            },
            now=now,
            incident_id=number,
        )

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        return None

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        return None

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        return None

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        return None


def _slack_ids(tx: Connection, playbook: Playbook, number: int) -> list[str]:
    """Who is invited: the holders of the playbook's invited roles and everyone paged so far, by their
    Slack user id (a `chat` contact method)."""
    wanted = set(playbook.war_room.invite) if playbook.war_room else set()
    people = {
        r.person
        for r in tx.execute(select(incident_roles).where(incident_roles.c.incident_id == number))
        if r.role in wanted
    }
    people |= set(tx.execute(select(pages.c.person).where(pages.c.incident_id == number)).scalars())
    ids = []
    for person in playbook.people:
        if person.key in people:
            ids += [c.address for c in person.contact_methods if c.method.value == "chat"]
    return sorted(set(ids))
