"""Who holds an incident's role now: the person assigned to it, else the role's default.

A default may be a person, a schedule (whoever is on call on it now, stored overrides included), a team or
another role: the same resolution the escalation engine uses for a role target, so "the Incident Lead defaults
to the primary on-call" means the same person for an update reminder, an approval and a page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from warroom.incidents.records import role_holder
from warroom.oncall.escalation_plan import PlannedTarget
from warroom.oncall.overrides import overrides_between
from warroom.oncall.targets import resolve_targets
from warroom.playbook.schema import Playbook


def holder_at(tx: Connection, playbook: Playbook, incident_id: int, role_key: str, now: datetime) -> str | None:
    assigned = role_holder(tx, incident_id, role_key)
    if assigned:
        return assigned
    try:
        default = playbook.role(role_key).default
    except KeyError:
        return None
    if default is None:
        return None
    target = PlannedTarget.of(default)
    # All schedules' overrides: a default may reach a schedule through a team or another role's default.
    overrides = overrides_between(tx, None, now, now + timedelta(seconds=1))
    resolution = resolve_targets(playbook, (target,), now, overrides, {})
    return resolution.people[0].person if resolution.people else None
