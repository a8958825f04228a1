"""Conditional escalation levels (oncall/escalation_plan.condition_holds): "the CEO if customer-facing".

Stated facts decide; the incident's services count as stated facts; what nobody has stated pages (SEMANTICS:
never page less). The engine records a level it skips on the timeline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.engine.small_team import WEDNESDAY, declare, events, small_team
from tests.harness.paging import paging_app
from warroom.oncall.escalation_plan import condition_holds


@pytest.mark.parametrize(
    ("impact", "services_customer_facing", "pages"),
    [
        ({"customer_facing": False}, True, False),  # the stated fact wins over the services
        ({"customer_facing": True}, False, True),
        ({"users_affected_pct": 10}, False, True),  # users affected is a stated customer impact
        ({"users_affected_pct": 0}, None, False),
        ({}, False, False),  # every service internal, nothing stated: not customer-facing
        ({}, None, True),  # nothing known at all: page
        ({}, True, True),
    ],
)
def test_customer_facing_condition(impact: dict[str, Any], services_customer_facing: bool | None, pages: bool) -> None:
    holds, why = condition_holds("customer_facing", impact, services_customer_facing)
    assert holds is pages
    assert why  # the timeline says why a level paged or was skipped


def test_internal_services_only_is_the_reason_given() -> None:
    assert condition_holds("customer_facing", {}, False) == (False, "internal services only: not customer-facing")


def test_unknown_customer_impact_pages() -> None:
    assert condition_holds("customer_facing", {}, None) == (True, "customer impact not stated: paging")


def test_an_unconditional_level_always_applies() -> None:
    assert condition_holds(None, {"customer_facing": False}, False) == (True, "")


def test_a_customer_facing_level_is_skipped_for_an_incident_on_internal_services_only(database_url: str) -> None:
    """Small-team SEV-2: the chain (alice, then carol at 5 minutes) and, at 30 minutes, the CEO if customer-facing."""
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, pager):
        number = declare(app, "sev2", services=["build-farm"])
        pager.tick()
        pager.expect(("alice", "sms"))
        pager.tick(5)
        pager.expect(("carol", "sms"))
        pager.tick(25)
        pager.expect_nothing()
        [skipped] = events(app, number, "escalation_skipped")
        assert skipped.at == WEDNESDAY + timedelta(minutes=30)
        assert skipped.after == {"policy": "executives", "level": 1, "condition": "customer_facing"}
        assert "internal services only" in skipped.text


def test_a_customer_facing_level_pages_for_an_incident_on_a_customer_facing_service(database_url: str) -> None:
    with paging_app(database_url, playbook=small_team(), start=WEDNESDAY) as (app, pager):
        number = declare(app, "sev2", services=["checkout"])
        pager.tick()
        pager.expect(("alice", "sms"))
        pager.tick(5)
        pager.expect(("carol", "sms"))
        pager.tick(25)
        pager.expect(("ceo", "sms"))
        assert events(app, number, "escalation_skipped") == []
