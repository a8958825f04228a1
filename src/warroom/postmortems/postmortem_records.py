"""Postmortem rows as read models, and the lookups the use cases share (who owns it by default, who may see it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, exists, or_, select, true, update

from warroom.auth.actors import Actor
from warroom.engine.timers import pending
from warroom.errors import Conflict
from warroom.incidents.records import role_holder
from warroom.incidents.views import incident_ref
from warroom.playbook.schema import Playbook, TemplateKind
from warroom.postmortems.draft_sections import placeholders_in
from warroom.postmortems.policy import is_overdue
from warroom.postmortems.postmortem_models import PostmortemSummary, PostmortemView, ReportTemplate
from warroom.postmortems.states import PostmortemState, allowed_actions
from warroom.store.tables import incident_participants, incidents, postmortems

REMINDER_TIMER = "postmortem_reminder"
REPORT_KINDS = (TemplateKind.CUSTOMER_REPORT, TemplateKind.LEADERSHIP_SUMMARY)


def postmortem_row(connection: Connection, number: int) -> Row[Any] | None:
    return connection.execute(select(postmortems).where(postmortems.c.incident_id == number)).first()


def update_postmortem(tx: Connection, row: Row[Any], actor: Actor, now: datetime, **values: Any) -> None:
    """Write, only if nobody changed it meanwhile (same state and revision); updated_at never moves backwards."""
    result = tx.execute(
        update(postmortems)
        .where(postmortems.c.id == row.id, postmortems.c.revision == row.revision, postmortems.c.state == row.state)
        .values(**values, updated_at=max(now, row.updated_at), updated_by=actor.name)
    )
    if result.rowcount != 1:
        raise Conflict(f"the postmortem of {incident_ref(row.incident_id)} changed meanwhile; retry")


def visible_to(actor: Actor) -> Any:
    """The incidents an actor may see: the incident service's rule (private ones to participants and admins)."""
    if actor.is_admin:
        return true()
    participant = exists().where(
        and_(incident_participants.c.incident_id == incidents.c.id, incident_participants.c.name == actor.name)
    )
    return or_(incidents.c.private.is_(False), participant)


def default_owner(connection: Connection, playbook: Playbook, number: int) -> str | None:
    """The incident commander (the playbook's first role): its holder, else the role's default person."""
    if not playbook.roles:
        return None
    lead = playbook.roles[0]
    holder = role_holder(connection, number, lead.key)
    if holder:
        return holder
    return lead.default.person if lead.default is not None else None


def report_templates(playbook: Playbook) -> list[ReportTemplate]:
    return [
        ReportTemplate(key=t.key, name=t.name, kind=t.kind.value, channel=t.channel)
        for t in playbook.templates
        if t.kind in REPORT_KINDS
    ]


def summary_of(row: Row[Any], incident: Row[Any], playbook: Playbook, now: datetime) -> PostmortemSummary:
    state = PostmortemState(row.state)
    try:
        label = playbook.severity(incident.severity).label
    except KeyError:
        label = incident.severity
    return PostmortemSummary(
        id=row.id,
        incident=incident_ref(row.incident_id),
        incident_title=incident.title,
        severity=incident.severity,
        severity_label=label,
        requirement=row.requirement,
        state=state,
        owner=row.owner,
        due_at=row.due_at,
        review_due_at=row.review_due_at,
        overdue=is_overdue(row.requirement, state, row.due_at, now),
        revision=row.revision,
        updated_at=row.updated_at,
        published_at=row.published_at,
    )


def view_of(
    connection: Connection, row: Row[Any], incident: Row[Any], playbook: Playbook, now: datetime
) -> PostmortemView:
    summary = summary_of(row, incident, playbook, now)
    timer = pending(connection, REMINDER_TIMER, str(row.incident_id))
    try:
        note = playbook.severity(incident.severity).postmortem.note
    except KeyError:
        note = None
    return PostmortemView(
        **summary.model_dump(),
        markdown=row.markdown,
        skip_reason=row.skip_reason,
        created_at=row.created_at,
        updated_by=row.updated_by,
        submitted_at=row.submitted_at,
        placeholders=placeholders_in(row.markdown),
        allowed_actions=allowed_actions(summary.state, row.requirement),
        next_reminder_at=timer.due_at if timer is not None else None,
        policy_note=note,
        reports=report_templates(playbook),
    )
