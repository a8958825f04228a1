"""Local sign-in accounts of the web UI: argon2 password hashes, a generic refusal and a per-username throttle."""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from warroom.audit.log import record_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import Clock
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.store.database import Database
from warroom.store.tables import accounts

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@\-]{0,99}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1_000
THROTTLE_FAILURES = 5  # failed sign-ins per username within THROTTLE_WINDOW before it is refused for a while
THROTTLE_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: AccessRole
    person: str | None
    created_at: datetime
    disabled_at: datetime | None

    @property
    def actor(self) -> Actor:
        # The playbook person key is the name services see, so "assign me" and acknowledgements match pages.
        return Actor(self.person or self.username, self.role)


class SignInRefused(Exception):
    """Always the same words, whatever the reason: no account, wrong password, disabled or throttled."""

    def __init__(self) -> None:
        super().__init__("the username or password is not right")


class AccountService:
    def __init__(self, db: Database, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash("warroom: a password nobody has")
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def create(
        self,
        actor: Actor,
        username: str,
        password: str,
        role: AccessRole,
        display_name: str | None = None,
        person: str | None = None,
        known_people: set[str] | None = None,
    ) -> Account:
        username = username.strip().lower()
        if not _USERNAME.match(username):
            raise InvalidInput.of("username", "1-100 lowercase letters, digits, '.', '_', '@' or '-'")
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInput.of("password", f"use {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        if person is not None and known_people is not None and person not in known_people:
            raise InvalidInput.of("person", f"no playbook person {person!r}")
        now = self.clock.now()
        values = {
            "username": username,
            "display_name": (display_name or username)[:200],
            "password_hash": self.hasher.hash(password),
            "role": role.value,
            "person": person,
            "created_at": now,
        }
        try:
            with self.db.transaction() as tx:
                new_id = tx.execute(insert(accounts).values(**values).returning(accounts.c.id)).scalar_one()
                record_audit(tx, now, actor, "account.create", f"account:{username}", {"role": role.value})
        except IntegrityError:
            raise Conflict(f"username: an account {username!r} exists already") from None
        return Account(int(new_id), username, str(values["display_name"]), role, person, now, None)

    def disable(self, actor: Actor, username: str) -> None:
        now = self.clock.now()
        with self.db.transaction() as tx:
            changed = tx.execute(
                update(accounts).where(accounts.c.username == username.lower()).values(disabled_at=now)
            ).rowcount
            if not changed:
                raise NotFound(f"no account {username!r}")
            record_audit(tx, now, actor, "account.disable", f"account:{username}", {})

    def get(self, account_id: int) -> Account | None:
        with self.db.read() as connection:
            row = connection.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return None if row is None else _account(row)

    def sign_in(self, username: str, password: str) -> Account:
        """The account, or SignInRefused. Hashing runs even for unknown names so timing tells nothing."""
        username = username.strip().lower()[:100]
        now = self.clock.now()
        if self._throttled(username, now):
            self._verify(self._dummy_hash, password)  # keep the cost flat
            raise SignInRefused()
        with self.db.read() as connection:
            row = connection.execute(select(accounts).where(accounts.c.username == username)).first()
        ok = self._verify(row.password_hash if row is not None else self._dummy_hash, password)
        if row is None or not ok or row.disabled_at is not None:
            self._fail(username, now)
            raise SignInRefused()
        with self._lock:
            self._failures.pop(username, None)
        return _account(row)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password[:MAX_PASSWORD]))
        except (VerificationError, InvalidHashError):
            return False

    def _throttled(self, username: str, now: datetime) -> bool:
        with self._lock:
            recent = self._failures.get(username)
            if recent is None:
                return False
            while recent and now - recent[0] > THROTTLE_WINDOW:
                recent.popleft()
            return len(recent) >= THROTTLE_FAILURES

    def _fail(self, username: str, now: datetime) -> None:
        with self._lock:
            self._failures.setdefault(username, deque(maxlen=THROTTLE_FAILURES)).append(now)


def _account(row: Row[Any]) -> Account:
    return Account(
        id=int(row.id),
        username=row.username,
        display_name=row.display_name,
        role=AccessRole(row.role),
        person=row.person,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )
