"""Durable timers: rows with a due time, armed and claimed inside the transactions that need them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from warroom.store.tables import timers


@dataclass(frozen=True)
class Timer:
    id: int
    kind: str
    subject: str
    due_at: datetime
    fence: int
    payload: dict[str, Any]


def arm(
    tx: Connection, kind: str, subject: str, due_at: datetime, now: datetime, payload: dict[str, Any] | None = None
) -> None:
    """Set (or move) the one pending timer of this kind and subject. Moving bumps the fence.

    One upsert on the partial unique index of pending timers: on PostgreSQL a concurrent arming waits for the
    other transaction and then moves its row, as the look-up, insert and savepoint it replaces did."""
    tx.execute(
        _ARM[tx.dialect.name],
        {"kind": kind, "subject": subject, "due_at": due_at, "fence": 1, "payload": payload or {}, "created_at": now},
    )


def _arm_statement(insert_of: Any) -> Any:
    statement = insert_of(timers)
    return statement.on_conflict_do_update(
        index_elements=[timers.c.kind, timers.c.subject],
        index_where=timers.c.fired_at.is_(None),
        set_={
            "due_at": statement.excluded.due_at,
            "fence": timers.c.fence + 1,
            "payload": statement.excluded.payload,
        },
    )


_ARM = {"sqlite": _arm_statement(sqlite_insert), "postgresql": _arm_statement(postgresql_insert)}


def disarm(tx: Connection, kind: str, subject: str) -> None:
    tx.execute(delete(timers).where(timers.c.kind == kind, timers.c.subject == subject, timers.c.fired_at.is_(None)))


def pending(connection: Connection, kind: str, subject: str) -> Timer | None:
    row = connection.execute(
        select(timers).where(timers.c.kind == kind, timers.c.subject == subject, timers.c.fired_at.is_(None))
    ).first()
    return None if row is None else _timer(row)


_CLAIM_DUE = (
    select(timers)
    .where(timers.c.fired_at.is_(None), timers.c.due_at <= bindparam("now"))
    .order_by(timers.c.due_at, timers.c.id)
    .limit(bindparam("limit"))
)
# Built once: the engine claims, fires and marks many times a second under load (and in every drill step).
_CLAIM_DUE_BY_DIALECT = {"postgresql": _CLAIM_DUE.with_for_update(skip_locked=True)}
_MARK_FIRED = (
    update(timers)
    .where(timers.c.id == bindparam("t_id"), timers.c.fence == bindparam("t_fence"), timers.c.fired_at.is_(None))
    .values(fired_at=bindparam("t_now"))
)
_NEXT_DUE = select(func.min(timers.c.due_at)).where(timers.c.fired_at.is_(None))


def claim_due(tx: Connection, now: datetime, limit: int) -> list[Timer]:
    """Due timers, locked for this transaction. PostgreSQL skips rows another engine holds; SQLite has one writer."""
    query = _CLAIM_DUE_BY_DIALECT.get(tx.dialect.name, _CLAIM_DUE)
    return [_timer(row) for row in tx.execute(query, {"now": now, "limit": limit})]


def mark_fired(tx: Connection, timer: Timer, now: datetime) -> bool:
    """False when the timer was re-armed or fired meanwhile: its effect must not happen twice."""
    result = tx.execute(_MARK_FIRED, {"t_id": timer.id, "t_fence": timer.fence, "t_now": now})
    return result.rowcount == 1


def next_due_at(connection: Connection) -> datetime | None:
    due: datetime | None = connection.execute(_NEXT_DUE).scalar()
    return due


def postpone(tx: Connection, timer: Timer, due_at: datetime) -> None:
    tx.execute(update(timers).where(timers.c.id == timer.id, timers.c.fence == timer.fence).values(due_at=due_at))


def _timer(row: Any) -> Timer:
    return Timer(row.id, row.kind, row.subject, row.due_at, row.fence, dict(row.payload or {}))
