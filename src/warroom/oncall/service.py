"""On-call use cases: who is on call, shifts and gaps, calendar feeds, the handoff summary, on-call pay."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, insert, or_, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import InvalidInput, NotFound
from warroom.incidents.lifecycle import OPEN_STATUSES, Status
from warroom.incidents.views import incident_ref
from warroom.oncall.ical import person_calendar, schedule_calendar
from warroom.oncall.overrides import overrides_between
from warroom.oncall.schedules import Override, Shift, coverage_gaps, final_shifts, next_handoff, playbook_overrides
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook, Schedule
from warroom.reports.oncall_pay import PayLine, on_call_pay
from warroom.store.database import Database
from warroom.store.tables import calendar_feeds, incident_roles, incidents, maintenance_windows, pages

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=90)
MAX_WINDOW = timedelta(days=400)


@dataclass(frozen=True)
class OnCallNow:
    schedule: str
    name: str
    people: list[str]
    until: datetime | None  # the next handoff


@dataclass(frozen=True)
class CalendarFeed:
    url: str
    token: str  # shown once; stored as its SHA-256
    schedule: str | None
    person: str | None


@dataclass(frozen=True)
class HandoffIncident:
    id: str
    title: str
    severity: str
    status: str
    triggered_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class Handoff:
    """The GreenLang "On-Call Handoff": open incidents, ongoing issues, recent incidents, upcoming
    maintenance and notes, for the outgoing person."""

    schedule: str
    outgoing: list[str]
    incoming: list[str]
    handoff_at: datetime | None
    open_incidents: list[HandoffIncident]
    ongoing_issues: list[HandoffIncident]  # in monitoring: mitigated, being watched
    recent_incidents: list[HandoffIncident]  # resolved during the last shift
    upcoming_maintenance: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OnCallService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry, public_url: str) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.public_url = public_url.rstrip("/")

    # ---- who and when ---------------------------------------------------------------------------------

    def schedule(self, key: str) -> Schedule:
        playbook = self.playbooks.active[1]
        for schedule in playbook.schedules:
            if schedule.key == key:
                return schedule
        known = ", ".join(s.key for s in playbook.schedules) or "none"
        raise NotFound(f"no schedule {key!r} (known: {known})")

    def now(self, at: datetime | None = None) -> list[OnCallNow]:
        at = at or self.clock.now()
        result = []
        playbook = self.playbooks.active[1]
        for schedule in playbook.schedules:
            overrides = self._overrides(schedule, at, at + timedelta(days=366))
            shifts = final_shifts(schedule, at, at + timedelta(seconds=1), overrides)
            people = list(dict.fromkeys(shift.person for shift in shifts))
            result.append(OnCallNow(schedule.key, schedule.name, people, next_handoff(schedule, at, overrides)))
        return result

    def shifts(self, key: str, start: datetime, end: datetime) -> list[Shift]:
        schedule = self.schedule(key)
        start, end = self._window(start, end)
        return final_shifts(schedule, start, end, self._overrides(schedule, start, end))

    def gaps(self, key: str, days: int) -> list[tuple[datetime, datetime]]:
        if not 1 <= days <= 366:
            raise InvalidInput.of("days", "between 1 and 366")
        schedule = self.schedule(key)
        start = self.clock.now()
        end = start + timedelta(days=days)
        return coverage_gaps(schedule, start, end, self._overrides(schedule, start, end))

    # ---- calendar feeds -------------------------------------------------------------------------------

    def create_feed(self, actor: Actor, schedule: str | None, person: str | None) -> CalendarFeed:
        if (schedule is None) == (person is None):
            raise InvalidInput.of("schedule", "name exactly one of schedule or person")
        playbook = self.playbooks.active[1]
        if schedule is not None:
            self.schedule(schedule)
        if person is not None and not any(p.key == person for p in playbook.people):
            raise InvalidInput.of("person", f"unknown person {person!r}")
        token = secrets.token_urlsafe(24)
        now = self.clock.now()
        with self.db.transaction() as tx:
            tx.execute(
                insert(calendar_feeds).values(
                    token_hash=_digest(token), schedule=schedule, person=person, created_by=actor.name, created_at=now
                )
            )
            subject = f"schedule:{schedule}" if schedule else f"person:{person}"
            record_audit(tx, now, actor, "calendar_feed.create", subject, {})
        return CalendarFeed(f"{self.public_url}/ical/{token}.ics", token, schedule, person)

    def revoke_feeds(self, actor: Actor, schedule: str | None, person: str | None) -> int:
        now = self.clock.now()
        with self.db.transaction() as tx:
            result = tx.execute(
                update(calendar_feeds)
                .where(
                    calendar_feeds.c.revoked_at.is_(None),
                    or_(calendar_feeds.c.schedule == schedule, calendar_feeds.c.person == person),
                )
                .values(revoked_at=now)
            )
            record_audit(tx, now, actor, "calendar_feed.revoke", f"schedule:{schedule or ''} person:{person or ''}", {})
            return int(result.rowcount)

    def feed(self, token: str) -> bytes:
        """The iCalendar document behind a subscribe URL: 30 days back, 90 ahead."""
        with self.db.read() as connection:
            row = connection.execute(
                select(calendar_feeds).where(
                    calendar_feeds.c.token_hash == _digest(token), calendar_feeds.c.revoked_at.is_(None)
                )
            ).first()
        if row is None:
            raise NotFound("no calendar feed has this token")
        now = self.clock.now()
        start, end = now - FEED_PAST, now + FEED_AHEAD
        playbook = self.playbooks.active[1]
        names = {p.key: p.name for p in playbook.people}
        if row.schedule is not None:
            schedule = self.schedule(row.schedule)
            shifts = final_shifts(schedule, start, end, self._overrides(schedule, start, end))
            return schedule_calendar(schedule, shifts, generated_at=now, people=names)
        pairs = [
            (schedule, final_shifts(schedule, start, end, self._overrides(schedule, start, end)))
            for schedule in playbook.schedules
        ]
        return person_calendar(row.person, pairs, generated_at=now, people=names)

    # ---- handoff --------------------------------------------------------------------------------------

    def handoff(self, key: str | None = None) -> Handoff:
        playbook = self.playbooks.active[1]
        if key is None:
            if not playbook.schedules:
                raise NotFound("this playbook has no schedules")
            key = playbook.schedules[0].key
        schedule = self.schedule(key)
        now = self.clock.now()
        overrides = self._overrides(schedule, now - timedelta(days=31), now + timedelta(days=366))
        current = final_shifts(schedule, now, now + timedelta(seconds=1), overrides)
        outgoing = list(dict.fromkeys(s.person for s in current))
        handoff_at = next_handoff(schedule, now, overrides)
        incoming: list[str] = []
        if handoff_at is not None:
            after = final_shifts(schedule, handoff_at, handoff_at + timedelta(seconds=1), overrides)
            incoming = list(dict.fromkeys(s.person for s in after))
        shift_start = self._shift_start(schedule, now, overrides)
        with self.db.read() as connection:
            open_rows = connection.execute(
                select(incidents)
                .where(incidents.c.status.in_([s.value for s in OPEN_STATUSES]))
                .order_by(incidents.c.triggered_at)
            ).all()
            recent = connection.execute(
                select(incidents)
                .where(incidents.c.resolved_at.is_not(None), incidents.c.resolved_at >= shift_start)
                .order_by(incidents.c.resolved_at)
            ).all()
            maintenance = connection.execute(
                select(maintenance_windows)
                .where(
                    maintenance_windows.c.ended_at.is_(None),
                    maintenance_windows.c.ends_at > now,
                    maintenance_windows.c.starts_at < now + timedelta(days=7),
                )
                .order_by(maintenance_windows.c.starts_at)
            ).all()
        labels = {s.key: s.label for s in playbook.severities}

        def item(row: Row[Any]) -> HandoffIncident:
            severity = str(labels.get(row.severity, row.severity))
            return HandoffIncident(
                incident_ref(row.id), row.title, severity, row.status, row.triggered_at, row.resolved_at
            )

        notes = [schedule.handoff_note] if schedule.handoff_note else []
        if playbook.on_call is not None:
            notes += playbook.on_call.before_shift
        return Handoff(
            schedule=schedule.key,
            outgoing=outgoing,
            incoming=incoming,
            handoff_at=handoff_at,
            open_incidents=[item(r) for r in open_rows if r.status != Status.MONITORING.value],
            ongoing_issues=[item(r) for r in open_rows if r.status == Status.MONITORING.value],
            recent_incidents=[item(r) for r in recent],
            upcoming_maintenance=[
                {
                    "service": m.service,
                    "starts_at": m.starts_at.isoformat(),
                    "ends_at": m.ends_at.isoformat(),
                    "reason": m.reason,
                }
                for m in maintenance
            ],
            notes=notes,
        )

    # ---- pay ------------------------------------------------------------------------------------------

    def pay(self, start: datetime, end: datetime) -> list[PayLine]:
        start, end = self._window(start, end)
        playbook = self.playbooks.active[1]
        if playbook.compensation is None:
            raise NotFound("this playbook has no compensation rules")
        on_call: dict[str, list[tuple[datetime, datetime]]] = {}
        for schedule in playbook.schedules:
            for shift in final_shifts(schedule, start, end, self._overrides(schedule, start, end)):
                on_call.setdefault(shift.person, []).append((shift.start, shift.end))
        with self.db.read() as connection:
            handled = self._handled(connection, start, end)
            paged = [
                (row.person, row.paged_at)
                for row in connection.execute(
                    select(pages.c.person, pages.c.paged_at).where(pages.c.paged_at >= start, pages.c.paged_at < end)
                )
            ]
        zones = {p.key: ZoneInfo(p.timezone) for p in playbook.people if p.timezone}
        return on_call_pay(
            playbook.compensation, (start, end), on_call, handled, paged, zones, ZoneInfo(playbook.timezone)
        )

    # ---- internals ------------------------------------------------------------------------------------

    def _handled(self, connection: Connection, start: datetime, end: datetime) -> list[tuple[str, str]]:
        """(person, severity) once per incident a person acknowledged or held a role in."""
        found: set[tuple[int, str, str]] = set()
        window = (incidents.c.triggered_at >= start, incidents.c.triggered_at < end)
        for row in connection.execute(
            select(incidents.c.id, incidents.c.severity, incidents.c.acknowledged_by).where(*window)
        ):
            if row.acknowledged_by:
                found.add((row.id, row.acknowledged_by, row.severity))
        roles = select(incident_roles.c.person, incidents.c.id, incidents.c.severity).join(
            incidents, incidents.c.id == incident_roles.c.incident_id
        )
        for row in connection.execute(roles.where(*window)):
            found.add((row.id, row.person, row.severity))
        return [(person, severity) for _, person, severity in sorted(found)]

    def _overrides(self, schedule: Schedule, start: datetime, end: datetime) -> list[Override]:
        with self.db.read() as connection:
            stored = overrides_between(connection, [schedule.key], start, end).get(schedule.key, [])
        return [*playbook_overrides(schedule), *stored]

    def _shift_start(self, schedule: Schedule, now: datetime, overrides: list[Override]) -> datetime:
        shifts = final_shifts(schedule, now - timedelta(days=31), now + timedelta(seconds=1), overrides)
        current = {s.person for s in shifts if s.start <= now < s.end}
        start = now
        for shift in reversed(shifts):
            if shift.person in current and shift.end >= start and shift.start < start:
                start = shift.start
        return start

    @staticmethod
    def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
        for name, value in (("start", start), ("end", end)):
            if value.tzinfo is None:
                raise InvalidInput.of(name, "give a time zone offset, e.g. 2026-12-01T00:00:00Z")
        if end <= start:
            raise InvalidInput.of("end", "must be after start")
        if end - start > MAX_WINDOW:
            raise InvalidInput.of("end", "at most 400 days after start")
        return start, end


def playbook_people(playbook: Playbook) -> dict[str, str]:
    return {p.key: p.name for p in playbook.people}


__all__ = ["CalendarFeed", "Decimal", "Handoff", "OnCallNow", "OnCallService"]
