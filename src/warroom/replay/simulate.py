"""One playbook over the stored history, in a Simulation: the real intake, engine and sender on a manual clock.

The history's integrations are recreated in the throw-away store with the same keys, kinds, services and
grouping; every instant's alerts go through AlertService.apply (the intake's use case, in one transaction on
this thread) as one delivery per integration, people respond as responders.py says, and time passes between
instants through Simulation.advance_to, so escalations fire at their own simulated times. What the channels
received stays in memory: nothing leaves the process.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from sqlalchemy import insert, select

from warroom.alerts.events import AlertBatch
from warroom.alerts.integrations import Integration, integration_of, key_digest
from warroom.auth.actors import SYSTEM
from warroom.drills.simulation import Simulation
from warroom.engine.escalations import EscalationService
from warroom.playbook.schema import Playbook
from warroom.replay.history import Happening, History, HistoryEvent, SourceIntegration
from warroom.replay.responders import Responders
from warroom.store.database import Database
from warroom.store.tables import incidents, integrations, pages

OPENED = ("created",)
JOINED = ("created", "attached", "repeat")


@dataclass(frozen=True)
class ReplayedIncident:
    number: int
    severity: str
    triggered_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class ReplayedPage:
    incident: int
    person: str
    level: int  # 0 is the first level
    paged_at: datetime


@dataclass
class Outcome:
    """What one playbook would have done with the history."""

    playbook: Playbook
    incidents: list[ReplayedIncident] = field(default_factory=list)
    pages: list[ReplayedPage] = field(default_factory=list)
    sent: dict[tuple[str, str], int] = field(default_factory=dict)  # (person, method) -> pages delivered
    night_pages: dict[str, int] = field(default_factory=dict)  # person -> pages at night (the reports' rule)
    incident_of: dict[int, int] = field(default_factory=dict)  # stored alert id -> replayed incident


def simulate(playbook: Playbook, history: History) -> Outcome:
    outcome = Outcome(playbook)
    with Simulation(playbook, history.since) as sim:
        _escalation_only(sim)
        sources = _recreate(sim.warroom.db, sim.now, history.integrations.values())
        responders = Responders(history.incidents)
        events = history.events()
        position = 0
        while True:
            upcoming = [t for t in (_at(events, position), responders.next_at()) if t is not None and t < history.until]
            if not upcoming:
                break
            instant = min(upcoming)
            sim.advance_to(instant)
            end = position
            while end < len(events) and events[end].at == instant:
                end += 1
            if end > position:
                _deliver(sim, sources, events[position:end], responders, outcome)
                position = end
            responders.respond_until(sim.warroom.incidents, instant)
        sim.advance_to(history.until)
        _collect(sim, history, outcome)
    return outcome


def _escalation_only(sim: Simulation) -> None:
    """Only the incident hook a replay measures: escalation (pages). War rooms, communication clocks,
    postmortem drafts and the process's own Prometheus counters cost a large share of a replay's time (a postmortem
    draft rendered per resolution, timers per update deadline) and change no incident, page or escalation."""
    incidents = sim.warroom.incidents
    incidents.hooks[:] = [hook for hook in incidents.hooks if isinstance(hook, EscalationService)]


def _at(events: list[HistoryEvent], position: int) -> datetime | None:
    return events[position].at if position < len(events) else None


def _recreate(db: Database, now: datetime, sources: Iterable[SourceIntegration]) -> dict[str, Integration]:
    """Rows written straight into the throw-away store: creating them through IntegrationService would refuse a
    service the playbook no longer names and arm heartbeat timers, and the replay needs neither."""
    found: dict[str, Integration] = {}
    with db.transaction() as tx:
        for source in sources:
            secret = secrets.token_hex(16)
            tx.execute(
                insert(integrations).values(
                    key=source.key,
                    name=source.name,
                    kind=source.kind.value,
                    service=source.service,
                    key_prefix=secret[:8],
                    key_hash=key_digest(secret),
                    grouping=source.grouping.value,
                    mapping={},
                    created_at=now,
                    created_by=SYSTEM.name,
                )
            )
            row = tx.execute(select(integrations).where(integrations.c.key == source.key)).one()
            found[source.key] = integration_of(row)
    return found


def _deliver(
    sim: Simulation,
    sources: dict[str, Integration],
    events: list[HistoryEvent],
    responders: Responders,
    outcome: Outcome,
) -> None:
    """One instant's alerts: one delivery per integration, in the order they happened."""
    for key, grouped in groupby(events, key=lambda event: event.alert.integration):
        batch_events = list(grouped)
        batch = AlertBatch(tuple(e.event() for e in batch_events))
        with sim.warroom.db.transaction() as tx:  # AlertService's use case on this thread: no writer hand-off
            results = sim.warroom.alerts.apply(tx, sources[key], batch)
        for event, result in zip(batch_events, results, strict=True):
            if event.happening is not Happening.TRIGGER or result.incident_id is None:
                continue
            if result.result in JOINED:
                outcome.incident_of[event.alert.id] = result.incident_id
            if result.result in OPENED:
                responders.opened(result.incident_id, event.at, event.alert.incident_id)


def _collect(sim: Simulation, history: History, outcome: Outcome) -> None:
    with sim.warroom.db.read() as connection:
        for row in connection.execute(select(incidents).order_by(incidents.c.id)):
            outcome.incidents.append(
                ReplayedIncident(row.id, row.severity, row.triggered_at, row.acknowledged_at, row.resolved_at)
            )
        query = select(pages.c.incident_id, pages.c.person, pages.c.level, pages.c.paged_at).order_by(pages.c.id)
        outcome.pages.extend(ReplayedPage(*row) for row in connection.execute(query))
    sent: dict[tuple[str, str], int] = defaultdict(int)
    for delivery in sim.log.deliveries:
        message = delivery.message
        if message.kind == "page" and message.recipient is not None:
            sent[(message.recipient, message.method or delivery.channel)] += 1
    outcome.sent = dict(sent)
    load = sim.warroom.reports.report(SYSTEM, since=history.since, until=history.until).on_call
    outcome.night_pages = {person.person: person.night_pages for person in load.people if person.night_pages}
