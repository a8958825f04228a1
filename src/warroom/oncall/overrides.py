"""Schedule overrides made at run time: replace, add or remove a person for a window (API and CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import Connection, insert, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import Conflict, NotFound, Problems
from warroom.oncall.schedules import Override
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema.oncall import OverrideKind
from warroom.store.database import Database
from warroom.store.tables import schedule_overrides


class CreateOverride(BaseModel):
    kind: OverrideKind = OverrideKind.REPLACE
    person: str = Field(min_length=1, max_length=64)
    replaces: str | None = Field(None, max_length=64)
    starts_at: datetime
    ends_at: datetime
    note: str | None = Field(None, max_length=2000)


class OverrideView(BaseModel):
    id: int
    schedule: str
    kind: OverrideKind
    person: str
    replaces: str | None
    starts_at: datetime
    ends_at: datetime
    note: str | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class StoredOverride:
    view: OverrideView

    def as_override(self) -> Override:
        v = self.view
        return Override(v.kind, v.starts_at, v.ends_at, v.person, v.replaces, id=v.id, note=v.note)


def overrides_between(
    connection: Connection, schedules: Sequence[str] | None, start: datetime, end: datetime
) -> dict[str, list[Override]]:
    """Overrides in force at some instant of [start, end), by schedule, in the order they were made."""
    query = (
        select(schedule_overrides)
        .where(
            schedule_overrides.c.removed_at.is_(None),
            schedule_overrides.c.starts_at < end,
            schedule_overrides.c.ends_at > start,
        )
        .order_by(schedule_overrides.c.id)
    )
    if schedules is not None:
        query = query.where(schedule_overrides.c.schedule.in_(list(schedules)))
    found: dict[str, list[Override]] = {}
    for row in connection.execute(query):
        found.setdefault(row.schedule, []).append(StoredOverride(_view(row)).as_override())
    return found


class OverrideService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks

    def create(self, actor: Actor, schedule: str, command: CreateOverride) -> OverrideView:
        _, playbook = self.playbooks.active
        problems = Problems()
        if not any(s.key == schedule for s in playbook.schedules):
            known = ", ".join(s.key for s in playbook.schedules) or "none"
            raise NotFound(f"no schedule {schedule!r} (known: {known})")
        people = {p.key for p in playbook.people}
        if people and command.person not in people:
            problems.add("person", f"unknown person {command.person!r}")
        if command.replaces is not None:
            if command.kind is not OverrideKind.REPLACE:
                problems.add("replaces", "only a 'replace' override names the person it replaces")
            elif people and command.replaces not in people:
                problems.add("replaces", f"unknown person {command.replaces!r}")
        for name in ("starts_at", "ends_at"):
            value = getattr(command, name)
            if value.tzinfo is None:
                problems.add(name, "give a time zone offset, e.g. 2026-12-01T09:00:00+01:00 or ...Z")
        aware = command.starts_at.tzinfo is not None and command.ends_at.tzinfo is not None
        if aware and command.ends_at <= command.starts_at:
            problems.add("ends_at", "must be after starts_at")
        problems.raise_if_any()
        now = self.clock.now()
        if command.ends_at <= now:
            raise Conflict("this override would already be over")
        with self.db.transaction() as tx:
            number = tx.execute(
                insert(schedule_overrides)
                .values(
                    schedule=schedule,
                    kind=command.kind.value,
                    person=command.person,
                    replaces=command.replaces,
                    starts_at=command.starts_at,
                    ends_at=command.ends_at,
                    note=command.note,
                    created_by=actor.name,
                    created_at=now,
                )
                .returning(schedule_overrides.c.id)
            ).scalar_one()
            detail = {
                "kind": command.kind.value,
                "person": command.person,
                "replaces": command.replaces,
                "starts_at": command.starts_at.isoformat(),
                "ends_at": command.ends_at.isoformat(),
            }
            record_audit(tx, now, actor, "schedule.override", f"schedule:{schedule}", detail)
            return _view(tx.execute(select(schedule_overrides).where(schedule_overrides.c.id == number)).one())

    def remove(self, actor: Actor, schedule: str, number: int) -> None:
        now = self.clock.now()
        with self.db.transaction() as tx:
            result = tx.execute(
                update(schedule_overrides)
                .where(
                    schedule_overrides.c.id == number,
                    schedule_overrides.c.schedule == schedule,
                    schedule_overrides.c.removed_at.is_(None),
                )
                .values(removed_at=now, removed_by=actor.name)
            )
            if result.rowcount != 1:
                raise NotFound(f"no override {number} on schedule {schedule!r}")
            record_audit(tx, now, actor, "schedule.override.remove", f"schedule:{schedule}", {"override": number})

    def list(self, schedule: str, start: datetime, end: datetime) -> list[OverrideView]:
        with self.db.read() as connection:
            rows = connection.execute(
                select(schedule_overrides)
                .where(
                    schedule_overrides.c.schedule == schedule,
                    schedule_overrides.c.removed_at.is_(None),
                    schedule_overrides.c.starts_at < end,
                    schedule_overrides.c.ends_at > start,
                )
                .order_by(schedule_overrides.c.starts_at, schedule_overrides.c.id)
            )
            return [_view(row) for row in rows]


def _view(row: object) -> OverrideView:
    return OverrideView.model_validate(row, from_attributes=True)
