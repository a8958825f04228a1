"""Who a severity's escalation can reach, read statically from the playbook (no instant, no incident).

The engine (warroom.engine.escalations) starts every policy `policies_for` returns, each level pages its
targets with the level's methods (the severity's `notify_methods` unless the level overrides them), and a
level whose methods are only `ticket` pages nobody. Targets resolve as warroom.oncall.targets does: a team
with a schedule means that schedule's on-call (its members are not paged), a team without one means all its
members, a role means its holder or, when nobody holds it (always true when the first page goes out), its
default. Statically a schedule can mean anyone who appears in its layers' rotations.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.oncall.escalation_plan import PlannedTarget, policies_for
from warroom.playbook.references import Loc
from warroom.playbook.schema import (
    EscalationKind,
    EscalationLevel,
    EscalationPolicy,
    Method,
    Playbook,
    Severity,
    Target,
)

# Conditions condition_holds (oncall/escalation_plan.py) always answers yes to.
ALWAYS_HOLDS = frozenset({None, "prolonged"})
_ROLE_DEPTH = 3  # as oncall.targets: a role whose default is a role whose default ... stops here


@dataclass(frozen=True)
class PagingLevel:
    """One level of one of a severity's policies that pages someone."""

    policy: EscalationPolicy
    policy_index: int  # in playbook.escalation_policies
    level_index: int
    level: EscalationLevel
    methods: tuple[Method, ...]  # the methods it pages by, `ticket` left out
    own_methods: bool  # the level overrides the severity's notify_methods
    offset_seconds: int  # when it pages, from the trigger, in the first round

    @property
    def certain(self) -> bool:
        """Pages on every incident of the severity (no condition that can be false)."""
        return self.level.condition in ALWAYS_HOLDS

    @property
    def loc(self) -> Loc:
        return ("escalation_policies", self.policy_index, "levels", self.level_index)

    @property
    def where(self) -> str:
        return f"escalation_policies[{self.policy.key}].levels[{self.level_index}]"

    @property
    def name(self) -> str:
        return f"{self.policy.key} level {self.level_index + 1}"

    def describe_targets(self) -> str:
        return ", ".join(PlannedTarget.of(target).describe() for target in self.level.targets)


def paging_levels(playbook: Playbook, severity: Severity) -> list[PagingLevel]:
    """Every level of the severity's policies that pages anyone, in policy then level order."""
    found: list[PagingLevel] = []
    index_of = {policy.key: index for index, policy in enumerate(playbook.escalation_policies)}
    for policy in policies_for(playbook, severity):
        offset = 0
        for level_index, level in enumerate(policy.levels):
            if policy.kind is EscalationKind.TIME_MATRIX:
                offset = level.at.seconds if level.at is not None else 0
            methods = tuple(level.methods) if level.methods else tuple(severity.notify_methods)
            paging = tuple(method for method in methods if method is not Method.TICKET)
            if paging:
                found.append(
                    PagingLevel(policy, index_of[policy.key], level_index, level, paging, bool(level.methods), offset)
                )
            if policy.kind is not EscalationKind.TIME_MATRIX and level.timeout is not None:
                offset += level.timeout.seconds
    return found


def schedule_people(playbook: Playbook, key: str) -> set[str]:
    schedule = next((s for s in playbook.schedules if s.key == key), None)
    if schedule is None:
        return set()
    return {person for layer in schedule.layers for person in layer.rotation.participants}


def possible_people(playbook: Playbook, target: Target, depth: int = 0) -> set[str]:
    """Everyone the target can ever mean when an escalation pages it."""
    planned = PlannedTarget.of(target)
    if planned.kind == "person":
        return {planned.key}
    if planned.kind == "schedule":
        return schedule_people(playbook, planned.key)
    if planned.kind == "team":
        team = next((t for t in playbook.teams if t.key == planned.key), None)
        if team is None:
            return set()
        return schedule_people(playbook, team.schedule) if team.schedule else set(team.members)
    role = next((r for r in playbook.roles if r.key == planned.key), None)
    if role is None or role.default is None or depth >= _ROLE_DEPTH:
        return set()
    return possible_people(playbook, role.default, depth + 1)


def level_people(playbook: Playbook, level: PagingLevel) -> set[str]:
    return {person for target in level.level.targets for person in possible_people(playbook, target)}


def schedules_behind(playbook: Playbook, target: Target, depth: int = 0) -> list[str]:
    """The schedule the target pages through, if any (directly, via its team, or via its role's default)."""
    planned = PlannedTarget.of(target)
    if planned.kind == "schedule":
        return [planned.key]
    if planned.kind == "team":
        team = next((t for t in playbook.teams if t.key == planned.key), None)
        return [team.schedule] if team is not None and team.schedule else []
    if planned.kind == "role":
        role = next((r for r in playbook.roles if r.key == planned.key), None)
        if role is not None and role.default is not None and depth < _ROLE_DEPTH:
            return schedules_behind(playbook, role.default, depth + 1)
    return []


def severity_index(playbook: Playbook, severity: Severity) -> int:
    return next(index for index, item in enumerate(playbook.severities) if item.key == severity.key)


def span_words(seconds: float) -> str:
    """45m, 4h, 1h 30m, 2d 9h: the two largest units."""
    minutes = int(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if value]
    return " ".join(parts[:2]) or ("0m" if seconds == 0 else f"{int(seconds)}s")
