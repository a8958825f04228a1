"""The messages of one page: what reaches a paged person, by which channels, when, and what to try next.

Written in the escalation step's transaction (ARCHITECTURE.md, principle 7). Each notification of the
person's plan is an outbox row due at page time plus its delay; every row carries a signed link that
acknowledges this page, and the person's remaining contact methods as fallbacks for the sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from warroom.incidents.views import incident_ref
from warroom.notify.ack_links import LIFETIME, AckClaim, sign
from warroom.notify.notification_rules import plan_notifications
from warroom.notify.outbox import enqueue
from warroom.playbook.schema import Person, Severity


class PageMessages:
    def __init__(self, routes: Mapping[str, str], ack_key: bytes, public_url: str) -> None:
        self.routes = dict(routes)
        self.ack_key = ack_key
        self.public_url = public_url.rstrip("/")

    def channel_for(self, method: str) -> str:
        return self.routes.get(method, "console")

    def enqueue(
        self,
        tx: Connection,
        incident: Row[Any],
        severity: Severity,
        page_id: int,
        person: Person | None,
        person_key: str,
        methods: tuple[str, ...],
        now: datetime,
        step: dict[str, Any],
    ) -> int:
        """Queue the person's notifications for this page; returns how many were queued."""
        plan = plan_notifications(person, methods)
        ref = incident_ref(incident.id)
        token = sign(self.ack_key, AckClaim(page_id, person_key, incident.id, now + LIFETIME))
        subject = f"[{severity.label}] {ref}: {incident.title}"
        if step.get("paged_by"):  # a responder paged this person by hand
            why = f"{step['paged_by']} paged you: {step.get('message') or 'no message'}"
        else:
            why = f"Paged by {step.get('policy')} level {step.get('level')}."
        queued = 0
        for notification in plan.notifications:
            delay = int(notification.after.total_seconds())
            # One message per person, method and instant: two chains paging the same person at the same moment
            # send it once.
            key = f"page:{incident.id}:{person_key}:{notification.method}:{int(now.timestamp())}"
            if delay:
                key += f"+{delay}"
            body = {
                "kind": "page",
                "text": f"{subject}\n{why} {self.public_url}",
                "incident": ref,
                "severity": severity.label,
                "title": incident.title,
                "person": person_key,
                "ack": True,
                "ack_url": f"{self.public_url}/ack/{token}",
                "ack_token": token,
                "fallbacks": [list(pair) for pair in plan.fallbacks],
                **step,
            }
            queued += enqueue(
                tx,
                key=key,
                channel=self.channel_for(notification.method),
                subject=subject,
                body=body,
                now=now + notification.after,
                incident_id=incident.id,
                page_id=page_id,
                recipient=person_key,
                method=notification.method,
                address=notification.address,
            )
        return queued
