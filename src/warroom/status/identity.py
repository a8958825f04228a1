"""Public ids (12 lowercase alphanumerics, like Statuspage's) and the page's own id, generated once and kept."""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from warroom.store.tables import instance_keys

_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 12
_PAGE_KEY = "status_page_id"


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(character in _ALPHABET for character in text)


def page_id(tx: Connection, now: datetime) -> tuple[str, datetime]:
    """The page id and when it was made; made on first use and kept (several instances share it)."""
    row = tx.execute(
        select(instance_keys.c.value, instance_keys.c.created_at).where(instance_keys.c.name == _PAGE_KEY)
    ).first()
    if row is not None:
        return str(row.value), row.created_at
    try:
        with tx.begin_nested():
            tx.execute(insert(instance_keys).values(name=_PAGE_KEY, value=new_code(), created_at=now))
    except IntegrityError:
        pass  # a concurrent first start won: everyone uses the stored id
    stored = tx.execute(
        select(instance_keys.c.value, instance_keys.c.created_at).where(instance_keys.c.name == _PAGE_KEY)
    ).one()
    return str(stored.value), stored.created_at
