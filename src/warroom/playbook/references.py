"""Cross-reference checks: every key a playbook names must exist, and every key is named once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from warroom.playbook.schema import Playbook, Target, Triage
from warroom.playbook.schema.triage import STANDARD_FACTS, FactType
from warroom.templating import template_problems

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def reference_problems(playbook: Playbook) -> list[Problem]:
    problems: list[Problem] = []
    collections: dict[str, Sequence[Any]] = {
        "severities": playbook.severities,
        "roles": playbook.roles,
        "phases": playbook.phases,
        "components": playbook.components,
        "services": playbook.services,
        "people": playbook.people,
        "teams": playbook.teams,
        "schedules": playbook.schedules,
        "escalation_policies": playbook.escalation_policies,
        "channels": playbook.channels,
        "templates": playbook.templates,
        "runbooks": playbook.runbooks,
    }
    for name, items in collections.items():
        problems += _duplicates((name,), items)
    problems += _duplicates(("triage", "facts"), playbook.triage.facts)
    labels = [severity.label for severity in playbook.severities]
    for index, severity in enumerate(playbook.severities):
        if labels.count(severity.label) > 1:
            problems.append((("severities", index, "label"), f"duplicate severity label {severity.label!r}"))

    keys = {name: {item.key for item in items} for name, items in collections.items()}

    def need(loc: Loc, kind: str, key: str | None) -> None:
        if key is not None and key not in keys[kind]:
            known = ", ".join(sorted(keys[kind])) or "none defined"
            problems.append((loc, f"unknown {kind[:-1] if kind != 'people' else 'person'} {key!r} (known: {known})"))

    def need_target(loc: Loc, target: Target) -> None:
        need((*loc, "person"), "people", target.person)
        need((*loc, "schedule"), "schedules", target.schedule)
        need((*loc, "team"), "teams", target.team)
        need((*loc, "role"), "roles", target.role)

    problems += _triage_problems(playbook.triage, keys["severities"])
    for i, severity in enumerate(playbook.severities):
        need(("severities", i, "escalation_policy"), "escalation_policies", severity.escalation_policy)
        for j, key in enumerate(severity.also_escalate):
            need(("severities", i, "also_escalate", j), "escalation_policies", key)
        for j, deadline in enumerate(severity.communication):
            need(("severities", i, "communication", j, "channel"), "channels", deadline.channel)
            need(("severities", i, "communication", j, "template"), "templates", deadline.template)
        for j, check in enumerate(severity.response_checklist):
            kind, _, key = check.measure.partition(":")
            if kind == "role_paged":
                need(("severities", i, "response_checklist", j, "measure"), "roles", key)
    for j, key in enumerate(playbook.communication.update_owners):
        need(("communication", "update_owners", j), "roles", key)
    for j, key in enumerate(playbook.communication.escalate_to):
        need(("communication", "escalate_to", j), "roles", key)
    for j, key in enumerate(playbook.communication.update_channels):
        need(("communication", "update_channels", j), "channels", key)
    for i, role in enumerate(playbook.roles):
        if role.default:
            need_target(("roles", i, "default"), role.default)
    for i, phase in enumerate(playbook.phases):
        for j, key in enumerate(phase.severities):
            need(("phases", i, "severities", j), "severities", key)
    for i, service in enumerate(playbook.services):
        need(("services", i, "team"), "teams", service.team)
        need(("services", i, "escalation_policy"), "escalation_policies", service.escalation_policy)
        for j, key in enumerate(service.components):
            need(("services", i, "components", j), "components", key)
    for i, team in enumerate(playbook.teams):
        for j, key in enumerate(team.members):
            need(("teams", i, "members", j), "people", key)
        need(("teams", i, "lead"), "people", team.lead)
        need(("teams", i, "schedule"), "schedules", team.schedule)
        need(("teams", i, "channel"), "channels", team.channel)
    for i, schedule in enumerate(playbook.schedules):
        for j, layer in enumerate(schedule.layers):
            for k, key in enumerate(layer.rotation.participants):
                need(("schedules", i, "layers", j, "rotation", "participants", k), "people", key)
        for j, override in enumerate(schedule.overrides):
            need(("schedules", i, "overrides", j, "person"), "people", override.person)
            need(("schedules", i, "overrides", j, "replaces"), "people", override.replaces)
    for i, policy in enumerate(playbook.escalation_policies):
        for j, level in enumerate(policy.levels):
            for k, target in enumerate(level.targets):
                need_target(("escalation_policies", i, "levels", j, "targets", k), target)
    for i, template in enumerate(playbook.templates):
        need(("templates", i, "channel"), "channels", template.channel)
    for i, runbook in enumerate(playbook.runbooks):
        need(("runbooks", i, "default_severity"), "severities", runbook.default_severity)
        need(("runbooks", i, "template"), "templates", runbook.template)
    problems += _alerting_problems(playbook, need)
    if playbook.compensation:
        for i, pay in enumerate(playbook.compensation.per_incident):
            need(("compensation", "per_incident", i, "severity"), "severities", pay.severity)
    if playbook.security:
        need(("security", "minimum_severity"), "severities", playbook.security.minimum_severity)
        need(("security", "approval_role"), "roles", playbook.security.approval_role)
        for i, target in enumerate(playbook.security.page):
            need_target(("security", "page", i), target)
    return problems


def _duplicates(prefix: Loc, items: Sequence[Any]) -> Iterable[Problem]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.key in seen:
            yield (*prefix, index, "key"), f"duplicate key {item.key!r} (first defined at item {seen[item.key]})"
        else:
            seen[item.key] = index


def _triage_problems(triage: Triage, severities: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    standard = {fact.key for fact in STANDARD_FACTS}
    for i, fact in enumerate(triage.facts):
        if fact.key in standard:
            problems.append((("triage", "facts", i, "key"), f"{fact.key!r} is a standard fact; do not redeclare it"))
    if triage.default_severity not in severities:
        problems.append((("triage", "default_severity"), f"unknown severity {triage.default_severity!r}"))
    catalog = triage.fact_catalog()
    for i, rule in enumerate(triage.rules):
        if rule.severity not in severities:
            known = ", ".join(sorted(severities))
            problems.append(
                (("triage", "rules", i, "severity"), f"unknown severity {rule.severity!r} (known: {known})")
            )
        for group in ("all", "any"):
            for j, condition in enumerate(getattr(rule, group)):
                loc: Loc = ("triage", "rules", i, group, j, "fact")
                spec = catalog.get(condition.fact)
                if spec is None:
                    problems.append((loc, f"unknown fact {condition.fact!r}; declare it under triage.facts"))
                elif (spec.type is FactType.BOOL) != condition.is_boolean:
                    wanted = "'is: true/false'" if spec.type is FactType.BOOL else "a numeric comparison"
                    problems.append((loc, f"fact {condition.fact!r} is {spec.type.value}: compare it with {wanted}"))
    return problems


def _alerting_problems(playbook: Playbook, need: Any) -> list[Problem]:
    problems: list[Problem] = []
    catalog = playbook.triage.fact_catalog()
    for i, route in enumerate(playbook.alerting.routes):
        need(("alerting", "routes", i, "service"), "services", route.service)
        need(("alerting", "routes", i, "severity"), "severities", route.severity)
        need(("alerting", "routes", i, "runbook"), "runbooks", route.runbook)
        for fact, value in route.facts.items():
            loc: Loc = ("alerting", "routes", i, "facts", fact)
            spec = catalog.get(fact)
            if spec is None:
                problems.append((loc, f"unknown fact {fact!r}; declare it under triage.facts"))
            elif isinstance(value, str):
                problems += [(loc, reason) for reason in template_problems(value)]
            elif (spec.type is FactType.BOOL) != isinstance(value, bool):
                problems.append((loc, f"fact {fact!r} is {spec.type.value}; {value!r} does not fit"))
    for word, severity in playbook.alerting.source_severities.items():
        need(("alerting", "source_severities", word), "severities", severity)
    return problems
