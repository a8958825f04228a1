"""How one person is reached for one page: their own rules, within what the severity allows (pure).

A person's notification rules ("push at once, SMS after 1 minute, call after 3") decide the order and the
delays; the escalation level's methods (the severity's `notify_methods`, or the level's own) decide which
methods may be used at all. The rest of their contact methods, in their own order, are the fallbacks the
sender tries when a method keeps failing. Warroom never pages less than asked: someone whose rules allow
none of the wanted methods is reached as if they had no rules, and someone with none of the wanted
methods by their first contact method.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from warroom.playbook.schema import Person

NOBODY_PAGED = "ticket"  # backlog only


@dataclass(frozen=True)
class Notification:
    method: str
    address: str | None  # None: the person has no contact method at all (a console line still records it)
    after: timedelta


@dataclass(frozen=True)
class NotificationPlan:
    notifications: list[Notification]
    fallbacks: list[tuple[str, str]]  # (method, address) tried in order when a notification cannot be delivered


def plan_notifications(person: Person | None, methods: tuple[str, ...]) -> NotificationPlan:
    wanted = tuple(method for method in methods if method != NOBODY_PAGED)
    if not wanted:
        return NotificationPlan([], [])
    if person is None or not person.contact_methods:
        return NotificationPlan([Notification(wanted[0], None, timedelta(0))], [])
    contacts = [(contact.method.value, contact.address) for contact in person.contact_methods]
    notifications = [
        Notification(rule.method.value, address, timedelta(seconds=rule.after.seconds))
        for rule in sorted(person.notification_rules, key=lambda rule: rule.after.seconds)
        if rule.method.value in wanted
        for method, address in contacts
        if method == rule.method.value
    ]
    if not notifications:
        chosen = [(method, address) for method, address in contacts if method in wanted] or contacts[:1]
        notifications = [Notification(method, address, timedelta(0)) for method, address in chosen]
    used = {(n.method, n.address) for n in notifications}
    # Fallbacks: the wanted methods first, then whatever else they have, each in the person's own order.
    ordered = [c for c in contacts if c[0] in wanted] + [c for c in contacts if c[0] not in wanted]
    fallbacks = [contact for contact in ordered if contact not in used and contact[0] != NOBODY_PAGED]
    return NotificationPlan(notifications, fallbacks)
