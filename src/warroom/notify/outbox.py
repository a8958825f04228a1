"""The outbox: every message is a row first, written in the transaction of the use case that wants it.

The sender claims due rows with a lease, delivers outside any transaction, then records the result. A
crash between delivery and the record leaves the lease to expire and the row is delivered again with the
same idempotency key, which receivers use to drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from warroom.store.tables import delivery_attempts, outbox


class MessageState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Message:
    id: int
    idempotency_key: str
    incident_id: int | None
    page_id: int | None
    channel: str
    recipient: str | None
    method: str | None
    address: str | None
    subject: str
    body: dict[str, Any]
    attempts: int
    fallback_of: int | None = None

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", "page" if self.page_id is not None else "post"))


def enqueue(
    tx: Connection,
    *,
    key: str,
    channel: str,
    subject: str,
    body: dict[str, Any],
    now: datetime,
    incident_id: int | None = None,
    page_id: int | None = None,
    recipient: str | None = None,
    method: str | None = None,
    address: str | None = None,
    fallback_of: int | None = None,
    communication_id: int | None = None,
) -> bool:
    """Queue a message; False when one with this idempotency key exists (it is not queued twice)."""
    result = tx.execute(
        _INSERT_NEW[tx.dialect.name],
        {
            "idempotency_key": key,
            "incident_id": incident_id,
            "page_id": page_id,
            "channel": channel,
            "recipient": recipient,
            "method": method,
            "address": address,
            "subject": subject[:300],
            "body": body,
            "state": MessageState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "fallback_of": fallback_of,
            "communication_id": communication_id,
        },
    )
    return result.rowcount == 1


def cancel_pending(tx: Connection, incident_id: int, page_ids: list[int] | None, reason: str) -> int:
    """Cancel what is still waiting to go out for an incident (or only for these pages)."""
    query = update(outbox).where(
        outbox.c.incident_id == incident_id,
        outbox.c.state == MessageState.PENDING.value,
        outbox.c.page_id.is_not(None),
    )
    if page_ids is not None:
        if not page_ids:
            return 0
        query = query.where(outbox.c.page_id.in_(page_ids))
    result = tx.execute(query.values(state=MessageState.CANCELLED.value, last_error=reason))
    return int(result.rowcount)


_CLAIM_DUE = (
    select(outbox)
    .where(
        or_(
            and_(outbox.c.state == MessageState.PENDING.value, outbox.c.next_attempt_at <= bindparam("now")),
            and_(outbox.c.state == MessageState.SENDING.value, outbox.c.lease_until <= bindparam("now")),
        )
    )
    .order_by(outbox.c.next_attempt_at, outbox.c.id)
    .limit(bindparam("limit"))
)
# Built once: the sender claims every pass, and a drill passes thousands of times.
_CLAIM_DUE_BY_DIALECT = {"postgresql": _CLAIM_DUE.with_for_update(skip_locked=True)}
_LEASE = (
    update(outbox)
    .where(outbox.c.id == bindparam("o_id"))
    .values(state=MessageState.SENDING.value, lease_until=bindparam("o_lease"), attempts=bindparam("o_attempts"))
)


_LEASE_PENDING = _LEASE.where(outbox.c.state == MessageState.PENDING.value)
_BUNDLE_CANDIDATES = (
    select(outbox)
    .where(
        outbox.c.state == MessageState.PENDING.value,
        outbox.c.next_attempt_at <= bindparam("now"),
        outbox.c.recipient == bindparam("recipient"),
        outbox.c.method == bindparam("method"),
        outbox.c.channel == bindparam("channel"),
        outbox.c.page_id.is_not(None),
        outbox.c.id != bindparam("first"),
    )
    .order_by(outbox.c.id)
    .limit(20)
)
_MARK_SENT = (
    update(outbox)
    .where(outbox.c.id == bindparam("o_id"))
    .values(
        state=MessageState.SENT.value,
        sent_at=bindparam("o_now"),
        lease_until=None,
        last_error=None,
        provider_id=bindparam("o_provider"),
        bundled_into=bindparam("o_into"),
    )
)
_INSERT_ATTEMPT = insert(delivery_attempts)


def claim_due(tx: Connection, now: datetime, limit: int, lease: timedelta) -> list[Message]:
    """Due messages, leased to this sender. On PostgreSQL another sender skips rows this one holds."""
    query = _CLAIM_DUE_BY_DIALECT.get(tx.dialect.name, _CLAIM_DUE)
    rows = list(tx.execute(query, {"now": now, "limit": limit}))
    if rows:
        leases = [{"o_id": row.id, "o_lease": now + lease, "o_attempts": row.attempts + 1} for row in rows]
        tx.execute(_LEASE, leases)
    return [_message(row, attempts=row.attempts + 1) for row in rows]


def mark_sent(
    tx: Connection, message: Message, now: datetime, provider_id: str | None = None, bundled_into: int | None = None
) -> None:
    tx.execute(_MARK_SENT, {"o_id": message.id, "o_now": now, "o_provider": provider_id, "o_into": bundled_into})


def mark_deferred(tx: Connection, message: Message, until: datetime) -> None:
    """Not an attempt (a rate limit or a bundling window said 'not yet'): back to pending, count restored."""
    tx.execute(
        update(outbox)
        .where(outbox.c.id == message.id)
        .values(
            state=MessageState.PENDING.value, next_attempt_at=until, lease_until=None, attempts=message.attempts - 1
        )
    )


def record_attempt(
    tx: Connection,
    message: Message,
    at: datetime,
    outcome: str,
    *,
    provider_id: str | None = None,
    error: str | None = None,
) -> None:
    """One line of the delivery ledger: every attempt, deferral and provider callback is kept."""
    tx.execute(
        _INSERT_ATTEMPT,
        {
            "outbox_id": message.id,
            "attempt": message.attempts,
            "channel": message.channel,
            "started_at": at,
            "outcome": outcome,
            "provider_id": provider_id,
            "error": error[:2000] if error else None,
        },
    )


def claim_bundle(tx: Connection, first: Message, now: datetime, lease: timedelta) -> list[Message]:
    """Other due pages waiting for the same person by the same method: they go with `first`, as one."""
    params = {
        "now": now,
        "recipient": first.recipient,
        "method": first.method,
        "channel": first.channel,
        "first": first.id,
    }
    rows = list(tx.execute(_BUNDLE_CANDIDATES, params))
    claimed = []
    for row in rows:
        result = tx.execute(_LEASE_PENDING, {"o_id": row.id, "o_lease": now + lease, "o_attempts": row.attempts + 1})
        if result.rowcount == 1:
            claimed.append(_message(row, attempts=row.attempts + 1))
    return claimed


def release(tx: Connection, message: Message) -> None:
    """Give a bundled message back, untried, when its bundle could not be delivered."""
    tx.execute(
        update(outbox)
        .where(outbox.c.id == message.id)
        .values(state=MessageState.PENDING.value, lease_until=None, attempts=message.attempts - 1)
    )


def by_provider_id(tx: Connection, provider_id: str) -> Message | None:
    row = tx.execute(select(outbox).where(outbox.c.provider_id == provider_id)).first()
    return _message(row, attempts=row.attempts) if row is not None else None


def mark_cancelled(tx: Connection, message: Message, reason: str) -> None:
    tx.execute(
        update(outbox)
        .where(outbox.c.id == message.id)
        .values(state=MessageState.CANCELLED.value, lease_until=None, last_error=reason)
    )


def mark_failed(tx: Connection, message: Message, error: str, retry_at: datetime | None) -> None:
    """Try again at `retry_at`, or give up (None)."""
    values: dict[str, Any] = {"lease_until": None, "last_error": error[:2000]}
    if retry_at is None:
        values["state"] = MessageState.FAILED.value
    else:
        values["state"] = MessageState.PENDING.value
        values["next_attempt_at"] = retry_at
    tx.execute(update(outbox).where(outbox.c.id == message.id).values(**values))


def _message(row: Any, attempts: int) -> Message:
    return Message(
        id=row.id,
        idempotency_key=row.idempotency_key,
        incident_id=row.incident_id,
        page_id=row.page_id,
        channel=row.channel,
        recipient=row.recipient,
        method=row.method,
        address=row.address,
        subject=row.subject,
        body=dict(row.body or {}),
        attempts=attempts,
        fallback_of=row.fallback_of,
    )


# One statement, not a look-up and an insert: a repeated key (a retried use case, two chains paging one person
# at the same instant) inserts nothing.
_INSERT_NEW = {
    "sqlite": sqlite_insert(outbox).on_conflict_do_nothing(index_elements=["idempotency_key"]),
    "postgresql": postgresql_insert(outbox).on_conflict_do_nothing(index_elements=["idempotency_key"]),
}
