"""Subscribing and unsubscribing: the public form, the links in messages, and the administrators' list.

Public sign-ups are double opt-in: an e-mail subscriber, or the owner e-mail of a webhook, confirms by a link
before anything is sent. The answer never tells whether an address was already subscribed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import Conflict, NotFound, Problems
from warroom.status.commands import AddWebhookSubscriber, Subscribe
from warroom.status.records import read_components
from warroom.status.subscribers import Notifier, SubscriberRecord, subscriber_of, token_hash
from warroom.status.views import SubscriberView, Subscription
from warroom.store.database import Database
from warroom.store.tables import status_subscribers

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
CHECK_INBOX = "Check your inbox: a link to confirm the subscription is on its way (nothing is sent before)."


class Subscriptions:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        notifier: Notifier,
        page_name: Callable[[], str],
        *,
        email_enabled: bool,
    ) -> None:
        self.db = db
        self.clock = clock
        self.notifier = notifier
        self.page_name = page_name
        self.email_enabled = email_enabled

    # ---- public ----------------------------------------------------------------------------------

    def subscribe(self, command: Subscribe) -> str:
        """Start a subscription; returns what to tell the person."""
        problems = Problems()
        email = (command.email or "").strip()
        webhook = (command.webhook or "").strip()
        if not email:
            reason = "a webhook subscription needs the owner's e-mail, who confirms it" if webhook else "required"
            problems.add("email", reason)
        elif not _EMAIL.match(email):
            problems.add("email", f"{email!r} is not an e-mail address")
        if webhook:
            _check_url(webhook, "webhook", problems)
        now = self.clock.now()
        with self.db.transaction() as tx:
            components = self._components(tx, command.components, problems)
            problems.raise_if_any()
            if not self.email_enabled:
                raise Conflict(
                    "this status page cannot send e-mail (no SMTP server is configured), so it cannot "
                    "confirm subscriptions; ask its administrators to add a webhook"
                )
            kind, address = ("webhook", webhook) if webhook else ("email", email)
            subscriber = self._active(tx, kind, address)
            if subscriber is None:
                subscriber = self._insert(tx, kind, address, email if webhook else None, components, None, now)
            if subscriber is not None and subscriber.confirmed_at is None:
                self.notifier.confirmation(tx, subscriber, self.page_name(), now)
        return CHECK_INBOX

    def lookup(self, token: str) -> Subscription:
        with self.db.read() as connection:
            return _masked(self._by_token(connection, token))

    def confirm(self, token: str) -> Subscription:
        now = self.clock.now()
        with self.db.transaction() as tx:
            subscriber = self._by_token(tx, token)
            if subscriber.removed_at is not None:
                raise Conflict("this subscription was cancelled; subscribe again to receive updates")
            if subscriber.confirmed_at is None:
                tx.execute(
                    update(status_subscribers).where(status_subscribers.c.id == subscriber.id).values(confirmed_at=now)
                )
            return _masked(self._by_token(tx, token))

    def unsubscribe(self, token: str) -> Subscription:
        now = self.clock.now()
        with self.db.transaction() as tx:
            subscriber = self._by_token(tx, token)
            if subscriber.removed_at is None:
                tx.execute(
                    update(status_subscribers).where(status_subscribers.c.id == subscriber.id).values(removed_at=now)
                )
            return _masked(self._by_token(tx, token))

    # ---- administrators --------------------------------------------------------------------------

    def listing(self, actor: Actor) -> list[SubscriberView]:
        with self.db.read() as connection:
            rows = connection.execute(
                select(status_subscribers)
                .where(status_subscribers.c.removed_at.is_(None))
                .order_by(status_subscribers.c.id)
            )
            return [SubscriberView.of(subscriber_of(row)) for row in rows]

    def add_webhook(self, actor: Actor, command: AddWebhookSubscriber) -> SubscriberView:
        """An administrator's webhook subscriber needs no confirmation."""
        problems = Problems()
        url = command.webhook.strip()
        _check_url(url, "webhook", problems)
        now = self.clock.now()
        with self.db.transaction() as tx:
            components = self._components(tx, command.components, problems)
            problems.raise_if_any()
            existing = self._active(tx, "webhook", url)
            if existing is not None:
                raise Conflict(f"{url} is already subscribed (subscriber {existing.id})", subscriber=existing.id)
            subscriber = self._insert(tx, "webhook", url, None, components, now, now)
            if subscriber is None:
                raise Conflict(f"{url} was subscribed meanwhile")
            record_audit(
                tx, now, actor, "status_subscriber_added", f"status-subscriber:{subscriber.id}", {"kind": "webhook"}
            )
            return SubscriberView.of(subscriber)

    def remove(self, actor: Actor, subscriber_id: int) -> None:
        now = self.clock.now()
        with self.db.transaction() as tx:
            row = tx.execute(
                select(status_subscribers).where(
                    status_subscribers.c.id == subscriber_id, status_subscribers.c.removed_at.is_(None)
                )
            ).first()
            if row is None:
                raise NotFound(f"no subscriber {subscriber_id}")
            tx.execute(update(status_subscribers).where(status_subscribers.c.id == row.id).values(removed_at=now))
            detail = {"kind": row.kind}
            record_audit(tx, now, actor, "status_subscriber_removed", f"status-subscriber:{row.id}", detail)

    # ---- helpers ---------------------------------------------------------------------------------

    def _insert(
        self,
        tx: Connection,
        kind: str,
        address: str,
        contact: str | None,
        components: list[str] | None,
        confirmed_at: datetime | None,
        now: datetime,
    ) -> SubscriberRecord | None:
        try:
            with tx.begin_nested():
                new_id = tx.execute(
                    insert(status_subscribers)
                    .values(
                        kind=kind,
                        address=address,
                        contact=contact,
                        components=components,
                        confirmed_at=confirmed_at,
                        created_at=now,
                    )
                    .returning(status_subscribers.c.id)
                ).scalar_one()
        except IntegrityError:
            return self._active(tx, kind, address)  # a concurrent sign-up of the same address won
        row = tx.execute(select(status_subscribers).where(status_subscribers.c.id == new_id)).one()
        subscriber = subscriber_of(row)
        hashed = token_hash(self.notifier.token(subscriber))
        tx.execute(update(status_subscribers).where(status_subscribers.c.id == new_id).values(token_hash=hashed))
        return subscriber

    @staticmethod
    def _active(tx: Connection, kind: str, address: str) -> SubscriberRecord | None:
        row = tx.execute(
            select(status_subscribers).where(
                status_subscribers.c.kind == kind,
                status_subscribers.c.address == address,
                status_subscribers.c.removed_at.is_(None),
            )
        ).first()
        return subscriber_of(row) if row is not None else None

    @staticmethod
    def _by_token(connection: Connection, token: str) -> SubscriberRecord:
        row = None
        if 20 <= len(token) <= 100:
            row = connection.execute(
                select(status_subscribers).where(status_subscribers.c.token_hash == token_hash(token))
            ).first()
        if row is None:
            raise NotFound("this subscription link is not valid")
        return subscriber_of(row)

    @staticmethod
    def _components(tx: Connection, codes: list[str] | None, problems: Problems) -> list[str] | None:
        if codes is None:
            return None
        known = {c.code: c for c in read_components(tx) if not c.is_group}
        for index, code in enumerate(codes):
            if code not in known:
                problems.add(f"components[{index}]", f"unknown component id {code!r}")
        if not codes:
            problems.add("components", "name at least one component, or leave it out for everything")
        return list(dict.fromkeys(codes))


def _check_url(url: str, field: str, problems: Problems) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.add(field, "must be an http(s) URL")
    elif parts.username or parts.password:
        problems.add(field, "must not carry credentials in the URL")


def _masked(subscriber: SubscriberRecord) -> Subscription:
    if subscriber.kind == "email":
        local, _, domain = subscriber.address.partition("@")
        shown = f"{local[:1]}***@{domain}"
    else:
        parts = urlsplit(subscriber.address)
        shown = f"{parts.scheme}://{parts.hostname}/..."
    return Subscription(
        kind=subscriber.kind,
        address=shown,
        confirmed=subscriber.confirmed_at is not None,
        active=subscriber.removed_at is None,
    )
