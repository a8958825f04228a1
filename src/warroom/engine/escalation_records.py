"""Escalation rows as read models, and the queries the escalation engine and its readers share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.incidents.views import incident_ref
from warroom.oncall.escalation_plan import Plan
from warroom.store.tables import escalations, incidents, pages

# Pages sent by hand (`page`) hang off one escalation row per incident with this policy, so the `pages` ledger,
# its unique key, acknowledgements and the escalation views work unchanged. The row is always "stopped": no
# timer ever runs it, and `_escalations` leaves it out of every loop that runs policies.
MANUAL = "manual"


class EscalationState(StrEnum):
    RUNNING = "running"
    ACKNOWLEDGED = "acknowledged"  # an acknowledgement chain someone acknowledged
    EXHAUSTED = "exhausted"  # every level paged; nobody acknowledged (acknowledgement chains stay flagged)
    STOPPED = "stopped"  # resolved, or the policy no longer applies after a severity change


@dataclass(frozen=True)
class PageView:
    incident: str
    policy: str
    level: int  # 1-based, as people count
    round: int
    person: str
    via: str
    methods: list[str]
    paged_at: datetime


@dataclass(frozen=True)
class EscalationView:
    policy: str
    name: str
    kind: str
    state: str
    level: int  # 1-based; 0 before the first page
    levels: int
    round: int
    next_due_at: datetime | None
    stop_reason: str | None


def pages_of(connection: Connection, number: int) -> list[PageView]:
    query = (
        select(pages, escalations.c.policy)
        .join(escalations, escalations.c.id == pages.c.escalation_id)
        .where(pages.c.incident_id == number)
        .order_by(pages.c.paged_at, pages.c.id)
    )
    return [
        PageView(incident_ref(number), r.policy, r.level + 1, r.round, r.person, r.via, list(r.methods), r.paged_at)
        for r in connection.execute(query)
    ]


def escalations_of(connection: Connection, number: int) -> list[EscalationView]:
    views = []
    for row in escalation_rows(connection, number, None, manual=True):
        if row.policy == MANUAL:
            paged = row.level + 1  # one level per manual page
            views.append(EscalationView(MANUAL, "Manual pages", MANUAL, row.state, paged, paged, 0, None, None))
            continue
        plan = Plan.from_json(row.plan)
        views.append(
            EscalationView(
                row.policy,
                plan.name,
                plan.kind.value,
                row.state,
                row.level + 1,
                len(plan.levels),
                row.round,
                row.next_due_at if row.state == EscalationState.RUNNING.value else None,
                row.stop_reason,
            )
        )
    return views


def incident_row(tx: Connection, number: int) -> Row[Any]:
    return tx.execute(select(incidents).where(incidents.c.id == number)).one()


def escalation_rows(
    tx: Connection, number: int, states: tuple[EscalationState, ...] | None, manual: bool = False
) -> list[Row[Any]]:
    """The incident's escalation rows; the manual-pages row only when asked (it has no policy plan to run)."""
    query = select(escalations).where(escalations.c.incident_id == number).order_by(escalations.c.id)
    if not manual:
        query = query.where(escalations.c.policy != MANUAL)
    if states is not None:
        query = query.where(escalations.c.state.in_([s.value for s in states]))
    return list(tx.execute(query))


def page_ids(tx: Connection, escalation_id: int) -> list[int]:
    return list(tx.execute(select(pages.c.id).where(pages.c.escalation_id == escalation_id)).scalars())
