"""The page's top-level status, computed as Atlassian Statuspage does (pure).

Statuspage ("Top-level status and incident impact calculations"):
- no components: "All Systems Operational" unless an incident is open;
- one component: operational -> All Systems Operational, under maintenance -> Service Under Maintenance,
  degraded -> Partially Degraded Service, partial outage -> Partial System Outage, major outage -> Major System
  Outage;
- two or more: a blend. All in major outage -> Major System Outage; any in major outage, or all in partial
  outage -> Partial System Outage; some in partial outage -> Minor Service Outage; all degraded -> Degraded
  System Service; some degraded -> Partially Degraded Service; any under maintenance -> Service Under Maintenance.
The indicator of each description: critical, major, minor (the three yellow ones), maintenance, none.
An incident's impact follows its affected components (major outage -> critical, partial -> major, degraded ->
minor) unless someone set it by hand. A computed impact says nothing the components do not already say: one
component of many in major outage makes a "critical" incident on a "major" page (Statuspage's own answer to
"why is my page major when the incident is critical"). So only a declared impact (set by hand, or of an
incident naming no component, as on a page without components) raises the page to at least its level (minor ->
Minor Service Outage, major -> Partial System Outage, critical -> Major System Outage); a running maintenance
raises it to "maintenance".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from warroom.status.vocabulary import ComponentStatus, Impact, Indicator

ALL_OPERATIONAL = "All Systems Operational"
UNDER_MAINTENANCE = "Service Under Maintenance"
PARTIALLY_DEGRADED = "Partially Degraded Service"
DEGRADED_SYSTEM = "Degraded System Service"
MINOR_OUTAGE = "Minor Service Outage"
PARTIAL_OUTAGE = "Partial System Outage"
MAJOR_OUTAGE = "Major System Outage"


@dataclass(frozen=True)
class PageStatus:
    indicator: Indicator
    description: str


OPERATIONAL = PageStatus(Indicator.NONE, ALL_OPERATIONAL)

_SINGLE = {
    ComponentStatus.OPERATIONAL: OPERATIONAL,
    ComponentStatus.UNDER_MAINTENANCE: PageStatus(Indicator.MAINTENANCE, UNDER_MAINTENANCE),
    ComponentStatus.DEGRADED_PERFORMANCE: PageStatus(Indicator.MINOR, PARTIALLY_DEGRADED),
    ComponentStatus.PARTIAL_OUTAGE: PageStatus(Indicator.MAJOR, PARTIAL_OUTAGE),
    ComponentStatus.MAJOR_OUTAGE: PageStatus(Indicator.CRITICAL, MAJOR_OUTAGE),
}

_BY_IMPACT = {
    Impact.MINOR: PageStatus(Indicator.MINOR, MINOR_OUTAGE),
    Impact.MAJOR: PageStatus(Indicator.MAJOR, PARTIAL_OUTAGE),
    Impact.CRITICAL: PageStatus(Indicator.CRITICAL, MAJOR_OUTAGE),
}

_IMPACT_OF_COMPONENT = {
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
}


def components_status(statuses: Sequence[ComponentStatus]) -> PageStatus:
    """The blend of the page's components (groups excluded: their status is their members')."""
    if not statuses:
        return OPERATIONAL
    if len(statuses) == 1:
        return _SINGLE[statuses[0]]
    present = set(statuses)
    if present == {ComponentStatus.MAJOR_OUTAGE}:
        return PageStatus(Indicator.CRITICAL, MAJOR_OUTAGE)
    if ComponentStatus.MAJOR_OUTAGE in present or present == {ComponentStatus.PARTIAL_OUTAGE}:
        return PageStatus(Indicator.MAJOR, PARTIAL_OUTAGE)
    if ComponentStatus.PARTIAL_OUTAGE in present:
        return PageStatus(Indicator.MINOR, MINOR_OUTAGE)
    if present == {ComponentStatus.DEGRADED_PERFORMANCE}:
        return PageStatus(Indicator.MINOR, DEGRADED_SYSTEM)
    if ComponentStatus.DEGRADED_PERFORMANCE in present:
        return PageStatus(Indicator.MINOR, PARTIALLY_DEGRADED)
    if ComponentStatus.UNDER_MAINTENANCE in present:
        return PageStatus(Indicator.MAINTENANCE, UNDER_MAINTENANCE)
    return OPERATIONAL


def page_status(
    components: Sequence[ComponentStatus], declared_impacts: Iterable[Impact], active_maintenances: int
) -> PageStatus:
    """The top-level status: the worst of the components' blend, the impacts declared on open incidents and
    running maintenances. On a tie the components' own words win (they say more than an impact)."""
    candidates = [components_status(components)]
    candidates += [_BY_IMPACT[impact] for impact in declared_impacts if impact in _BY_IMPACT]
    if active_maintenances > 0:
        candidates.append(PageStatus(Indicator.MAINTENANCE, UNDER_MAINTENANCE))
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate.indicator.rank > best.indicator.rank:
            best = candidate
    return best


def impact_of(statuses: Iterable[ComponentStatus]) -> Impact:
    """An incident's impact from the statuses its affected components were given."""
    worst = Impact.NONE
    for status in statuses:
        impact = _IMPACT_OF_COMPONENT.get(status, Impact.NONE)
        if impact.rank > worst.rank:
            worst = impact
    return worst


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """A group's status: its worst member (operational when it has none)."""
    return max(statuses, key=lambda status: status.rank, default=ComponentStatus.OPERATIONAL)
