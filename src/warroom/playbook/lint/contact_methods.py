"""missing_contact_method: a paging method nobody can be reached by, and people a severity cannot reach by
any of its methods.

How a page reaches a person (warroom.notify.notification_rules.plan_notifications): by each of the level's
methods (the severity's `notify_methods` unless the level sets its own) that the person has among their
`contact_methods`; someone with none of them is paged by their *first* contact method instead, and someone
with no contact method at all gets only a console line (the sender's fallback, notify/fallback.py, has no
other method to try). A person's `email:` field is not a contact method: pages use `contact_methods` only.

Two findings:
- a method the severity (or a level) asks for that nobody that severity (or level) can page has: the
  playbook promises, say, a phone call that never rings;
- a person a severity can page who has none of the methods it asks for: they are paged another way (or not
  at all), e.g. an e-mail for a SEV-1 that asked for a call.
"""

from __future__ import annotations

from warroom.playbook.lint.findings import MISSING_CONTACT_METHOD, Finding
from warroom.playbook.lint.reach import PagingLevel, level_people, paging_levels, severity_index
from warroom.playbook.schema import Method, Person, Playbook, Severity


def check(playbook: Playbook) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for severity in playbook.severities:
        if not severity.pages_anyone:
            continue
        for finding in [*_unused_methods(playbook, severity), *_unreachable_people(playbook, severity)]:
            if finding.where + finding.message not in seen:  # a policy shared by severities: once per place
                seen.add(finding.where + finding.message)
                findings.append(finding)
    return findings


def _has(person: Person | None, method: Method) -> bool:
    return person is not None and any(contact.method is method for contact in person.contact_methods)


def _unused_methods(playbook: Playbook, severity: Severity) -> list[Finding]:
    people = {person.key: person for person in playbook.people}
    levels = paging_levels(playbook, severity)
    findings = []
    # Levels without their own methods share the severity's; each level with its own is judged alone.
    groups: list[tuple[list[PagingLevel], tuple[Method, ...]]] = []
    shared = [level for level in levels if not level.own_methods]
    if shared:
        groups.append((shared, shared[0].methods))
    groups += [([level], level.methods) for level in levels if level.own_methods]
    for group, methods in groups:
        reachable = sorted({key for level in group for key in level_people(playbook, level)})
        if not reachable:
            continue  # nobody at all: single_person_escalation says so
        missing = [method.value for method in methods if not any(_has(people.get(key), method) for key in reachable)]
        if not missing:
            continue
        if group[0].own_methods:
            level = group[0]
            where, loc = f"{level.where}.methods", (*level.loc, "methods")
            asker = f"{severity.label}'s {level.name} pages by"
        else:
            index = severity_index(playbook, severity)
            where, loc = f"severities[{severity.key}].notify_methods", ("severities", index, "notify_methods")
            asker = f"{severity.label} pages by"
        message = (
            f"{asker} {', '.join(method.value for method in methods)}, but nobody it can page "
            f"({', '.join(reachable)}) has a {' or '.join(missing)} contact method: "
            f"{' and '.join(missing)} will never be used"
        )
        detail = {"severity": severity.key, "methods": missing, "people": reachable}
        findings.append(Finding(MISSING_CONTACT_METHOD, where, message, loc, detail))
    return findings


def _unreachable_people(playbook: Playbook, severity: Severity) -> list[Finding]:
    people = {person.key: (index, person) for index, person in enumerate(playbook.people)}
    findings = []
    for level in paging_levels(playbook, severity):
        for key in sorted(level_people(playbook, level)):
            index, person = people.get(key, (None, None))
            if person is None or index is None or any(_has(person, method) for method in level.methods):
                continue
            wanted = ", ".join(method.value for method in level.methods)
            if person.contact_methods:
                first = person.contact_methods[0].method.value
                outcome = f"they would be paged by their first contact method, {first}, instead"
            else:
                outcome = "they have no contact method at all, so the page reaches them nowhere (a console line)"
            message = f"{severity.label}'s {level.name} pages {key} by {wanted}, but {key} has none of these: {outcome}"
            detail = {
                "severity": severity.key,
                "person": key,
                "level": level.where,
                "methods": list(wanted.split(", ")),
            }
            findings.append(Finding(MISSING_CONTACT_METHOD, f"people[{key}]", message, ("people", index), detail))
    return findings
