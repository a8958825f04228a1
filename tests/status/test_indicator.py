"""The page's top-level status, as Statuspage computes it: table cases from its documentation, then properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.status.indicator import (
    ALL_OPERATIONAL,
    DEGRADED_SYSTEM,
    MAJOR_OUTAGE,
    MINOR_OUTAGE,
    PARTIAL_OUTAGE,
    PARTIALLY_DEGRADED,
    UNDER_MAINTENANCE,
    components_status,
    impact_of,
    page_status,
    worst,
)
from warroom.status.vocabulary import ComponentStatus, Impact, Indicator

OP = ComponentStatus.OPERATIONAL
MAINT = ComponentStatus.UNDER_MAINTENANCE
DEG = ComponentStatus.DEGRADED_PERFORMANCE
PART = ComponentStatus.PARTIAL_OUTAGE
MAJ = ComponentStatus.MAJOR_OUTAGE

statuses = st.sampled_from(list(ComponentStatus))
impacts = st.sampled_from([Impact.NONE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL])


@pytest.mark.parametrize(
    ("status", "indicator", "description"),
    [
        (OP, "none", ALL_OPERATIONAL),
        (MAINT, "maintenance", UNDER_MAINTENANCE),
        (DEG, "minor", PARTIALLY_DEGRADED),
        (PART, "major", PARTIAL_OUTAGE),
        (MAJ, "critical", MAJOR_OUTAGE),
    ],
)
def test_a_page_with_one_component_reads_its_status(status: ComponentStatus, indicator: str, description: str) -> None:
    result = components_status([status])
    assert (result.indicator.value, result.description) == (indicator, description)


@pytest.mark.parametrize(
    ("components", "indicator", "description"),
    [
        ([], "none", ALL_OPERATIONAL),
        ([OP, OP, OP], "none", ALL_OPERATIONAL),
        ([OP, MAINT, OP], "maintenance", UNDER_MAINTENANCE),
        ([DEG, OP, OP], "minor", PARTIALLY_DEGRADED),
        ([DEG, DEG, DEG], "minor", DEGRADED_SYSTEM),
        ([PART, OP, DEG], "minor", MINOR_OUTAGE),
        ([PART, PART], "major", PARTIAL_OUTAGE),
        ([MAJ, OP, OP], "major", PARTIAL_OUTAGE),
        ([MAJ, PART, MAINT], "major", PARTIAL_OUTAGE),
        ([MAJ, MAJ], "critical", MAJOR_OUTAGE),
    ],
)
def test_two_or_more_components_blend(components: list[ComponentStatus], indicator: str, description: str) -> None:
    result = components_status(components)
    assert (result.indicator.value, result.description) == (indicator, description)


def test_an_open_incident_raises_the_page_to_its_impact() -> None:
    assert page_status([OP, OP], [Impact.MINOR], 0).description == MINOR_OUTAGE
    assert page_status([], [Impact.MAJOR], 0).indicator is Indicator.MAJOR
    assert page_status([OP], [Impact.CRITICAL, Impact.MINOR], 0).description == MAJOR_OUTAGE
    assert page_status([OP], [Impact.NONE], 0).description == ALL_OPERATIONAL
    # On a tie the components' own words win.
    assert page_status([DEG, OP], [Impact.MINOR], 0).description == PARTIALLY_DEGRADED


def test_a_running_maintenance_shows_unless_something_is_worse() -> None:
    assert page_status([OP, OP], [], 1).indicator is Indicator.MAINTENANCE
    assert page_status([DEG, OP], [], 1).indicator is Indicator.MINOR


def test_incident_impact_follows_the_worst_affected_component() -> None:
    assert impact_of([]) is Impact.NONE
    assert impact_of([OP, MAINT]) is Impact.NONE
    assert impact_of([DEG, OP]) is Impact.MINOR
    assert impact_of([DEG, PART]) is Impact.MAJOR
    assert impact_of([MAJ, DEG]) is Impact.CRITICAL


@given(st.lists(statuses, max_size=12), st.data())
def test_making_a_component_worse_never_improves_the_page(
    components: list[ComponentStatus], data: st.DataObject
) -> None:
    if not components:
        return
    index = data.draw(st.integers(0, len(components) - 1))
    worse = data.draw(st.sampled_from([s for s in ComponentStatus if s.rank >= components[index].rank]))
    changed = [*components[:index], worse, *components[index + 1 :]]
    assert components_status(changed).indicator.rank >= components_status(components).indicator.rank


@given(st.lists(statuses, max_size=12), st.randoms())
def test_order_of_components_does_not_matter(components: list[ComponentStatus], random: object) -> None:
    shuffled = list(components)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert components_status(shuffled) == components_status(components)


@given(st.lists(statuses, max_size=12), st.lists(impacts, max_size=4), st.integers(0, 3))
def test_the_page_is_at_least_as_bad_as_each_input(
    components: list[ComponentStatus], open_impacts: list[Impact], maintenances: int
) -> None:
    result = page_status(components, open_impacts, maintenances)
    assert result.indicator.rank >= components_status(components).indicator.rank
    for impact in open_impacts:
        assert result.indicator.rank >= page_status([], [impact], 0).indicator.rank
    if maintenances:
        assert result.indicator.rank >= Indicator.MAINTENANCE.rank
    # Operational only when nothing at all is wrong or planned.
    nothing = all(s is OP for s in components) and not maintenances and all(i is Impact.NONE for i in open_impacts)
    assert (result.description == ALL_OPERATIONAL) == nothing


@given(st.lists(statuses, min_size=2, max_size=12))
def test_critical_only_when_every_component_is_down(components: list[ComponentStatus]) -> None:
    critical = components_status(components).indicator is Indicator.CRITICAL
    assert critical == all(status is MAJ for status in components)


@given(st.lists(statuses, max_size=8))
def test_a_group_shows_its_worst_member(members: list[ComponentStatus]) -> None:
    shown = worst(members)
    assert all(shown.rank >= member.rank for member in members)
    assert shown in members or (not members and shown is OP)
