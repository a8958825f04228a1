"""One realistic incident, start to finish, under any playbook: for golden files and end-to-end checks.

On a manual clock from START (2026-03-05 14:00 UTC): impact began 13:48, an alert detected it 13:55, it is
declared at 14:00 as the playbook's most severe level, acknowledged 14:03, every role filled 14:05 with people
of the playbook, a note and "identified" at 14:12, mitigation recorded 14:24 and "monitoring" 14:25, root cause
and fix written 14:40, resolved 15:00 after a quiet half hour. Only the playbook's own keys are used (its first
service, its roles, its people), so every preset runs it unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from warroom.auth.actors import AccessRole, Actor
from warroom.clock import ManualClock
from warroom.incidents.commands import AddNote, AssignRole, ChangeStatus, DeclareIncident, Link, UpdateIncident
from warroom.incidents.lifecycle import DetectionSource, Status
from warroom.playbook.schema import Playbook
from warroom.runtime import Warroom

START = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
IMPACT_STARTED = datetime(2026, 3, 5, 13, 48, tzinfo=UTC)
DETECTED = datetime(2026, 3, 5, 13, 55, tzinfo=UTC)
RESOLVED = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)

ROOT_CAUSE = (
    "Release 2026.03.05-1 lowered the database connection pool from 50 to 5 connections; under the afternoon "
    "peak, requests waited for a connection and timed out."
)
# Worded to follow "affecting ..." and "Impact: ..." in the presets' templates.
IMPACT = "sign-in and saving for about 40% of users (25% of requests timed out)"
RESOLUTION = "Rolled back to release 2026.03.05-0 and added a deploy check that refuses a pool below 20."


def role_people(playbook: Playbook) -> dict[str, str]:
    """Who takes each role: a person whose key names the role ("incident-commander"), else one sharing a word
    with it ("security-team" for security_lead), else the next person nobody holds a role yet."""
    keys = [person.key for person in playbook.people]
    chosen: dict[str, str] = {}

    def words(key: str) -> set[str]:
        return set(re.split(r"[-_]", key))

    candidates = sorted(
        (
            (-len(words(role.key) & words(person)), role_index, person_index, role.key, person)
            for role_index, role in enumerate(playbook.roles)
            for person_index, person in enumerate(keys)
            if words(role.key) & words(person)
        )
    )
    for _score, _role_index, _person_index, role_key, person in candidates:
        if role_key not in chosen and person not in chosen.values():
            chosen[role_key] = person
    unused = [key for key in keys if key not in chosen.values()] or keys
    for index, role in enumerate(r for r in playbook.roles if r.key not in chosen):
        chosen[role.key] = unused[index % len(unused)]
    return {role.key: chosen[role.key] for role in playbook.roles}


class IncidentScript:
    """The script as steps, so a test can stop mid-incident, look, and carry on: `play(until=...)` runs the
    steps due by then (declaring first), and a later `play()` continues from there."""

    def __init__(self, warroom: Warroom, clock: ManualClock) -> None:
        playbook = warroom.playbook
        if not playbook.people:
            raise ValueError("the scripted incident needs people in the playbook")
        self.warroom, self.clock = warroom, clock
        self.holders = role_people(playbook)
        lead_key = self.holders[playbook.roles[0].key] if playbook.roles else playbook.people[0].key
        self.lead = Actor(lead_key, AccessRole.RESPONDER)
        self.number: int | None = None
        self._done = 0

    @property
    def ref(self) -> str:
        return f"INC-{self.number}"

    def play(self, until: datetime | None = None) -> int:
        """Run the steps not yet run whose time is at or before `until` (all of them without it)."""
        steps = self._steps()
        while self._done < len(steps) and (until is None or steps[self._done][0] <= until):
            at, step = steps[self._done]
            self.clock.set(at)
            step()
            self._done += 1
        assert self.number is not None
        return self.number

    def _steps(self) -> list[tuple[datetime, Callable[[], object]]]:
        incidents, lead = self.warroom.incidents, self.lead

        def status(target: Status, note: str) -> Callable[[], object]:
            return lambda: incidents.change_status(lead, self.ref, ChangeStatus(status=target, note=note))

        return [
            (START, self._declare),
            (START + timedelta(minutes=3), lambda: incidents.acknowledge(lead, self.ref)),
            (START + timedelta(minutes=5), self._assign_roles),
            (
                START + timedelta(minutes=12),
                lambda: incidents.add_note(
                    lead, self.ref, AddNote(text="Errors began with the 13:45 deploy of release 2026.03.05-1.")
                ),
            ),
            (START + timedelta(minutes=12), status(Status.IDENTIFIED, "connection pool exhausted after the deploy")),
            (
                START + timedelta(minutes=24),
                lambda: incidents.record_mitigation(lead, self.ref, "rolled back to release 2026.03.05-0"),
            ),
            (START + timedelta(minutes=25), status(Status.MONITORING, "error rate back under 1%")),
            (
                START + timedelta(minutes=40),
                lambda: incidents.update(lead, self.ref, UpdateIncident(root_cause=ROOT_CAUSE, resolution=RESOLUTION)),
            ),
            (RESOLVED, status(Status.RESOLVED, "no errors for 30 minutes after the rollback")),
        ]

    def _declare(self) -> None:
        playbook = self.warroom.playbook
        service = playbook.services[0] if playbook.services else None
        where = service.name if service else "the API"
        declared = self.warroom.incidents.declare(
            self.lead,
            DeclareIncident(
                title=f"Elevated error rates on {where}",
                summary=(
                    f"About a quarter of requests to {where} fail with timeouts since the 13:45 deploy; "
                    "sign-in and saving are affected."
                ),
                impact_statement=IMPACT,
                severity=playbook.severities[0].key,
                impact={"error_rate_pct": 25, "users_affected_pct": 40},
                services=[service.key] if service else [],
                links=[
                    Link.model_validate({"url": "https://grafana.example.com/d/errors", "title": "Error dashboard"})
                ],
                detection_source=DetectionSource.ALERT,
                started_at=IMPACT_STARTED,
                detected_at=DETECTED,
            ),
        )
        self.number = declared.number

    def _assign_roles(self) -> None:
        for role, person in self.holders.items():
            self.warroom.incidents.assign_role(self.lead, self.ref, role, AssignRole(person=person))


def scripted_incident(warroom: Warroom, clock: ManualClock, until: datetime | None = None) -> int:
    """Run the script (the steps up to `until`, if given); returns the incident number.

    The clock must not be past START.
    """
    return IncidentScript(warroom, clock).play(until)
