"""single_person_escalation: a paging severity whose escalation can only ever reach one person (or nobody).

Everyone every level of every policy of the severity can mean counts, conditional levels included (they can
fire): a schedule is everyone in its rotations, a role its default. One name in total means that when that
person sleeps through the page, nobody else is ever woken.
"""

from __future__ import annotations

from warroom.playbook.lint.findings import SINGLE_PERSON_ESCALATION, Finding
from warroom.playbook.lint.reach import level_people, paging_levels, severity_index
from warroom.playbook.schema import Playbook, Severity


def check(playbook: Playbook) -> list[Finding]:
    findings: list[Finding] = []
    for severity in playbook.severities:
        if severity.pages_anyone:
            findings += _severity(playbook, severity)
    return findings


def _severity(playbook: Playbook, severity: Severity) -> list[Finding]:
    index = severity_index(playbook, severity)
    methods = ", ".join(method.value for method in severity.notify_methods)
    levels = paging_levels(playbook, severity)
    where = f"severities[{severity.key}].escalation_policy"
    loc = ("severities", index, "escalation_policy")
    if not severity.policy_keys():
        message = (
            f"{severity.label} says to page ({methods}) but names no escalation policy: the engine starts no "
            "escalation for it, so nobody is paged automatically; only a responder paging by hand reaches anyone"
        )
        return [Finding(SINGLE_PERSON_ESCALATION, where, message, loc, {"severity": severity.key, "people": []})]
    people: set[str] = set()
    for level in levels:
        people |= level_people(playbook, level)
    if len(people) > 1:
        return []
    chain = "; ".join(f"{level.name}: {level.describe_targets()}" for level in levels) or "no level that pages"
    detail = {"severity": severity.key, "people": sorted(people), "policies": severity.policy_keys()}
    if not people:
        message = (
            f"{severity.label}'s escalation ({chain}) can reach nobody: no level names a person, a schedule with "
            "people, a team with members or a role with a default"
        )
    else:
        (person,) = people
        message = (
            f"{severity.label}'s escalation can only ever reach {person} ({chain}): if {person} does not "
            "acknowledge, nobody else is paged"
        )
    return [Finding(SINGLE_PERSON_ESCALATION, where, message, loc, detail)]
