"""Escalation plans: a policy frozen for one incident, and the arithmetic of its steps. Pure.

SEMANTICS.md, "Two kinds of escalation" (plus progress chains):
- acknowledgement chains: level k+1 is due `timeout(k)` after level k was due; an acknowledgement stops it;
- time matrices: level k is due `at(k)` after the trigger; only resolution stops it;
- progress chains: like acknowledgement chains, but progress (a forward status change or a recorded
  mitigation) restarts the current level's timeout, and an acknowledgement does not stop them.
Each step's due time is computed from the previous step's due time, never from when it actually fired,
so a late engine does not push the whole chain later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warroom.deadlines.spans import parse_span
from warroom.playbook.schema import EscalationKind, EscalationLevel, EscalationPolicy, Playbook, Severity, Target

TARGET_KINDS = ("person", "schedule", "team", "role")


@dataclass(frozen=True)
class PlannedTarget:
    kind: str  # person | schedule | team | role
    key: str

    def describe(self) -> str:
        return f"{self.kind} {self.key}"

    @staticmethod
    def of(target: Target) -> PlannedTarget:
        for kind in TARGET_KINDS:
            key = getattr(target, kind)
            if key:
                return PlannedTarget(kind, key)
        raise ValueError("a target names one of person, schedule, team or role")


@dataclass(frozen=True)
class PlannedLevel:
    targets: tuple[PlannedTarget, ...]
    methods: tuple[str, ...]
    timeout_seconds: int | None
    at_seconds: int | None
    condition: str | None
    note: str | None


@dataclass(frozen=True)
class Plan:
    policy: str
    name: str
    kind: EscalationKind
    repeat: int
    multi_ack: bool
    levels: tuple[PlannedLevel, ...]

    @property
    def stops_on_acknowledgement(self) -> bool:
        return self.kind is EscalationKind.ACKNOWLEDGEMENT

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "name": self.name,
            "kind": self.kind.value,
            "repeat": self.repeat,
            "multi_ack": self.multi_ack,
            "levels": [
                {
                    "targets": [{"kind": t.kind, "key": t.key} for t in level.targets],
                    "methods": list(level.methods),
                    "timeout_seconds": level.timeout_seconds,
                    "at_seconds": level.at_seconds,
                    "condition": level.condition,
                    "note": level.note,
                }
                for level in self.levels
            ],
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Plan:
        return Plan(
            policy=data["policy"],
            name=data["name"],
            kind=EscalationKind(data["kind"]),
            repeat=int(data["repeat"]),
            multi_ack=bool(data["multi_ack"]),
            levels=tuple(
                PlannedLevel(
                    targets=tuple(PlannedTarget(t["kind"], t["key"]) for t in level["targets"]),
                    methods=tuple(level["methods"]),
                    timeout_seconds=level["timeout_seconds"],
                    at_seconds=level["at_seconds"],
                    condition=level["condition"],
                    note=level["note"],
                )
                for level in data["levels"]
            ),
        )


@dataclass(frozen=True)
class Step:
    level: int  # index into Plan.levels
    round: int  # 0 for the first pass; repeats count up
    due_at: datetime


SECURITY_POLICY = "security-page"


def policies_for(playbook: Playbook, severity: Severity, security: bool = False) -> list[EscalationPolicy]:
    """The severity's escalation policies, in the order written. A backlog-only severity pages nobody.

    A security incident also pages the playbook's `security.page` targets at once ("Page Security Lead",
    "Page Legal (if data breach suspected)"), with the severity's methods, beside the severity's chains."""
    if not severity.pages_anyone:
        return []
    by_key = {policy.key: policy for policy in playbook.escalation_policies}
    policies = [by_key[key] for key in severity.policy_keys() if key in by_key]
    if security and playbook.security is not None and playbook.security.page:
        level = EscalationLevel(targets=list(playbook.security.page), at=parse_span("0m"), note="security incident")
        policies.append(
            EscalationPolicy(
                key=SECURITY_POLICY,
                name="Security incident: page",
                kind=EscalationKind.TIME_MATRIX,
                levels=[level],
                source="security.page",
            )
        )
    return policies


def freeze(policy: EscalationPolicy, severity: Severity) -> Plan:
    """The policy as it will run for this incident: the severity's contact methods filled in per level."""
    default_methods = tuple(method.value for method in severity.notify_methods)
    return Plan(
        policy=policy.key,
        name=policy.name,
        kind=policy.kind,
        repeat=policy.repeat,
        multi_ack=policy.multi_ack,
        levels=tuple(
            PlannedLevel(
                targets=tuple(PlannedTarget.of(target) for target in level.targets),
                methods=tuple(m.value for m in level.methods) if level.methods else default_methods,
                timeout_seconds=None if level.timeout is None else int(level.timeout.seconds),
                at_seconds=None if level.at is None else int(level.at.seconds),
                condition=level.condition,
                note=level.note,
            )
            for level in policy.levels
        ),
    )


