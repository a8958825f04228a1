"""Subscribers and what they are sent, as outbox rows in the transaction of the change.

E-mail subscribers confirm by a link (double opt-in); every notification carries an unsubscribe link. Links
hold a token derived from the instance key (HMAC over the subscriber's id, kind and address) and the store
keeps only its SHA-256, so a database dump hands out no working links. Webhook subscribers get Statuspage's
webhook payload: `{meta, page, incident}` or `{meta, page, component_update, component}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from warroom.notify.outbox import enqueue
from warroom.status.components import ComponentChange
from warroom.status.display import local_time
from warroom.status.identity import new_code
from warroom.status.records import PublicIncidentRecord, PublicPage, UpdateRecord
from warroom.status.statuspage_v2 import incident_json, shortlink, stamp
from warroom.status.vocabulary import status_label
from warroom.store.tables import status_subscribers

EMAIL_CHANNEL = "email"
WEBHOOK_CHANNEL = "subscriber_webhook"
DOCUMENTATION = "https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/"


@dataclass(frozen=True)
class SubscriberRecord:
    id: int
    kind: str  # email | webhook
    address: str
    contact: str | None
    components: list[str] | None
    confirmed_at: datetime | None
    created_at: datetime
    removed_at: datetime | None

    def wants(self, component_codes: Iterable[str]) -> bool:
        """Subscribers to some components hear of what touches them; a change naming no component reaches all."""
        codes = list(component_codes)
        return self.components is None or not codes or any(code in self.components for code in codes)


def subscriber_of(row: Any) -> SubscriberRecord:
    return SubscriberRecord(
        id=row.id,
        kind=row.kind,
        address=row.address,
        contact=row.contact,
        components=list(row.components) if row.components is not None else None,
        confirmed_at=row.confirmed_at,
        created_at=row.created_at,
        removed_at=row.removed_at,
    )


def link_token(secret: bytes, subscriber_id: int, kind: str, address: str) -> str:
    message = f"status-subscriber:{subscriber_id}:{kind}:{address}".encode()
    return base64.urlsafe_b64encode(hmac.new(secret, message, hashlib.sha256).digest()).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Notifier:
    """Queues what subscribers are sent. Every method runs inside the caller's transaction."""

    def __init__(self, secret: bytes, public_url: str, *, email_enabled: bool = True) -> None:
        self.secret = secret
        self.public_url = public_url.rstrip("/")
        self.email_enabled = email_enabled  # without SMTP, e-mail subscribers are skipped, not failed one by one

    def token(self, subscriber: SubscriberRecord) -> str:
        return link_token(self.secret, subscriber.id, subscriber.kind, subscriber.address)

    def confirm_url(self, subscriber: SubscriberRecord) -> str:
        return f"{self.public_url}/status/subscriptions/{self.token(subscriber)}/confirm"

    def unsubscribe_url(self, subscriber: SubscriberRecord) -> str:
        return f"{self.public_url}/status/subscriptions/{self.token(subscriber)}/unsubscribe"

    def confirmation(self, tx: Connection, subscriber: SubscriberRecord, page_name: str, now: datetime) -> bool:
        """The double opt-in e-mail; sent once per subscription (asking again sends nothing more)."""
        to = subscriber.address if subscriber.kind == "email" else subscriber.contact
        what = (
            f"status updates of {page_name} at this address"
            if subscriber.kind == "email"
            else f"status updates of {page_name} posted to the webhook {subscriber.address}"
        )
        text = (
            f"Someone, hopefully you, asked to receive {what}.\n\n"
            f"Confirm the subscription: {self.confirm_url(subscriber)}\n\n"
            "If it was not you, ignore this message: nothing will be sent until the link is used.\n"
        )
        return enqueue(
            tx,
            key=f"status:subscriber:{subscriber.id}:confirm",
            channel=EMAIL_CHANNEL,
            subject=f"[{page_name}] Confirm your subscription",
            body={"kind": "post", "text": text},
            now=now,
            address=to,
        )

    def incident_update(
        self, tx: Connection, page: PublicPage, incident: PublicIncidentRecord, update: UpdateRecord, now: datetime
    ) -> int:
        if not update.deliver_notifications:
            return 0
        codes = incident.component_codes
        payload = incident_json(page, incident)
        queued = 0
        for subscriber in self._audience(tx):
            if not subscriber.wants(codes) or (subscriber.kind == "email" and not self.email_enabled):
                continue
            key = f"status:{update.code}:to:{subscriber.id}"
            if subscriber.kind == "webhook":
                body = {**self._envelope(page, subscriber), "incident": payload}
                queued += self._webhook(tx, key, subscriber, f"{incident.name}: {update.status}", body, now)
            else:
                subject = f"[{page.identity.name}] {status_label(update.status)}: {incident.name}"
                text = self._incident_text(page, incident, update, subscriber)
                queued += enqueue(
                    tx,
                    key=key,
                    channel=EMAIL_CHANNEL,
                    subject=subject,
                    body={"kind": "post", "text": text},
                    now=now,
                    address=subscriber.address,
                )
        return queued

    def component_changes(
        self, tx: Connection, page: PublicPage, changes: Iterable[ComponentChange], now: datetime
    ) -> int:
        """Webhook subscribers hear of every component status change (e-mail subscribers of incidents)."""
        queued = 0
        audience = [s for s in self._audience(tx) if s.kind == "webhook"]
        for change in changes:
            if not change.changed:
                continue
            component = change.component
            update_code = new_code()
            body = {
                "component_update": {
                    "created_at": stamp(now),
                    "new_status": component.status.value,
                    "old_status": change.old_status.value,
                    "id": update_code,
                    "component_id": component.code,
                },
                "component": {
                    "created_at": stamp(component.created_at),
                    "id": component.code,
                    "name": component.name,
                    "status": component.status.value,
                },
            }
            for subscriber in audience:
                if subscriber.wants([component.code]):
                    key = f"status:component:{update_code}:to:{subscriber.id}"
                    full = {**self._envelope(page, subscriber), **body}
                    subject = f"{component.name}: {component.status.value}"
                    queued += self._webhook(tx, key, subscriber, subject, full, now)
        return queued

    def _audience(self, tx: Connection) -> list[SubscriberRecord]:
        rows = tx.execute(
            select(status_subscribers)
            .where(status_subscribers.c.removed_at.is_(None), status_subscribers.c.confirmed_at.is_not(None))
            .order_by(status_subscribers.c.id)
        )
        return [subscriber_of(row) for row in rows]

    def _envelope(self, page: PublicPage, subscriber: SubscriberRecord) -> dict[str, Any]:
        status = page.status()
        return {
            "meta": {"unsubscribe": self.unsubscribe_url(subscriber), "documentation": DOCUMENTATION},
            "page": {
                "id": page.identity.id,
                "status_indicator": status.indicator.value,
                "status_description": status.description,
            },
        }

    @staticmethod
    def _webhook(
        tx: Connection, key: str, subscriber: SubscriberRecord, subject: str, payload: dict[str, Any], now: datetime
    ) -> int:
        body = {"kind": "status_webhook", "payload": payload}
        queued = enqueue(
            tx, key=key, channel=WEBHOOK_CHANNEL, subject=subject, body=body, now=now, address=subscriber.address
        )
        return int(queued)

    def _incident_text(
        self, page: PublicPage, incident: PublicIncidentRecord, update: UpdateRecord, subscriber: SubscriberRecord
    ) -> str:
        zone = page.identity.time_zone
        lines = [
            incident.name,
            "",
            f"{status_label(update.status)} - {update.body}",
            local_time(update.display_at, zone),
        ]
        if incident.scheduled_for and incident.scheduled_until:
            window = f"{local_time(incident.scheduled_for, zone)} to {local_time(incident.scheduled_until, zone)}"
            lines += ["", f"Scheduled: {window}"]
        affected = [f"{item['name']} ({status_label(item['new_status'])})" for item in update.affected_components]
        if affected:
            lines += ["", "Affected components: " + ", ".join(affected)]
        lines += [
            "",
            f"Details: {shortlink(self.public_url, incident.code)}",
            "",
            f"You receive this because you subscribed to {page.identity.name} status updates.",
            f"Unsubscribe: {self.unsubscribe_url(subscriber)}",
        ]
        return "\n".join(lines) + "\n"
