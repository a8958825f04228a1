"""A paged person acknowledges: by SMS reply, a Slack button, a signed link or a phone keypad.

One transaction: the incident is acknowledged if nobody had (which stops its acknowledgement chains through
the incident hooks), this person's pages on it are marked acknowledged, and what was still waiting to reach
them (the SMS after 1 minute, the call after 3) is cancelled. When someone else acknowledged first, the
person's own follow-ups still stop: they answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import Clock
from warroom.errors import Conflict, NotFound
from warroom.incidents.lifecycle import OPEN_STATUSES, Status
from warroom.incidents.service import IncidentService, parse_ref
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.notify.outbox import cancel_pending
from warroom.store.database import Database
from warroom.store.tables import incidents, pages


@dataclass(frozen=True)
class Acknowledged:
    incident: str
    person: str
    first: bool  # this acknowledged the incident; False when someone had already
    text: str  # the answer for the person, in the channel they used


class PageAcknowledgements:
    def __init__(self, db: Database, clock: Clock, incidents: IncidentService) -> None:
        self.db = db
        self.clock = clock
        self.incidents = incidents

    def acknowledge(self, person: str, ref: str | None, via: str) -> Acknowledged:
        """`ref` None means the most recent open incident this person was paged for and has not answered."""
        with self.db.transaction() as tx:
            number = parse_ref(ref) if ref else self._latest_unanswered(tx, person)
            row = tx.execute(select(incidents).where(incidents.c.id == number)).first()
            if row is None:
                raise NotFound(f"{incident_ref(number)} does not exist")
            if Status(row.status) not in OPEN_STATUSES:
                raise Conflict(f"{incident_ref(number)} is {row.status}; nothing to acknowledge")
            now = self.clock.now()
            actor = Actor(person, AccessRole.RESPONDER)
            first = row.acknowledged_at is None
            if first:
                self.incidents.acknowledge_within(tx, actor, row, now)
            page_ids = list(
                tx.execute(
                    select(pages.c.id).where(
                        pages.c.incident_id == number, pages.c.person == person, pages.c.acknowledged_at.is_(None)
                    )
                ).scalars()
            )
            if page_ids:
                tx.execute(update(pages).where(pages.c.id.in_(page_ids)).values(acknowledged_at=now))
                cancel_pending(tx, number, page_ids, f"acknowledged by {person}")
            ref_text = incident_ref(number)
            text = f"{person} acknowledged {ref_text} by {via}"
            append_event(tx, number, now, person, "page_acknowledged", text, None, {"person": person, "via": via})
            record_audit(tx, now, actor, "page.acknowledge", f"incident:{number}", {"via": via})
            if first:
                answer = f"Acknowledged {ref_text}: {row.title}"
            else:
                answer = f"{ref_text} was already acknowledged by {row.acknowledged_by}; your notifications for it stop"
            return Acknowledged(ref_text, person, first, answer)

    def _latest_unanswered(self, tx: Connection, person: str) -> int:
        number = tx.execute(
            select(pages.c.incident_id)
            .join(incidents, incidents.c.id == pages.c.incident_id)
            .where(
                pages.c.person == person,
                pages.c.acknowledged_at.is_(None),
                incidents.c.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(pages.c.paged_at.desc(), pages.c.id.desc())
            .limit(1)
        ).scalar()
        if number is None:
            raise NotFound(f"no open incident is waiting for {person}'s acknowledgement; name one, e.g. 'ack 42'")
        return int(number)