def first_step(plan: Plan, trigger: datetime) -> Step:
    if plan.kind is EscalationKind.TIME_MATRIX:
        return Step(0, 0, trigger + timedelta(seconds=plan.levels[0].at_seconds or 0))
    return Step(0, 0, trigger)


def step_after(plan: Plan, step: Step, trigger: datetime) -> Step | None:
    """The step that follows `step`, or None when the chain has run out.

    A last level with a timeout is waited out: the step after it is the chain's end (`is_end`), due when that
    wait runs out, so "escalate if not triaged within 30 minutes" with nobody left to page is still a fact on
    the timeline at 30 minutes, not at the moment the last level was paged."""
    following = step.level + 1
    if plan.kind is EscalationKind.TIME_MATRIX:
        if following >= len(plan.levels):
            return None
        return Step(following, 0, trigger + timedelta(seconds=plan.levels[following].at_seconds or 0))
    if step.level >= len(plan.levels):
        return None  # the end has nothing after it
    timeout = plan.levels[step.level].timeout_seconds
    if timeout is None:
        return None
    if following < len(plan.levels):
        return Step(following, step.round, step.due_at + timedelta(seconds=timeout))
    if step.round < plan.repeat:
        return Step(0, step.round + 1, step.due_at + timedelta(seconds=timeout))
    return Step(len(plan.levels), step.round, step.due_at + timedelta(seconds=timeout))


def is_end(plan: Plan, step: Step) -> bool:
    """The pseudo-step after a waited-out last level: nothing to page, the chain is exhausted."""
    return step.level >= len(plan.levels)


def step_at_level(plan: Plan, level: int, round_: int, due_at: datetime) -> Step:
    if not 0 <= level < len(plan.levels):
        raise ValueError(f"level {level + 1} does not exist; this policy has {len(plan.levels)}")
    return Step(level, round_, due_at)


def condition_holds(
    condition: str | None, impact: dict[str, Any], services_customer_facing: bool | None = None
) -> tuple[bool, str]:
    """Whether a conditional level applies to this incident now, and why.

    Unknown facts page: a playbook that says "the CEO when customer-facing" would rather wake the CEO for
    an incident nobody has described yet than stay silent about one that is (SEMANTICS: never page less).
    The incident's services are stated facts too: when every one of them is internal (`customer_facing:
    false` in the playbook) and no impact fact says otherwise, it is not customer-facing.
    """
    if condition is None:
        return True, ""
    if condition == "prolonged":
        return True, "still open: prolonged"
    if condition == "security":
        value = impact.get("security_breach")
        if value is None:
            return True, "security breach not stated: paging"
        return bool(value), "security breach" if value else "not a security breach"
    if condition == "customer_facing":
        stated = impact.get("customer_facing")
        if stated is not None:
            return bool(stated), "customer-facing" if stated else "not customer-facing"
        if impact.get("all_users_affected") is True:
            return True, "all users affected: customer-facing"
        share = impact.get("users_affected_pct")
        if isinstance(share, int | float):
            return share > 0, "users affected: customer-facing" if share > 0 else "no users affected"
        if services_customer_facing is False:
            return False, "internal services only: not customer-facing"
        if impact.get("all_users_affected") is False and share is None:
            return True, "share of users not stated: paging"
        return True, "customer impact not stated: paging"
    return True, f"unknown condition {condition!r}: paging"


def waiting_step(plan: Plan, level: int, round_: int, anchor_at: datetime, next_due_at: datetime | None) -> Step | None:
    """The step an escalation at `level` (-1: not started) is waiting for; `next_due_at` is the stored due
    time, which progress may have moved."""
    if level < 0:
        return first_step(plan, anchor_at) if next_due_at is None else Step(0, round_, next_due_at)
    nxt = step_after(plan, Step(level, round_, anchor_at), anchor_at)
    if nxt is None:
        return None
    return Step(nxt.level, nxt.round, next_due_at or nxt.due_at)


def already_paged(plan: Plan, current: int, level: int, paged_at: datetime) -> str:
    """Why a manual escalation to an already-paged level is refused, and what to do instead."""
    text = f"level {level + 1} of {plan.name} was already paged at {paged_at:%H:%M} UTC in this round; "
    if current + 1 < len(plan.levels):
        text += f"escalate to level {current + 2} or wait for the next round"
    else:
        text += "every level has been paged; wait for the next round"
    return text + ", or page someone directly"


def services_customer_facing(playbook: Playbook, services: Sequence[str]) -> bool | None:
    """Whether an incident's services face customers: None when it names none the playbook knows."""
    known = {service.key: service.customer_facing for service in playbook.services}
    flags = [known[key] for key in services if key in known]
    return any(flags) if flags else None
