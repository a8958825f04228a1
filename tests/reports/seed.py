"""A small, hand-checkable history written straight into the tables (the report only reads them).

The clock reads Monday 2026-03-30 12:00 UTC; `--period 30d` covers [2026-02-28 12:00, 2026-03-30 12:00) UTC.
The playbook is the minimal fixture (Europe/Berlin; SEV-1, SEV-2; no compensation, so nights are the default
22:00-07:00) with Alice living in America/New_York. Berlin moves to summer time on 2026-03-29 at 02:00
(UTC+1 -> UTC+2), New York on 2026-03-08. Times below are UTC; `at(3, 2, 10)` is 2026-03-02 10:00 UTC.

| inc | severity | services | detection   | started | detected | triggered | acked | mitigated | resolved |
| A   | sev1     | api, db  | alert       | 03-02 10:00 | 10:05 | 10:06 | 10:10 | 10:40 | 11:00 (closed) |
| B   | sev1     | api      | manual      | 03-10 08:00 | 08:00 | 08:01 | 08:03 | 09:00 | 10:00 |
| C   | sev2     | db       | user_report | 03-16 12:00 | 12:20 | 12:20 | -     | 13:20 | 14:00 |
| D   | sev2     | -        | alert       | 03-25 09:00 | 09:10 | 09:10 | 09:15 | -     | open  |
| E   | sev1     | api      | alert       | 03-28 20:00 | 20:00 | 20:01 | 20:11 | 20:30 | open (monitoring) |
| F   | duplicate of A, sev1, triggered 03-02 10:07: left out                                         |
| G   | sev1, triggered 02-20: before the window                                                        |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from tests.harness.app import fixture_playbook
from warroom.clock import ManualClock
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.store.database import Database
from warroom.store.tables import action_items, escalations, incident_roles, incidents, pages
from warroom.store.tables import postmortems as postmortem_table

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def report_playbook() -> Playbook:
    playbook = fixture_playbook()
    people = [
        person.model_copy(update={"timezone": "America/New_York"}) if person.key == "alice" else person
        for person in playbook.people
    ]
    return playbook.model_copy(update={"people": people})


@dataclass
class Seeded:
    db: Database
    clock: ManualClock
    registry: PlaybookRegistry
    version: int
    ids: dict[str, int]


def incident(
    db: Database,
    version: int,
    title: str,
    severity: str,
    started: datetime,
    detected: datetime,
    triggered: datetime,
    *,
    status: str = "resolved",
    services: tuple[str, ...] = (),
    source: str = "alert",
    acknowledged: datetime | None = None,
    mitigated: datetime | None = None,
    resolved: datetime | None = None,
    duplicate_of: int | None = None,
    private: bool = False,
) -> int:
    closed = resolved if status == "closed" else None
    values: dict[str, Any] = dict(
        title=title, summary="", severity=severity, declared_severity_label=severity.upper(), status=status,
        private=private, impact={}, services=list(services), tags=[], links=[], detection_source=source,
        duplicate_of=duplicate_of, playbook_version_id=version, created_by="test", started_at=started,
        detected_at=detected, triggered_at=triggered, acknowledged_at=acknowledged, mitigated_at=mitigated,
        resolved_at=resolved, closed_at=closed, updated_at=triggered, revision=1, runbooks=[],
    )  # fmt: skip
    with db.transaction() as tx:
        return int(tx.execute(insert(incidents).values(**values).returning(incidents.c.id)).scalar_one())


def seed_incidents(db: Database, version: int) -> dict[str, int]:
    ids = {
        "A": incident(db, version, "API and DB down", "sev1", at(3, 2, 10), at(3, 2, 10, 5), at(3, 2, 10, 6),
                      status="closed", services=("api", "db"), acknowledged=at(3, 2, 10, 10),
                      mitigated=at(3, 2, 10, 40), resolved=at(3, 2, 11)),
        "B": incident(db, version, "=cmd|' /C calc'!A0", "sev1", at(3, 10, 8), at(3, 10, 8), at(3, 10, 8, 1),
                      services=("api",), source="manual", acknowledged=at(3, 10, 8, 3), mitigated=at(3, 10, 9),
                      resolved=at(3, 10, 10)),
        "C": incident(db, version, "Slow search, EU", "sev2", at(3, 16, 12), at(3, 16, 12, 20), at(3, 16, 12, 20),
                      services=("db",), source="user_report", mitigated=at(3, 16, 13, 20), resolved=at(3, 16, 14)),
        "D": incident(db, version, "Disk filling", "sev2", at(3, 25, 9), at(3, 25, 9, 10), at(3, 25, 9, 10),
                      status="investigating", acknowledged=at(3, 25, 9, 15)),
        "E": incident(db, version, "Login errors", "sev1", at(3, 28, 20), at(3, 28, 20), at(3, 28, 20, 1),
                      status="monitoring", services=("api",), acknowledged=at(3, 28, 20, 11),
                      mitigated=at(3, 28, 20, 30)),
        "G": incident(db, version, "Before the window", "sev1", at(2, 20, 9), at(2, 20, 9), at(2, 20, 9),
                      services=("api",), acknowledged=at(2, 20, 9, 1), resolved=at(2, 20, 10)),
    }  # fmt: skip
    ids["F"] = incident(db, version, "API down (again)", "sev1", at(3, 2, 10), at(3, 2, 10, 6), at(3, 2, 10, 7),
                        services=("api",), resolved=at(3, 2, 11), duplicate_of=ids["A"])  # fmt: skip
    return ids


def seed_followups(db: Database, ids: dict[str, int]) -> None:
    """Postmortems, action items, roles and pages of the history above."""
    pm = [
        # A: published before its due date: on time. B: published exactly at its due date: late (half-open).
        ("A", "required", "published", None, at(3, 4, 11), at(3, 3, 9)),
        ("B", "required", "published", "bob", at(3, 12, 10), at(3, 12, 10)),
        ("C", "required", "in_review", None, at(3, 18, 14), None),  # due passed: overdue, on-time eligible
        ("D", "optional", "draft", None, at(4, 1, 9), None),
        ("E", "required", "skipped", None, None, None),
        ("F", "required", "draft", None, at(3, 4, 11), None),  # the duplicate's: left out
        ("G", "required", "draft", None, at(2, 22, 10), None),  # before the window: left out
    ]
    items = [
        ("A", "done", at(3, 2, 12), at(3, 9, 12), at(3, 5, 12)),
        ("A", "wont_do", at(3, 3, 12), None, at(3, 4, 12)),
        ("B", "open", at(3, 11, 12), at(3, 20, 12), None),  # overdue
        ("B", "in_progress", at(3, 11, 13), at(4, 10, 12), None),
        ("C", "open", at(3, 17, 12), None, None),
        ("G", "open", at(2, 21, 12), at(2, 28, 12), None),  # created before the window
        ("C", "open", NOW, None, None),  # created at the window's end: outside (half-open)
    ]
    paged = [
        ("E", "bob", at(3, 28, 20, 1)),  # 21:01 CET: evening
        ("E", "bob", at(3, 28, 21, 30)),  # 22:30 CET: night
        ("E", "bob", at(3, 29, 5, 30)),  # 07:30 CEST, after the change (06:30 in winter time): day
        ("D", "bob", at(3, 29, 4, 30)),  # 06:30 CEST: night
        ("A", "alice", at(3, 2, 10, 6)),  # 05:06 EST: night
        ("B", "alice", at(3, 10, 8, 1)),  # 04:01 EDT: night
        ("B", "alice", at(3, 10, 11, 30)),  # 07:30 EDT (06:30 in winter time): day
        ("C", "carol", at(3, 16, 21, 30)),  # not in the playbook: Berlin, 22:30 CET: night
        ("G", "bob", at(2, 20, 9)),  # before the window
    ]
    with db.transaction() as tx:
        for key, requirement, state, owner, due, published in pm:
            tx.execute(
                insert(postmortem_table).values(
                    incident_id=ids[key], requirement=requirement, state=state, owner=owner, due_at=due,
                    markdown="", created_at=at(3, 1, 0), updated_at=at(3, 1, 0), updated_by="test",
                    published_at=published, revision=1,
                )
            )  # fmt: skip
        for key, status, created, due, closed in items:
            tx.execute(
                insert(action_items).values(
                    incident_id=ids[key], title="Fix", description="", priority="high", due_at=due, status=status,
                    created_by="test", created_at=created, updated_at=created, closed_at=closed,
                )
            )  # fmt: skip
        escalation_ids: dict[str, int] = {}
        for key in sorted({key for key, _, _ in paged}):
            escalation_ids[key] = tx.execute(
                insert(escalations).values(
                    incident_id=ids[key], policy="chain", kind="acknowledgement", plan={}, state="stopped",
                    anchor_at=at(2, 1, 0), level=0, round=0, started_at=at(2, 1, 0),
                ).returning(escalations.c.id)
            ).scalar_one()  # fmt: skip
        for round_, (key, person, when) in enumerate(paged):
            tx.execute(
                insert(pages).values(
                    escalation_id=escalation_ids[key], incident_id=ids[key], level=0, round=round_, person=person,
                    via="schedule primary", methods=["sms"], due_at=when, paged_at=when,
                )
            )  # fmt: skip
        # B has a commander and a postmortem owner: the log names the owner.
        for key, person in (("A", "alice"), ("B", "alice"), ("D", "carol")):
            tx.execute(
                insert(incident_roles).values(
                    incident_id=ids[key], role="incident_commander", person=person, assigned_at=at(3, 1, 0),
                    assigned_by="test",
                )
            )  # fmt: skip


def seed(database_url: str) -> Seeded:
    db = Database(database_url)
    clock = ManualClock(NOW)
    registry = PlaybookRegistry(db)
    version = registry.activate(report_playbook(), clock)
    ids = seed_incidents(db, version)
    seed_followups(db, ids)
    return Seeded(db, clock, registry, version, ids)
