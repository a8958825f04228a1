"""Maintenance windows per service: alerts are recorded and shown, nobody is paged."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Row, bindparam, insert, or_, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import Conflict, NotFound, Problems
from warroom.incidents.commands import AwareDatetime
from warroom.playbook.registry import PlaybookRegistry
from warroom.store.database import Database
from warroom.store.tables import maintenance_windows

MAX_WINDOW = timedelta(days=31)


class CreateMaintenance(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service: str = Field(min_length=1, max_length=64)
    starts_at: AwareDatetime | None = Field(None, description="Default: now.")
    ends_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=2_000)


class MaintenanceView(BaseModel):
    id: int
    service: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    active: bool


def active_window(connection: Connection, service: str, now: datetime) -> int | None:
    """The id of a window covering `now` for this service (half-open: [starts_at, ends_at))."""
    return connection.execute(_ACTIVE_WINDOW, {"m_service": service, "m_now": now}).scalar()


# Built once: every new alert asks it, and building a select costs more than running it.
_ACTIVE_WINDOW = (
    select(maintenance_windows.c.id)
    .where(
        maintenance_windows.c.service == bindparam("m_service"),
        maintenance_windows.c.starts_at <= bindparam("m_now"),
        maintenance_windows.c.ends_at > bindparam("m_now"),
        or_(maintenance_windows.c.ended_at.is_(None), maintenance_windows.c.ended_at > bindparam("m_now")),
    )
    .order_by(maintenance_windows.c.id)
    .limit(1)
)


class MaintenanceService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks

    def create(self, actor: Actor, command: CreateMaintenance) -> MaintenanceView:
        now = self.clock.now()
        starts = command.starts_at or now
        problems = Problems()
        known = {service.key for service in self.playbooks.active[1].services}
        if known and command.service not in known:
            problems.add("service", f"unknown service {command.service!r}; known: {', '.join(sorted(known))}")
        if command.ends_at <= starts:
            problems.add("ends_at", "must be after starts_at")
        elif command.ends_at - starts > MAX_WINDOW:
            problems.add("ends_at", "a maintenance window lasts at most 31 days")
        if command.ends_at <= now:
            problems.add("ends_at", "is in the past")
        problems.raise_if_any()
        with self.db.transaction() as tx:
            number = tx.execute(
                insert(maintenance_windows)
                .values(
                    service=command.service,
                    starts_at=starts,
                    ends_at=command.ends_at,
                    reason=command.reason,
                    created_by=actor.name,
                    created_at=now,
                )
                .returning(maintenance_windows.c.id)
            ).scalar_one()
            detail = {
                "service": command.service,
                "starts_at": starts.isoformat(),
                "ends_at": command.ends_at.isoformat(),
            }
            record_audit(tx, now, actor, "maintenance.create", f"maintenance:{number}", detail)
            return self._view(self._row(tx, number), now)

    def end(self, actor: Actor, number: int) -> MaintenanceView:
        now = self.clock.now()
        with self.db.transaction() as tx:
            row = self._row(tx, number)
            if not self._active(row, now) and row.starts_at <= now:
                raise Conflict(f"maintenance window {number} is already over")
            tx.execute(update(maintenance_windows).where(maintenance_windows.c.id == number).values(ended_at=now))
            record_audit(tx, now, actor, "maintenance.end", f"maintenance:{number}", {})
            return self._view(self._row(tx, number), now)

    def list(self, include_past: bool = False) -> list[MaintenanceView]:
        now = self.clock.now()
        query = select(maintenance_windows).order_by(maintenance_windows.c.starts_at, maintenance_windows.c.id)
        if not include_past:
            query = query.where(
                maintenance_windows.c.ends_at > now,
                or_(maintenance_windows.c.ended_at.is_(None), maintenance_windows.c.ended_at > now),
            )
        with self.db.read() as connection:
            return [self._view(row, now) for row in connection.execute(query)]

    @staticmethod
    def _row(connection: Connection, number: int) -> Row[Any]:
        row = connection.execute(select(maintenance_windows).where(maintenance_windows.c.id == number)).first()
        if row is None:
            raise NotFound(f"no maintenance window {number}")
        return row

    @staticmethod
    def _active(row: Row[Any], now: datetime) -> bool:
        ended = row.ended_at is not None and row.ended_at <= now
        return row.starts_at <= now < row.ends_at and not ended

    def _view(self, row: Row[Any], now: datetime) -> MaintenanceView:
        return MaintenanceView(
            id=row.id,
            service=row.service,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            reason=row.reason,
            created_by=row.created_by,
            created_at=row.created_at,
            ended_at=row.ended_at,
            active=self._active(row, now),
        )
