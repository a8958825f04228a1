"""Compare a drill's timeline with what its scenario says must happen.

Each expectation matches one entry (or `count` entries) of its kind; fields it leaves out match anything. For
the kinds a scenario is exact about (by default, every kind it expects), an entry nobody expected is a
difference too, so "the secondary is paged at 15 minutes" also means "and nobody else is paged".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.drills.outcome import Entry, offset_text
from warroom.drills.scenario import DrillTime, Expectation, Scenario


@dataclass(frozen=True)
class Wanted:
    kind: str
    subject: str
    at: datetime | None
    incident: str | None
    detail: dict[str, object]
    forbidden: bool  # count: 0, nothing like it may appear

    def matches(self, entry: Entry) -> bool:
        if entry.kind != self.kind or entry.subject != self.subject:
            return False
        if self.at is not None and entry.at != self.at:
            return False
        if self.incident is not None and entry.incident != self.incident:
            return False
        return all(entry.detail.get(key) == value for key, value in self.detail.items())

    def describe(self, start: datetime) -> str:
        when = offset_text(self.at - start) if self.at is not None else "any time"
        extra = "".join(f" {key}={value}" for key, value in self.detail.items())
        incident = f" [{self.incident}]" if self.incident else ""
        return f"{when} {self.kind} {self.subject}{extra}{incident}"


@dataclass(frozen=True)
class Difference:
    what: str  # missing | unexpected | forbidden
    text: str

    def __str__(self) -> str:
        return f"{self.what}: {self.text}"


def wanted(expectation: Expectation, start: datetime) -> list[Wanted]:
    at = DrillTime.parse(expectation.at).resolve(start) if expectation.at is not None else None
    value = getattr(expectation, expectation.kind)
    subject = str(value).lower() if isinstance(value, bool) else str(value)
    detail: dict[str, object] = {}
    if expectation.level is not None:
        detail["level"] = expectation.level
    if expectation.policy is not None:
        detail["policy"] = expectation.policy
    methods: list[str | None] = list(expectation.methods) if expectation.methods is not None else [expectation.method]
    result = []
    for method in methods:
        item_detail = {**detail, **({"method": method} if method is not None else {})}
        item = Wanted(expectation.kind, subject, at, expectation.incident, item_detail, expectation.count == 0)
        result.extend([item] * max(expectation.count, 1))
    return result


def compare(scenario: Scenario, entries: list[Entry], start: datetime) -> list[Difference]:
    """Every difference between the scenario's expectations and the drill's timeline (empty: it passed)."""
    items = [item for expectation in scenario.expect for item in wanted(expectation, start)]
    # Timed expectations first, so that an untimed one cannot take the entry a timed one needs.
    items.sort(key=lambda item: item.at is None)
    used: set[int] = set()
    differences: list[Difference] = []
    # Entries by (kind, subject): an expectation only ever looks at its own kind and subject.
    indexed: dict[tuple[str, str], list[int]] = {}
    for index, entry in enumerate(entries):
        indexed.setdefault((entry.kind, entry.subject), []).append(index)
    for item in items:
        candidates = indexed.get((item.kind, item.subject), [])
        if item.forbidden:
            hits = [entries[i] for i in candidates if item.matches(entries[i])]
            if hits:
                first = hits[0]
                differences.append(
                    Difference("forbidden", f"{item.describe(start)} must not happen; it did at {_at(first, start)}")
                )
            continue
        found = next((i for i in candidates if i not in used and item.matches(entries[i])), None)
        if found is None:
            differences.append(Difference("missing", f"{item.describe(start)}{_near(item, entries, start)}"))
        else:
            used.add(found)
    exact = set(scenario.exact if scenario.exact is not None else {e.kind for e in scenario.expect if e.count})
    forbidden = [item for item in items if item.forbidden]
    for index, entry in enumerate(entries):
        if index not in used and entry.kind in exact and not _covered_by_forbidden(entry, forbidden):
            differences.append(Difference("unexpected", _entry_text(entry, start)))
    return differences


def _covered_by_forbidden(entry: Entry, forbidden: list[Wanted]) -> bool:
    return any(item.matches(entry) for item in forbidden)


def _near(item: Wanted, entries: list[Entry], start: datetime) -> str:
    """Say what did happen of that kind and subject: the usual cause is a time off by a step."""
    similar = [
        entry
        for entry in entries
        if entry.kind == item.kind
        and entry.subject == item.subject
        and (item.incident is None or entry.incident == item.incident)
    ]
    if not similar:
        return ""
    shown = ", ".join(_at(entry, start) for entry in similar[:5])
    return f" (it happened at {shown})"


def _at(entry: Entry, start: datetime) -> str:
    return offset_text(entry.at - start)


def _entry_text(entry: Entry, start: datetime) -> str:
    extra = "".join(f" {key}={value}" for key, value in entry.detail.items() if key in ("method", "level", "policy"))
    return f"{_at(entry, start)} {entry.kind} {entry.subject}{extra} [{entry.incident}]"
