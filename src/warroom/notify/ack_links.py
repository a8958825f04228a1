"""Signed, expiring acknowledgement links for e-mail, push and phone keypads.

A token names one page (and so one person and one incident) and an expiry, signed with HMAC-SHA256 under
the instance's key. It is the credential: whoever holds the link may acknowledge that page, so it expires
(24 hours after the page by default) and only acknowledges; it cannot do anything else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from warroom.clock import Clock
from warroom.errors import InvalidInput
from warroom.store.database import Database
from warroom.store.tables import instance_keys

LIFETIME = timedelta(hours=24)
_KEY_NAME = "ack_links"


@dataclass(frozen=True)
class AckClaim:
    page_id: int
    person: str
    incident_id: int
    expires_at: datetime


def sign(key: bytes, claim: AckClaim) -> str:
    payload = json.dumps(
        {"p": claim.page_id, "u": claim.person, "i": claim.incident_id, "e": int(claim.expires_at.timestamp())},
        separators=(",", ":"),
    ).encode()
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def verify(key: bytes, token: str, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired token; InvalidInput saying which it is not."""
    try:
        encoded, mac = token.split(".", 1)
        payload = _unb64(encoded)
        valid = hmac.compare_digest(_unb64(mac), _mac(key, payload))
    except (ValueError, TypeError):
        raise InvalidInput("this acknowledgement link is malformed") from None
    if not valid:
        raise InvalidInput("this acknowledgement link is not genuine")
    data = json.loads(payload)
    claim = AckClaim(int(data["p"]), str(data["u"]), int(data["i"]), datetime.fromtimestamp(int(data["e"]), UTC))
    if now >= claim.expires_at:
        raise InvalidInput(f"this acknowledgement link expired at {claim.expires_at.isoformat()}")
    return claim


def signing_key(db: Database, clock: Clock, configured: str | None) -> bytes:
    """The configured WARROOM_SECRET_KEY, else a key this instance generated once and keeps in its store
    (several instances on one PostgreSQL share it)."""
    if configured:
        return configured.encode()
    try:
        with db.transaction() as tx:
            value = tx.execute(select(instance_keys.c.value).where(instance_keys.c.name == _KEY_NAME)).scalar()
            if value is None:
                value = secrets.token_urlsafe(32)
                tx.execute(insert(instance_keys).values(name=_KEY_NAME, value=value, created_at=clock.now()))
    except IntegrityError:
        pass
    with db.read() as connection:  # a concurrent first start may have won; everyone uses the stored key
        stored = connection.execute(select(instance_keys.c.value).where(instance_keys.c.name == _KEY_NAME)).scalar()
    return str(stored).encode()


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"ack:" + payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
