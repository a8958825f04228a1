"""When a page cannot reach a person by one method, try their next contact method (never page less)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, select

from warroom.auth.actors import SYSTEM
from warroom.incidents.timeline import append_event
from warroom.notify.outbox import Message, enqueue
from warroom.store.tables import outbox


def fall_back(tx: Connection, message: Message, error: str, now: datetime, routes: Mapping[str, str]) -> str:
    """Queue the page by the person's next untried method; returns what happened, for the timeline."""
    who = message.recipient or message.address or "?"
    tried = f"{who} by {message.method or message.channel}"
    already = tx.execute(select(outbox.c.id).where(outbox.c.fallback_of == message.id)).first()
    if already is not None:
        return f"Could not reach {tried} ({error}); the next method was already tried"
    fallbacks = [tuple(pair) for pair in message.body.get("fallbacks", [])]
    if not fallbacks:
        return f"Could not reach {tried} ({error}) and they have no other contact method"
    method, address = fallbacks[0]
    body = {**message.body, "fallbacks": [list(pair) for pair in fallbacks[1:]]}
    enqueue(
        tx,
        key=f"{message.idempotency_key}:then:{method}:{address}"[:200],
        channel=routes.get(method, "console"),
        subject=message.subject,
        body=body,
        now=now,
        incident_id=message.incident_id,
        page_id=message.page_id,
        recipient=message.recipient,
        method=method,
        address=address,
        fallback_of=message.id,
    )
    return f"Could not reach {tried} ({error}); trying {method} next"


def record_failure(tx: Connection, message: Message, text: str, error: str, now: datetime) -> None:
    if message.incident_id is None:
        return
    after = {"message": message.idempotency_key, "error": error, "attempts": message.attempts}
    append_event(tx, message.incident_id, now, SYSTEM.name, "delivery_failed", text, None, after)
