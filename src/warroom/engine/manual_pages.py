"""Paging by hand: what a typed target names, and how the person is reached."""

from __future__ import annotations

import re

from warroom.errors import InvalidInput
from warroom.notify.notification_rules import NOBODY_PAGED
from warroom.oncall.escalation_plan import PlannedTarget
from warroom.playbook.schema import Person, Playbook, Severity


def _code(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def manual_target(playbook: Playbook, typed: str) -> tuple[PlannedTarget, str]:
    """What a manual page names and what it is called: a role (key, short name or name), else a team, a
    schedule, a person (key or name). Case, spaces, '-' and '_' do not matter ("incident-commander")."""
    wanted = _code(typed)
    candidates: list[tuple[str, str, tuple[str | None, ...], str]] = [
        *(("role", r.key, (r.key, r.short, r.name), r.name) for r in playbook.roles),
        *(("team", t.key, (t.key, t.name), t.name) for t in playbook.teams),
        *(("schedule", s.key, (s.key, s.name), s.name) for s in playbook.schedules),
        *(("person", p.key, (p.key, p.name), p.title or p.name) for p in playbook.people),
    ]
    for kind, key, names, label in candidates:
        if wanted and wanted in {_code(name) for name in names if name}:
            return PlannedTarget(kind, key), label
    raise InvalidInput.of(
        "target",
        f"no role, team, schedule or person {typed[:60]!r} in this playbook; name a role (key, short name or "
        "name), a team, a schedule or a person (key or name)",
    )


def manual_methods(severity: Severity, person: Person | None) -> tuple[str, ...]:
    """The severity's contact methods; on a backlog-only severity (tickets), every method the person has:
    someone asked for this person by name, so they must be reached."""
    methods = tuple(m.value for m in severity.notify_methods if m.value != NOBODY_PAGED)
    if methods or person is None:
        return methods or (NOBODY_PAGED,)
    return tuple(dict.fromkeys(contact.method.value for contact in person.contact_methods))
