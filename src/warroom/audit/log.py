"""Write and read the audit log. Writes happen inside the use case's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, insert, select

from warroom.auth.actors import Actor
from warroom.store.tables import audit_log


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


_INSERT = insert(audit_log)


def record_audit(tx: Connection, at: datetime, actor: Actor, action: str, subject: str, detail: dict[str, Any]) -> None:
    tx.execute(_INSERT, {"at": at, "actor": actor.name, "action": action, "subject": subject, "detail": detail})


def list_audit(connection: Connection, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if subject:
        query = query.where(audit_log.c.subject == subject)
    return [AuditEntry.model_validate(row._mapping) for row in connection.execute(query)]
