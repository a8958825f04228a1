"""Who an escalation target means at an instant: a person, a schedule's on-call, a team, a role holder.

Pure: the caller passes the overrides in force and the incident's role holders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from warroom.oncall.escalation_plan import PlannedTarget
from warroom.oncall.schedules import Override, on_call_at, playbook_overrides
from warroom.playbook.schema import Playbook


@dataclass(frozen=True)
class Reached:
    person: str
    via: str  # how the target led to this person: "schedule primary", "role incident_commander"


@dataclass(frozen=True)
class Resolution:
    people: list[Reached]
    problems: list[str]  # targets that led to nobody, in words for the timeline


def resolve_targets(
    playbook: Playbook,
    targets: Sequence[PlannedTarget],
    at: datetime,
    stored_overrides: Mapping[str, Sequence[Override]],
    role_holders: Mapping[str, str],
) -> Resolution:
    """Everyone the targets name at `at`, each once, in the order the targets name them."""
    people: list[Reached] = []
    problems: list[str] = []
    seen: set[str] = set()

    def reach(person: str, via: str) -> None:
        if person not in seen:
            seen.add(person)
            people.append(Reached(person, via))

    for target in targets:
        found = _people(playbook, target, at, stored_overrides, role_holders, problems, depth=0)
        for person in found:
            reach(person, target.describe())
    return Resolution(people, problems)


def on_call_now(playbook: Playbook, schedule_key: str, at: datetime, stored: Sequence[Override]) -> list[str]:
    schedule = next(s for s in playbook.schedules if s.key == schedule_key)
    return on_call_at(schedule, at, [*playbook_overrides(schedule), *stored])


def _people(
    playbook: Playbook,
    target: PlannedTarget,
    at: datetime,
    stored_overrides: Mapping[str, Sequence[Override]],
    role_holders: Mapping[str, str],
    problems: list[str],
    depth: int,
) -> list[str]:
    if target.kind == "person":
        return [target.key]
    if target.kind == "schedule":
        if not any(s.key == target.key for s in playbook.schedules):
            problems.append(f"schedule {target.key} does not exist")
            return []
        found = on_call_now(playbook, target.key, at, stored_overrides.get(target.key, ()))
        if not found:
            problems.append(f"nobody is on call for schedule {target.key}")
        return found
    if target.kind == "team":
        team = next((t for t in playbook.teams if t.key == target.key), None)
        if team is None:
            problems.append(f"team {target.key} does not exist")
            return []
        if team.schedule:
            return _people(
                playbook, PlannedTarget("schedule", team.schedule), at, stored_overrides, role_holders, problems, depth
            )
        if not team.members:
            problems.append(f"team {target.key} has no members")
        return list(team.members)
    if target.kind == "role":
        holder = role_holders.get(target.key)
        if holder:
            return [holder]
        role = next((r for r in playbook.roles if r.key == target.key), None)
        if role is not None and role.default is not None and depth < 3:
            fallback = PlannedTarget.of(role.default)
            problems.append(f"nobody holds role {target.key}: paging its default, {fallback.describe()}")
            return _people(playbook, fallback, at, stored_overrides, role_holders, problems, depth + 1)
        problems.append(f"nobody holds role {target.key}")
        return []
    problems.append(f"unknown target {target.describe()}")
    return []
