"""The postmortem draft writes itself from the incident: the playbook's template (or Warroom's default) filled
with the incident and the postmortem's own names, then every standard section it lacks appended.

A draft is for people to complete, so a value the incident does not have yet prints as a placeholder comment
instead of failing (customer messages stay strict: comms.rendering). If the playbook's template cannot be
filled at all, the draft uses Warroom's default template and says so at the top.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from warroom.comms.context import MECHANICAL_KINDS, incident_context
from warroom.errors import NotFound
from warroom.incidents.records import stamps_of
from warroom.incidents.views import incident_ref
from warroom.playbook.schema import Playbook
from warroom.postmortems.action_item_rules import due_date
from warroom.postmortems.draft_sections import (
    ActionItemLine,
    TimelineEntry,
    action_item_list,
    complete_sections,
    five_whys,
    key_timestamps,
    placeholder,
    timeline_table,
)
from warroom.postmortems.draft_template import DEFAULT_TEMPLATE
from warroom.store.tables import action_items, incidents, timeline_events
from warroom.templating import RenderError, render_draft

# The postmortem's own events (created, edited, reminded...) are about the document, not the incident.
POSTMORTEM_EVENT = "postmortem"


def person_names(playbook: Playbook) -> dict[str, str]:
    return {person.key: person.name for person in playbook.people}


def write_draft(
    connection: Connection,
    playbook: Playbook,
    number: int,
    now: datetime,
    public_url: str,
    postmortem: dict[str, Any],
) -> str:
    """The draft Markdown of incident `number`. `postmortem`: owner, due_at, review_due_at, requirement (None
    values are left out, so a template naming them gets a placeholder)."""
    context = draft_context(connection, playbook, number, now, public_url, postmortem)
    template = playbook.postmortem.template if playbook.postmortem is not None else DEFAULT_TEMPLATE
    try:
        body = render_draft(template, context, placeholder)
    except RenderError as error:
        reason = str(error).replace("--", "- -")
        body = (
            f"<!-- The playbook's postmortem template could not be filled ({reason}); this draft uses Warroom's "
            "default template. -->\n\n" + render_draft(DEFAULT_TEMPLATE, context, placeholder)
        )
    incident = context["incident"]
    bodies = {
        "timeline": context["timeline_table"],
        "key_timestamps": context["key_timestamps"],
        "five_whys": context["five_whys"],
        "root_cause": incident.get("root_cause") or placeholder("incident.root_cause"),
        "went_well": placeholder("fields.what_went_well"),
        "went_wrong": placeholder("fields.what_went_wrong"),
        "action_items": context["action_items"],
        "lessons": placeholder("fields.lessons_learned"),
    }
    return complete_sections(body, bodies)


def draft_context(
    connection: Connection,
    playbook: Playbook,
    number: int,
    now: datetime,
    public_url: str,
    postmortem: dict[str, Any],
) -> dict[str, Any]:
    """What a postmortem template sees: the incident context plus the draft's own names."""
    row = connection.execute(select(incidents).where(incidents.c.id == number)).first()
    if row is None:
        raise NotFound(f"no incident {incident_ref(number)}")
    context = incident_context(connection, playbook, number, now, public_url)
    names = person_names(playbook)

    def person(key: str) -> str:
        return names.get(key, key)

    incident = context["incident"]
    owner = postmortem.get("owner")
    problem = incident["title"] + (f": {incident['impact']}" if incident.get("impact") else "")
    items = action_item_list(_action_items(connection, playbook, number))
    facts = {**postmortem, "owner": person(owner) if owner else None}
    return {
        **context,
        "postmortem": {key: value for key, value in facts.items() if value is not None},
        "timeline_table": timeline_table(_timeline(connection, number), person),
        "key_timestamps": key_timestamps(stamps_of(row)),
        "five_whys": five_whys(problem, incident.get("root_cause")),
        "action_items": items,
        "fields": {"action_items": items, **({"author": person(owner)} if owner else {})},
    }


def _timeline(connection: Connection, number: int) -> list[TimelineEntry]:
    rows = connection.execute(
        select(timeline_events)
        .where(timeline_events.c.incident_id == number)
        .order_by(timeline_events.c.at, timeline_events.c.id)
    )
    return [
        TimelineEntry(row.at, row.actor, row.kind, row.text, row.before, row.after)
        for row in rows
        if row.kind not in MECHANICAL_KINDS and row.kind != POSTMORTEM_EVENT
    ]


def _action_items(connection: Connection, playbook: Playbook, number: int) -> list[ActionItemLine]:
    zone = playbook.business_calendar.calendar().zone
    rows = connection.execute(
        select(action_items).where(action_items.c.incident_id == number).order_by(action_items.c.id)
    )
    return [
        ActionItemLine(
            title=row.title,
            owner=row.owner,
            priority=row.priority,
            due=due_date(row.due_at, zone) if row.due_at is not None else None,
            status=row.status,
            external_key=row.external_key,
            external_url=row.external_url,
        )
        for row in rows
    ]
