"""API tokens: random secrets shown once, stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from warroom.audit.log import record_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import Clock
from warroom.errors import InvalidInput, Unauthenticated
from warroom.store.database import Database
from warroom.store.tables import api_tokens

_TOKEN = re.compile(r"^wr_([a-z0-9]{12})_([A-Za-z0-9_\-]{32,64})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@\-]{0,99}$")


@dataclass(frozen=True)
class IssuedToken:
    name: str
    role: AccessRole
    token: str  # shown once, never stored
    created_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(db: Database, clock: Clock, name: str, role: AccessRole, actor: Actor) -> IssuedToken:
    if not _NAME.match(name):
        raise InvalidInput.of("name", "1-100 letters, digits, spaces, '.', '_', '@' or '-'")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    with db.transaction() as tx:
        tx.execute(
            insert(api_tokens).values(
                name=name, role=role.value, prefix=prefix, secret_hash=_digest(secret), created_at=now
            )
        )
        record_audit(tx, now, actor, "token.create", f"token:{prefix}", {"name": name, "role": role.value})
    return IssuedToken(name, role, f"wr_{prefix}_{secret}", now)


def authenticate(db: Database, token: str) -> Actor:
    match = _TOKEN.match(token)
    if not match:
        raise Unauthenticated("malformed API token")
    prefix, secret = match.groups()
    with db.read() as connection:
        row = connection.execute(
            select(api_tokens.c.name, api_tokens.c.role, api_tokens.c.secret_hash, api_tokens.c.revoked_at).where(
                api_tokens.c.prefix == prefix
            )
        ).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        raise Unauthenticated("unknown or revoked API token")
    return Actor(row.name, AccessRole(row.role))


def count_admin_tokens(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(api_tokens)
            .where(api_tokens.c.role == AccessRole.ADMIN.value, api_tokens.c.revoked_at.is_(None))
        ).scalar_one()
    )


def ensure_first_admin(db: Database, clock: Clock) -> IssuedToken | None:
    """On first start, create an admin token to print once; later starts create nothing."""
    with db.read() as connection:
        if count_admin_tokens(connection):
            return None
    from warroom.auth.actors import SYSTEM

    return create_token(db, clock, "admin", AccessRole.ADMIN, SYSTEM)
