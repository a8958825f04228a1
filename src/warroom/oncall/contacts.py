"""Who is behind an address: the person whose contact method a reply, a button or a command came from."""

from __future__ import annotations

import re

from warroom.playbook.schema import Person, Playbook

_NOT_DIGITS = re.compile(r"[^\d+]")


def normalise(method: str, address: str) -> str:
    """Phone numbers compare by digits (E.164 with or without spaces); the rest case-insensitively, and a
    chat handle with or without its '@'."""
    if method in ("sms", "phone"):
        return _NOT_DIGITS.sub("", address)
    return address.strip().lstrip("@").lower()


def person_by_address(playbook: Playbook, methods: tuple[str, ...], address: str) -> Person | None:
    """The one person with this address for one of these methods; None when nobody (or more than one
    person, which would make the acknowledgement a guess) has it."""
    found: dict[str, Person] = {}
    for person in playbook.people:
        for contact in person.contact_methods:
            method = contact.method.value
            if method in methods and normalise(method, contact.address) == normalise(method, address):
                found[person.key] = person
        if "email" in methods and person.email and person.email.lower() == address.strip().lower():
            found[person.key] = person
    return next(iter(found.values())) if len(found) == 1 else None
