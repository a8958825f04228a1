"""What one side of a replay amounts to: incidents, pages, people woken at night, escalations past level 1.

Pages are the escalation steps that reached a person (the `pages` table, as the on-call report counts them);
`by_method` counts what would have been delivered to them (an SMS and a call for one page count two). Night
pages are the on-call report's own figure (ReportService over the simulated store): a page at night in the
person's time zone, else the playbook's, in the playbook's overnight window, else 22:00-07:00.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from warroom.replay.simulate import Outcome


@dataclass(frozen=True)
class SeverityCount:
    key: str
    label: str
    incidents: int


@dataclass(frozen=True)
class PersonLoad:
    person: str
    pages: int
    night_pages: int
    by_method: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SideSummary:
    playbook: str
    incidents: int
    acknowledged: int
    by_severity: list[SeverityCount]
    pages: int
    night_pages: int
    people_woken_at_night: int
    escalated_incidents: int  # incidents whose escalation paged beyond its first level
    pages_beyond_first_level: int
    people: list[PersonLoad]


def summarise(outcome: Outcome) -> SideSummary:
    playbook = outcome.playbook
    severities = Counter(incident.severity for incident in outcome.incidents)
    order = {key: index for index, key in enumerate(playbook.severity_keys())}
    by_severity = [
        SeverityCount(key, playbook.severity(key).label if key in order else key, count)
        for key, count in sorted(severities.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    ]
    pages = Counter(page.person for page in outcome.pages)
    methods: dict[str, dict[str, int]] = defaultdict(dict)
    for (person, method), count in sorted(outcome.sent.items()):
        methods[person][method] = count
    people = sorted(set(pages) | set(methods) | set(outcome.night_pages))
    loads = [
        PersonLoad(person, pages.get(person, 0), outcome.night_pages.get(person, 0), methods.get(person, {}))
        for person in people
    ]
    beyond = [page for page in outcome.pages if page.level > 0]
    return SideSummary(
        playbook=playbook.name,
        incidents=len(outcome.incidents),
        acknowledged=sum(1 for incident in outcome.incidents if incident.acknowledged_at is not None),
        by_severity=by_severity,
        pages=len(outcome.pages),
        night_pages=sum(outcome.night_pages.values()),
        people_woken_at_night=sum(1 for count in outcome.night_pages.values() if count > 0),
        escalated_incidents=len({page.incident for page in beyond}),
        pages_beyond_first_level=len(beyond),
        people=sorted(loads, key=lambda load: (-load.pages, load.person)),
    )
