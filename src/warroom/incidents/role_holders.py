"""Who holds an incident's role now: the person assigned to it, else the role's default.

A default may be a person, a schedule (whoever is on call on it now, stored overrides included), a team or
another role: the same resolution the escalation engine uses for a role target, so "the Incident Lead defaults
to the primary on-call" means the same person for an update reminder, an approval and a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from warroom.oncall.escalation_plan import PlannedTarget
from warroom.oncall.overrides import overrides_between
from warroom.oncall.schedules import Override
from warroom.oncall.targets import resolve_targets
from warroom.playbook.schema import Playbook
from warroom.store.tables import incident_roles


def holder_at(tx: Connection, playbook: Playbook, incident_id: int, role_key: str, now: datetime) -> str | None:
    return holders_at(tx, playbook, incident_id, [role_key], now)[role_key]


def holders_at(
    tx: Connection, playbook: Playbook, incident_id: int, role_keys: Sequence[str], now: datetime
) -> dict[str, str | None]:
    """Several roles at once: one look-up of the incident's assignments, one of the overrides in force."""
    assigned = {
        row.role: row.person
        for row in tx.execute(select(incident_roles).where(incident_roles.c.incident_id == incident_id))
    }
    overrides: dict[str, list[Override]] | None = None
    found: dict[str, str | None] = {}
    for key in role_keys:
        if assigned.get(key):
            found[key] = assigned[key]
            continue
        try:
            default = playbook.role(key).default
        except KeyError:
            default = None
        if default is None:
            found[key] = None
            continue
        if default.person is not None:  # no schedule to look at
            found[key] = default.person
            continue
        if overrides is None:
            # All schedules' overrides: a default may reach a schedule through a team or another role's default.
            overrides = overrides_between(tx, None, now, now + timedelta(seconds=1))
        resolution = resolve_targets(playbook, (PlannedTarget.of(default),), now, overrides, {})
        found[key] = resolution.people[0].person if resolution.people else None
    return found
