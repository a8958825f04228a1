"""What the candidate playbook would have done differently from the current one, over the same history.

Alert groups are compared by membership: each stored alert joined one incident in each replay. A candidate
incident holding alerts of several current incidents is a merge; a current incident whose alerts land in several
candidate incidents is a split. Examples name the alerts (names, the labels they all share) and the real
incidents they belonged to, so a person can look them up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from warroom.replay.history import History, StoredAlert
from warroom.replay.simulate import Outcome
from warroom.replay.summary import SideSummary

EXAMPLES = 5


@dataclass(frozen=True)
class Change:
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before

    def __str__(self) -> str:
        return f"{self.before} -> {self.after} ({self.delta:+d})"


@dataclass(frozen=True)
class NamedChange:
    name: str
    before: int
    after: int


@dataclass(frozen=True)
class Regrouping:
    """Alerts that were `incidents_before` incidents and would be `incidents_after`."""

    alerts: int
    incidents_before: int
    incidents_after: int
    alert_names: list[str]
    common_labels: dict[str, str]
    real_incidents: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    incidents: Change
    acknowledged: Change
    pages: Change
    night_pages: Change
    people_woken_at_night: Change
    escalated_incidents: Change
    by_severity: list[NamedChange]
    pages_by_person: list[NamedChange]
    night_pages_by_person: list[NamedChange]
    merges: int  # candidate incidents gathering alerts of several current incidents
    splits: int  # current incidents whose alerts the candidate spreads over several incidents
    merge_examples: list[Regrouping]
    split_examples: list[Regrouping]


def compare(
    history: History, current: Outcome, candidate: Outcome, before: SideSummary, after: SideSummary
) -> Difference:
    alerts = {alert.id: alert for alert in history.alerts}
    merges = _regroupings(alerts, current.incident_of, candidate.incident_of)
    splits = _regroupings(alerts, candidate.incident_of, current.incident_of)
    return Difference(
        incidents=Change(before.incidents, after.incidents),
        acknowledged=Change(before.acknowledged, after.acknowledged),
        pages=Change(before.pages, after.pages),
        night_pages=Change(before.night_pages, after.night_pages),
        people_woken_at_night=Change(before.people_woken_at_night, after.people_woken_at_night),
        escalated_incidents=Change(before.escalated_incidents, after.escalated_incidents),
        by_severity=_named(
            {s.label: s.incidents for s in before.by_severity}, {s.label: s.incidents for s in after.by_severity}
        ),
        pages_by_person=_named({p.person: p.pages for p in before.people}, {p.person: p.pages for p in after.people}),
        night_pages_by_person=_named(
            {p.person: p.night_pages for p in before.people if p.night_pages},
            {p.person: p.night_pages for p in after.people if p.night_pages},
        ),
        merges=len(merges),
        splits=len(splits),
        merge_examples=[_example(alerts, ids, current.incident_of, candidate.incident_of) for ids in merges[:EXAMPLES]],
        split_examples=[_example(alerts, ids, current.incident_of, candidate.incident_of) for ids in splits[:EXAMPLES]],
    )


def _named(before: dict[str, int], after: dict[str, int]) -> list[NamedChange]:
    names = sorted(set(before) | set(after), key=lambda name: (-abs(after.get(name, 0) - before.get(name, 0)), name))
    return [NamedChange(name, before.get(name, 0), after.get(name, 0)) for name in names]


def _regroupings(alerts: dict[int, StoredAlert], apart: dict[int, int], together: dict[int, int]) -> list[list[int]]:
    """Groups of `together` whose alerts were in several groups of `apart`: biggest change first."""
    members: dict[int, list[int]] = defaultdict(list)
    for alert_id, number in together.items():
        if alert_id in apart:
            members[number].append(alert_id)
    found = [sorted(ids) for ids in members.values() if len({apart[i] for i in ids}) > 1]
    return sorted(found, key=lambda ids: (-len({apart[i] for i in ids}), ids[0]))


def _example(
    alerts: dict[int, StoredAlert], members: list[int], current: dict[int, int], candidate: dict[int, int]
) -> Regrouping:
    """One incident of one side (a merge's candidate incident, a split's current one) and its alerts."""
    chosen = [alerts[i] for i in members]
    shared = dict(chosen[0].labels)
    for alert in chosen[1:]:
        shared = {name: value for name, value in shared.items() if alert.labels.get(name) == value}
    return Regrouping(
        alerts=len(members),
        incidents_before=len({current[i] for i in members}),
        incidents_after=len({candidate[i] for i in members}),
        alert_names=sorted({alert.alert_name or "(unnamed)" for alert in chosen}),
        common_labels=dict(sorted(shared.items())),
        real_incidents=sorted({alert.incident_id for alert in chosen if alert.incident_id is not None})[:10],
    )
