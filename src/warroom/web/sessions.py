"""Server-side web sessions: the cookie carries a random token; the row is keyed by its SHA-256 digest.

A session ends after IDLE without a request, or ABSOLUTE after sign-in, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from warroom.auth.actors import AccessRole, Actor
from warroom.clock import Clock
from warroom.store.database import Database
from warroom.store.tables import web_sessions

COOKIE = "warroom_session"
IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often: pages poll every few seconds


@dataclass(frozen=True)
class WebSession:
    id: str  # the digest, never the token
    actor: Actor
    account_id: int | None
    csrf_secret: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, db: Database, clock: Clock, idle: timedelta = IDLE, absolute: timedelta = ABSOLUTE) -> None:
        self.db = db
        self.clock = clock
        self.idle = idle
        self.absolute = absolute

    def start(self, actor: Actor, account_id: int | None) -> tuple[str, WebSession]:
        """A new session; returns the cookie token (shown to the browser only) and the session."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        session = WebSession(_digest(token), actor, account_id, secrets.token_hex(32), now + self.absolute)
        with self.db.transaction() as tx:
            tx.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))  # sweep the long dead
            tx.execute(
                insert(web_sessions).values(
                    id=session.id,
                    account_id=account_id,
                    actor_name=actor.name,
                    actor_role=actor.role.value,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=session.expires_at,
                    csrf_secret=session.csrf_secret,
                )
            )
        return token, session

    def load(self, token: str | None) -> WebSession | None:
        if not token or len(token) > 200:
            return None
        now = self.clock.now()
        digest = _digest(token)
        with self.db.read() as connection:
            row = connection.execute(select(web_sessions).where(web_sessions.c.id == digest)).first()
        if row is None or row.expires_at <= now or now - row.last_seen_at > self.idle:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            with self.db.transaction() as tx:
                tx.execute(update(web_sessions).where(web_sessions.c.id == digest).values(last_seen_at=now))
        actor = Actor(row.actor_name, AccessRole(row.actor_role))
        return WebSession(row.id, actor, row.account_id, row.csrf_secret, row.expires_at)

    def end(self, token: str | None) -> None:
        if not token:
            return
        with self.db.transaction() as tx:
            tx.execute(delete(web_sessions).where(web_sessions.c.id == _digest(token)))
