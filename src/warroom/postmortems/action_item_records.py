"""Reading action items: the joined row (incident title, the incident's postmortem), visibility, the view.

An item is as private as its incident. It points at its incident's postmortem when one existed at creation;
reads join the incident's postmortem anyway, so a postmortem written later shows on its items at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, Select, and_, exists, or_, select, true, update

from warroom.auth.actors import Actor
from warroom.errors import NotFound
from warroom.incidents.views import incident_ref
from warroom.postmortems.action_item_models import ActionItemView
from warroom.postmortems.action_item_rules import ItemStatus, Priority, allowed_moves, due_date, is_overdue
from warroom.store.tables import action_items, incident_participants, incidents, postmortems


def item_query() -> Select[Any]:
    return (
        select(
            action_items,
            incidents.c.title.label("incident_title"),
            postmortems.c.id.label("incident_postmortem_id"),
            postmortems.c.owner.label("postmortem_owner"),
        )
        .join(incidents, incidents.c.id == action_items.c.incident_id)
        .outerjoin(postmortems, postmortems.c.incident_id == action_items.c.incident_id)
    )


def visible_to(actor: Actor) -> Any:
    """The incident's own rule (IncidentService): admins see all; private incidents only their participants."""
    if actor.is_admin:
        return true()
    participant = exists().where(
        and_(incident_participants.c.incident_id == incidents.c.id, incident_participants.c.name == actor.name)
    )
    return or_(incidents.c.private.is_(False), participant)


def item_row(connection: Connection, item_id: int, actor: Actor | None = None, *, lock: bool = False) -> Row[Any]:
    """The item (as `actor` may see it). `lock` holds the row for the transaction on PostgreSQL."""
    query = item_query().where(action_items.c.id == item_id)
    if actor is not None:
        query = query.where(visible_to(actor))
    if lock:
        query = query.with_for_update(of=action_items)
    row = connection.execute(query).first()
    if row is None:
        # An item of a private incident answers exactly like a missing one.
        raise NotFound(f"no action item {item_id}")
    return row


def postmortem_id_of(connection: Connection, incident_id: int) -> int | None:
    found = connection.execute(select(postmortems.c.id).where(postmortems.c.incident_id == incident_id)).scalar()
    return None if found is None else int(found)


def link_action_items(tx: Connection, incident_id: int, postmortem_id: int) -> int:
    """Point the incident's unlinked items at its postmortem; for the postmortem use case, in its transaction."""
    result = tx.execute(
        update(action_items)
        .where(action_items.c.incident_id == incident_id, action_items.c.postmortem_id.is_(None))
        .values(postmortem_id=postmortem_id)
    )
    return int(result.rowcount)


def view_of(row: Row[Any], now: datetime, zone: ZoneInfo) -> ActionItemView:
    status = ItemStatus(row.status)
    return ActionItemView(
        id=row.id,
        incident=incident_ref(row.incident_id),
        incident_title=row.incident_title,
        postmortem_id=row.postmortem_id if row.postmortem_id is not None else row.incident_postmortem_id,
        title=row.title,
        description=row.description,
        owner=row.owner,
        priority=Priority(row.priority),
        due_at=row.due_at,
        due_date=due_date(row.due_at, zone) if row.due_at else None,
        status=status,
        overdue=is_overdue(status, row.due_at, now),
        allowed_statuses=list(allowed_moves(status)),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        external_key=row.external_key,
        external_url=row.external_url,
    )


def tracker_of_key(external_key: str) -> str:
    """Which tracker a stored key came from: GitHub keys are owner/repo#N, Jira keys PROJ-N."""
    return "github" if "#" in external_key else "jira"
