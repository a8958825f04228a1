"""Notices to responders about communication (an update is due, a clock was missed): not pages, no ack.

A notice goes to each person by their first quiet contact method (chat, push, e-mail or SMS, in the
person's own order; a reminder never rings a phone) and, when the incident has a chat room, into it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection

from warroom.chat.rooms import rooms_of
from warroom.incidents.views import incident_ref
from warroom.notify.outbox import enqueue
from warroom.playbook.schema import Method, Person, Playbook

QUIET_METHODS = (Method.CHAT, Method.PUSH, Method.EMAIL, Method.SMS)


def person_named(playbook: Playbook, who: str) -> Person | None:
    """Role holders are stored as typed (a key or a display name)."""
    for person in playbook.people:
        if who in (person.key, person.name) or who.lower() == person.name.lower():
            return person
    return None


def send_notice(
    tx: Connection,
    playbook: Playbook,
    routes: Mapping[str, str],
    *,
    people: Sequence[str],
    key: str,
    subject: str,
    text: str,
    incident_id: int,
    now: datetime,
) -> list[str]:
    """Queue the notice; returns who it reaches (people by key, and 'room:<name>')."""
    reached: list[str] = []
    for who in dict.fromkeys(people):
        person = person_named(playbook, who)
        if person is None:
            continue
        contact = next((c for c in person.contact_methods if c.method in QUIET_METHODS), None)
        if contact is None:
            continue
        enqueue(
            tx,
            key=f"{key}:{person.key}",
            channel=routes.get(contact.method.value, "console"),
            subject=subject,
            body={"kind": "post", "text": text, "incident": incident_ref(incident_id)},
            now=now,
            incident_id=incident_id,
            recipient=person.key,
            method=contact.method.value,
            address=contact.address,
        )
        reached.append(person.key)
    for provider, room_id, name in rooms_of(tx, incident_id):
        if provider == "slack":
            enqueue(
                tx,
                key=f"{key}:room:{room_id}",
                channel="slack",
                subject=subject,
                body={"kind": "post", "text": text, "incident": incident_ref(incident_id)},
                now=now,
                incident_id=incident_id,
                address=room_id,
            )
            reached.append(f"room:{name}")
    return reached
