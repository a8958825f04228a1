"""The chat room of an incident: created by the war-room message, looked up by chat commands typed in it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from warroom.store.tables import incident_rooms


def record_room(tx: Connection, incident_id: int, provider: str, room_id: str, name: str, now: datetime) -> None:
    exists = tx.execute(
        select(incident_rooms.c.id).where(incident_rooms.c.provider == provider, incident_rooms.c.room_id == room_id)
    ).first()
    if exists is None:
        tx.execute(
            insert(incident_rooms).values(
                incident_id=incident_id, provider=provider, room_id=room_id, name=name[:80], created_at=now
            )
        )


def incident_for_room(connection: Connection, provider: str, room_id: str) -> int | None:
    return connection.execute(
        select(incident_rooms.c.incident_id).where(
            incident_rooms.c.provider == provider, incident_rooms.c.room_id == room_id
        )
    ).scalar()


def rooms_of(connection: Connection, incident_id: int) -> list[tuple[str, str, str]]:
    """(provider, room id, name) of an incident's rooms, oldest first."""
    rows = connection.execute(
        select(incident_rooms.c.provider, incident_rooms.c.room_id, incident_rooms.c.name)
        .where(incident_rooms.c.incident_id == incident_id)
        .order_by(incident_rooms.c.id)
    )
    return [(row.provider, row.room_id, row.name) for row in rows]
