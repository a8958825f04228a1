"""Incident use cases. Each one is ONE transaction: record, timeline event and audit entry together."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, exists, insert, or_, select, text, true, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import Conflict, InvalidInput, NotFound, Problems
from warroom.incidents import lifecycle
from warroom.incidents.commands import (
    AddNote,
    AddParticipant,
    AssignRole,
    ChangeSeverity,
    ChangeStatus,
    DeclareIncident,
    UpdateIncident,
)
from warroom.incidents.hooks import IncidentHooks
from warroom.incidents.lifecycle import Status
from warroom.incidents.opening import NewIncident, add_participant, insert_incident
from warroom.incidents.records import awaiting_approval, role_holder, stamps_of, summary_of, view_of
from warroom.incidents.timeline import append_event, read_events
from warroom.incidents.views import (
    IncidentPage,
    IncidentSummary,
    IncidentView,
    TimelineEvent,
    incident_ref,
)
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook, Severity
from warroom.playbook.triage import FactError, clean_facts, suggest_severity
from warroom.store.database import Database
from warroom.store.tables import incident_participants, incident_roles, incidents, timeline_events


@dataclass(frozen=True)
class ListFilter:
    statuses: tuple[Status, ...] = ()
    severities: tuple[str, ...] = ()
    service: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    query: str | None = None
    limit: int = 50
    cursor: int | None = None  # list incidents with a number below this


def parse_ref(ref: str) -> int:
    text = ref.strip().upper().removeprefix("INC-")
    if not text.isdigit() or len(text) > 12:
        raise NotFound(f"{ref!r} is not an incident reference (INC-42 or 42)")
    return int(text)


def _severity_by_key_or_label(playbook: Playbook, value: str, field: str) -> Severity:
    wanted = value.strip().lower()
    for severity in playbook.severities:
        if severity.key == wanted or severity.label.lower() == wanted:
            return severity
    labels = ", ".join(f"{s.key} ({s.label})" for s in playbook.severities)
    raise InvalidInput.of(field, f"unknown severity {value!r}; this playbook has {labels}")


def _seconds(delta: Any) -> int | None:
    return None if delta is None else int(delta.total_seconds())


class IncidentService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.hooks: list[IncidentHooks] = []

    def opened_within(self, tx: Connection, number: int, now: datetime) -> None:
        """Every door that opens an incident (declare, alerts) calls this in its transaction."""
        for hook in self.hooks:
            hook.incident_opened(tx, number, now)

    # ---- reads -------------------------------------------------------------------------------------

    def get(self, actor: Actor, ref: str) -> IncidentView:
        with self.db.read() as connection:
            return self._view(connection, self._visible_row(connection, actor, parse_ref(ref)))

    def search(self, actor: Actor, filters: ListFilter) -> IncidentPage:
        query = select(incidents).order_by(incidents.c.id.desc()).limit(filters.limit + 1)
        if filters.statuses:
            query = query.where(incidents.c.status.in_([status.value for status in filters.statuses]))
        if filters.severities:
            query = query.where(incidents.c.severity.in_(filters.severities))
        if filters.since:
            query = query.where(incidents.c.triggered_at >= filters.since)
        if filters.until:
            query = query.where(incidents.c.triggered_at < filters.until)
        if filters.cursor:
            query = query.where(incidents.c.id < filters.cursor)
        if filters.query:
            pattern = f"%{filters.query.lower()}%"
            query = query.where(incidents.c.title.ilike(pattern))
        if filters.service:
            query = query.where(self._lists_service(filters.service))
        query = query.where(self._visibility(actor))
        with self.db.read() as connection:
            rows = list(connection.execute(query))
        has_more = len(rows) > filters.limit
        rows = rows[: filters.limit]
        items = [self._summary(row) for row in rows]
        next_cursor = str(rows[-1].id) if has_more and rows else None
        return IncidentPage(items=items, next_cursor=next_cursor)

    def timeline(self, actor: Actor, ref: str) -> tuple[IncidentView, list[TimelineEvent]]:
        with self.db.read() as connection:
            row = self._visible_row(connection, actor, parse_ref(ref))
            return self._view(connection, row), read_events(connection, row.id)

    def suggest(self, facts: dict[str, Any]) -> tuple[Playbook, Any]:
        _, playbook = self.playbooks.active
        try:
            cleaned = clean_facts(playbook, facts)
        except FactError as error:
            raise InvalidInput.of(f"impact.{error.fact}", str(error).split(": ", 1)[1]) from None
        return playbook, suggest_severity(playbook, cleaned)

    # ---- use cases ---------------------------------------------------------------------------------

    def declare(self, actor: Actor, command: DeclareIncident) -> IncidentView:
        version_id, playbook = self.playbooks.active
        now = self.clock.now()
        problems = Problems()
        try:
            impact = clean_facts(playbook, command.impact)
        except FactError as error:
            problems.add(f"impact.{error.fact}", str(error).split(": ", 1)[1])
            impact = {}
        suggestion = suggest_severity(playbook, impact)
        severity: Severity | None = None
        if command.severity is not None:
            try:
                severity = _severity_by_key_or_label(playbook, command.severity, "severity")
            except InvalidInput as error:
                problems.items.extend(error.problems)
        self._check_services(playbook, command.services, problems)
        for role in command.roles:
            if role not in {r.key for r in playbook.roles}:
                problems.add(f"roles.{role}", f"unknown role; this playbook has {self._role_keys(playbook)}")
        detected = command.detected_at or now
        started = command.started_at or detected
        if detected > now:
            problems.add("detected_at", "cannot be in the future")
        if started > detected:
            problems.add("started_at", "impact cannot start after it was detected")
        problems.raise_if_any()

        triage_reason = suggestion.reason
        needs_confirmation = suggestion.needs_confirmation
        if severity is None:
            severity = playbook.severity(suggestion.severity)
        else:
            needs_confirmation = False
            if not impact:  # no facts to triage: the declarer's choice is the whole reason
                triage_reason = f"declared {severity.label}"
            elif severity.key != suggestion.severity:
                triage_reason = f"declared {severity.label}; triage suggested: {suggestion.reason}"
        private = command.private
        security = playbook.security
        if impact.get("security_breach") is True and security is not None:
            private = private or security.private_by_default
            floor = security.minimum_severity
            if floor and playbook.severity_rank(severity.key) > playbook.severity_rank(floor):
                severity = playbook.severity(floor)
                triage_reason = f"security incident: at least {severity.label}"

        with self.db.transaction() as tx:
            number = insert_incident(
                tx,
                NewIncident(
                    title=command.title,
                    summary=command.summary,
                    impact_statement=command.impact_statement or None,
                    severity=severity,
                    private=private,
                    impact=impact,
                    services=command.services,
                    tags=command.tags,
                    links=[link.model_dump(mode="json") for link in command.links],
                    detection_source=command.detection_source,
                    playbook_version_id=version_id,
                    triage_reason=triage_reason,
                    needs_confirmation=needs_confirmation,
                    started_at=started,
                    detected_at=detected,
                    roles=dict(command.roles),
                ),
                actor,
                now,
            )
            self.opened_within(tx, number, now)
            return self._view(tx, self._row(tx, number))

    def update(self, actor: Actor, ref: str, command: UpdateIncident) -> IncidentView:
        changes = command.model_dump(exclude_unset=True)
        with self._change(actor, ref) as (tx, row, playbook, now):
            problems = Problems()
            values: dict[str, Any] = {}
            if "impact" in changes:
                try:
                    values["impact"] = clean_facts(playbook, command.impact or {})
                except FactError as error:
                    problems.add(f"impact.{error.fact}", str(error).split(": ", 1)[1])
            for name in ("title", "summary", "private", "tags"):
                if name in changes:
                    if changes[name] is None:
                        problems.add(name, "cannot be null")
                    values[name] = changes[name]
            for name in ("impact_statement", "root_cause", "resolution"):
                if name in changes:
                    values[name] = changes[name] or None
            if changes.get("private") is False and row.private and awaiting_approval(playbook, row):
                approver = playbook.security.approval_role if playbook.security else None
                problems.add(
                    "private",
                    f"a security incident stays private until the {self._role_name(playbook, approver or '')} "
                    "approves communication",
                )
            if "services" in changes:
                self._check_services(playbook, command.services or [], problems)
                values["services"] = command.services or []
            if "links" in changes:
                values["links"] = [link.model_dump(mode="json") for link in command.links or []]
            if "duplicate_of" in changes:
                values["duplicate_of"] = self._duplicate_target(tx, actor, row.id, command.duplicate_of, problems)
            started = command.started_at if "started_at" in changes else row.started_at
            detected = command.detected_at if "detected_at" in changes else row.detected_at
            if started is None or detected is None:
                problems.add("started_at" if started is None else "detected_at", "cannot be cleared")
            else:
                if detected > now:
                    problems.add("detected_at", "cannot be in the future")
                if started > detected:
                    problems.add("started_at", "impact cannot start after it was detected")
                if "started_at" in changes:
                    values["started_at"] = started
                if "detected_at" in changes:
                    values["detected_at"] = detected
            problems.raise_if_any()
            before = {key: _jsonable(getattr(row, key)) for key in values}
            after = {key: _jsonable(value) for key, value in values.items()}
            changed = {key for key in values if before[key] != after[key]}
            if not changed:
                return self._view(tx, row)
            before = {key: before[key] for key in sorted(changed)}
            after = {key: after[key] for key in sorted(changed)}
            self._write(tx, row, {key: values[key] for key in changed}, now)
            append_event(tx, row.id, now, actor.name, "updated", f"Updated {', '.join(sorted(changed))}", before, after)
            record_audit(tx, now, actor, "incident.update", f"incident:{row.id}", {"before": before, "after": after})
            return self._view(tx, self._row(tx, row.id))

    def change_status(self, actor: Actor, ref: str, command: ChangeStatus) -> IncidentView:
        with self._change(actor, ref) as (tx, row, _playbook, now):
            self.move_within(tx, actor, row, command.status, command.note, now)
            return self._view(tx, self._row(tx, row.id))

    def move_within(
        self, tx: Connection, actor: Actor, row: Row[Any], status: Status, note: str | None, now: datetime
    ) -> None:
        """The status change of the caller's transaction (a person's request, or alerts clearing)."""
        current = Status(row.status)
        try:
            stamps = lifecycle.move(current, status, stamps_of(row), now)
        except lifecycle.InvalidTransition as error:
            raise Conflict(str(error), allowed=[s.value for s in error.allowed]) from None
        values = {
            "status": status.value,
            "mitigated_at": stamps.mitigated_at,
            "resolved_at": stamps.resolved_at,
            "closed_at": stamps.closed_at,
        }
        self._write(tx, row, values, now)
        text = f"Status {current.value} -> {status.value}" + (f": {note}" if note else "")
        before, after = {"status": current.value}, {"status": status.value, "note": note}
        append_event(tx, row.id, now, actor.name, "status_changed", text, before, after)
        detail = {"from": current.value, "to": status.value}
        record_audit(tx, now, actor, "incident.status", f"incident:{row.id}", detail)
        for hook in self.hooks:
            hook.incident_status_changed(tx, row.id, current, status, now)

    def reopen(self, actor: Actor, ref: str, reason: str | None) -> IncidentView:
        with self._change(actor, ref) as (tx, row, _playbook, now):
            current = Status(row.status)
            try:
                stamps = lifecycle.reopen(current, stamps_of(row))
            except lifecycle.InvalidTransition:
                raise Conflict(
                    f"only resolved or closed incidents can be reopened (it is {current.value})",
                    allowed=[s.value for s in lifecycle.allowed_moves(current)],
                ) from None
            self._write(
                tx,
                row,
                {
                    "status": Status.INVESTIGATING.value,
                    "resolved_at": stamps.resolved_at,
                    "closed_at": stamps.closed_at,
                },
                now,
            )
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "reopened",
                "Reopened" + (f": {reason}" if reason else ""),
                {"status": current.value},
                {"status": Status.INVESTIGATING.value},
            )
            record_audit(tx, now, actor, "incident.reopen", f"incident:{row.id}", {"from": current.value})
            for hook in self.hooks:
                hook.incident_status_changed(tx, row.id, current, Status.INVESTIGATING, now)
            return self._view(tx, self._row(tx, row.id))

    def change_severity(self, actor: Actor, ref: str, command: ChangeSeverity) -> IncidentView:
        with self._change(actor, ref) as (tx, row, playbook, now):
            target = _severity_by_key_or_label(playbook, command.severity, "severity")
            if target.key == row.severity:
                raise Conflict(f"the incident is already {target.label}")
            old = playbook.severity(row.severity)
            direction = (
                "upgraded" if playbook.severity_rank(target.key) < playbook.severity_rank(old.key) else "downgraded"
            )
            self._write(
                tx, row, {"severity": target.key, "severity_needs_confirmation": False, "severity_changed_at": now}, now
            )
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "severity_changed",
                f"Severity {direction} {old.label} -> {target.label}: {command.reason}",
                {"severity": old.key, "label": old.label},
                {"severity": target.key, "label": target.label, "reason": command.reason},
            )
            record_audit(
                tx,
                now,
                actor,
                "incident.severity",
                f"incident:{row.id}",
                {"from": old.key, "to": target.key, "reason": command.reason},
            )
            for hook in self.hooks:
                hook.severity_changed(tx, row.id, old.key, target.key, now)
            return self._view(tx, self._row(tx, row.id))

    def acknowledge(self, actor: Actor, ref: str) -> IncidentView:
        with self._change(actor, ref) as (tx, row, _playbook, now):
            if Status(row.status) not in lifecycle.OPEN_STATUSES:
                raise Conflict(f"a {row.status} incident cannot be acknowledged")
            if row.acknowledged_at is not None:
                raise Conflict(f"already acknowledged by {row.acknowledged_by} at {row.acknowledged_at.isoformat()}")
            self.acknowledge_within(tx, actor, row, now)
            return self._view(tx, self._row(tx, row.id))

    def acknowledge_within(self, tx: Connection, actor: Actor, row: Row[Any], now: datetime) -> None:
        self._write(tx, row, {"acknowledged_at": now, "acknowledged_by": actor.name}, now)
        add_participant(tx, row.id, actor.name, now)
        before, after = {"acknowledged_at": None}, {"acknowledged_at": now.isoformat(), "by": actor.name}
        append_event(tx, row.id, now, actor.name, "acknowledged", f"Acknowledged by {actor.name}", before, after)
        record_audit(tx, now, actor, "incident.acknowledge", f"incident:{row.id}", {})
        for hook in self.hooks:
            hook.incident_acknowledged(tx, row.id, actor, now)

    def record_mitigation(self, actor: Actor, ref: str, note: str | None) -> IncidentView:
        with self._change(actor, ref) as (tx, row, _playbook, now):
            if row.mitigated_at is not None:
                raise Conflict(f"mitigation already recorded at {row.mitigated_at.isoformat()}")
            if Status(row.status) not in lifecycle.OPEN_STATUSES:
                raise Conflict(f"a {row.status} incident cannot be mitigated")
            self._write(tx, row, {"mitigated_at": now}, now)
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "mitigated",
                "Mitigated" + (f": {note}" if note else ""),
                {"mitigated_at": None},
                {"mitigated_at": now.isoformat()},
            )
            record_audit(tx, now, actor, "incident.mitigate", f"incident:{row.id}", {"note": note})
            for hook in self.hooks:
                hook.progress(tx, row.id, now)
            return self._view(tx, self._row(tx, row.id))

    def assign_role(self, actor: Actor, ref: str, role: str, command: AssignRole) -> IncidentView:
        with self._change(actor, ref) as (tx, row, playbook, now):
            role_name = self._role_name(playbook, role)
            current = role_holder(tx, row.id, role)
            if current == command.person:
                raise Conflict(f"{command.person} already holds {role_name}")
            if current is None:
                tx.execute(
                    insert(incident_roles).values(
                        incident_id=row.id, role=role, person=command.person, assigned_at=now, assigned_by=actor.name
                    )
                )
            else:
                tx.execute(
                    update(incident_roles)
                    .where(incident_roles.c.incident_id == row.id, incident_roles.c.role == role)
                    .values(person=command.person, assigned_at=now, assigned_by=actor.name)
                )
            add_participant(tx, row.id, command.person, now)
            self._write(tx, row, {}, now)
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "role_assigned",
                f"{role_name}: {command.person}",
                {"role": role, "person": current},
                {"role": role, "person": command.person},
            )
            record_audit(
                tx, now, actor, "incident.role.assign", f"incident:{row.id}", {"role": role, "person": command.person}
            )
            return self._view(tx, self._row(tx, row.id))

    def unassign_role(self, actor: Actor, ref: str, role: str) -> IncidentView:
        with self._change(actor, ref) as (tx, row, playbook, now):
            role_name = self._role_name(playbook, role)
            current = role_holder(tx, row.id, role)
            if current is None:
                raise Conflict(f"nobody holds {role_name}")
            tx.execute(
                delete(incident_roles).where(incident_roles.c.incident_id == row.id, incident_roles.c.role == role)
            )
            self._write(tx, row, {}, now)
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "role_unassigned",
                f"{role_name}: {current} stepped down",
                {"role": role, "person": current},
                {"role": role, "person": None},
            )
            record_audit(tx, now, actor, "incident.role.unassign", f"incident:{row.id}", {"role": role})
            return self._view(tx, self._row(tx, row.id))

    def add_note(self, actor: Actor, ref: str, command: AddNote) -> TimelineEvent:
        with self._change(actor, ref) as (tx, row, _playbook, now):
            self._write(tx, row, {}, now)
            event_id = append_event(tx, row.id, now, actor.name, "note", command.text, pinned=command.pinned)
            record_audit(tx, now, actor, "incident.note", f"incident:{row.id}", {"event": event_id})
            return next(event for event in read_events(tx, row.id) if event.id == event_id)

    def add_participant(self, actor: Actor, ref: str, command: AddParticipant) -> IncidentView:
        with self._change(actor, ref) as (tx, row, _playbook, now):
            if not add_participant(tx, row.id, command.name, now):
                raise Conflict(f"{command.name} is already a participant")
            self._write(tx, row, {}, now)
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "participant_added",
                f"{command.name} joined",
                None,
                {"participant": command.name},
            )
            record_audit(tx, now, actor, "incident.participant", f"incident:{row.id}", {"name": command.name})
            return self._view(tx, self._row(tx, row.id))

    def pin(self, actor: Actor, ref: str, event_id: int, pinned: bool) -> TimelineEvent:
        """Pinning marks an existing event; it is audited but is not itself a timeline event."""
        with self._change(actor, ref) as (tx, row, _playbook, now):
            result = tx.execute(
                update(timeline_events)
                .where(timeline_events.c.id == event_id, timeline_events.c.incident_id == row.id)
                .values(pinned=pinned)
            )
            if result.rowcount != 1:
                raise NotFound(f"no timeline event {event_id} on {incident_ref(row.id)}")
            record_audit(tx, now, actor, "incident.pin", f"incident:{row.id}", {"event": event_id, "pinned": pinned})
            return next(event for event in read_events(tx, row.id) if event.id == event_id)

    # ---- internals ---------------------------------------------------------------------------------

    @contextmanager
    def _change(self, actor: Actor, ref: str) -> Iterator[tuple[Connection, Row[Any], Playbook, datetime]]:
        number = parse_ref(ref)
        with self.db.transaction() as tx:
            row = self._visible_row(tx, actor, number)
            yield tx, row, self.playbooks.get(row.playbook_version_id, tx), self.clock.now()

    def _write(self, tx: Connection, row: Row[Any], values: dict[str, Any], now: datetime) -> None:
        # Never move updated_at backwards, whatever the clock says.
        stamp = max(now, row.updated_at)
        result = tx.execute(
            update(incidents)
            .where(incidents.c.id == row.id, incidents.c.revision == row.revision)
            .values(**values, updated_at=stamp, revision=row.revision + 1)
        )
        if result.rowcount != 1:
            raise Conflict(f"{incident_ref(row.id)} changed meanwhile; retry")

    def _lists_service(self, service: str) -> Any:
        """JSON array membership, in each database's own words."""
        if self.db.is_sqlite:
            return text(
                "EXISTS (SELECT 1 FROM json_each(incidents.services) WHERE json_each.value = :service)"
            ).bindparams(service=service)
        return text("CAST(incidents.services AS jsonb) @> CAST(:services AS jsonb)").bindparams(
            services=json.dumps([service])
        )

    def _visibility(self, actor: Actor) -> Any:
        if actor.is_admin:
            return true()
        participant = exists().where(
            and_(incident_participants.c.incident_id == incidents.c.id, incident_participants.c.name == actor.name)
        )
        return or_(incidents.c.private.is_(False), participant)

    def _row(self, connection: Connection, number: int) -> Row[Any]:
        row = connection.execute(select(incidents).where(incidents.c.id == number)).first()
        if row is None:
            raise NotFound(f"no incident {incident_ref(number)}")
        return row

    def _visible_row(self, connection: Connection, actor: Actor, number: int) -> Row[Any]:
        row = connection.execute(select(incidents).where(incidents.c.id == number, self._visibility(actor))).first()
        if row is None:
            # Private incidents answer exactly like missing ones: their existence is private too.
            raise NotFound(f"no incident {incident_ref(number)}")
        return row

    def _duplicate_target(
        self, tx: Connection, actor: Actor, number: int, ref: str | None, problems: Problems
    ) -> int | None:
        if not ref:
            return None
        try:
            target = parse_ref(ref)
            self._visible_row(tx, actor, target)
        except NotFound:
            problems.add("duplicate_of", f"no incident {ref}")
            return None
        if target == number:
            problems.add("duplicate_of", "an incident cannot duplicate itself")
        return target

    @staticmethod
    def _role_keys(playbook: Playbook) -> str:
        return ", ".join(role.key for role in playbook.roles) or "no roles"

    def _role_name(self, playbook: Playbook, role: str) -> str:
        try:
            return playbook.role(role).name
        except KeyError:
            raise InvalidInput.of(
                "role", f"unknown role {role!r}; this playbook has {self._role_keys(playbook)}"
            ) from None

    @staticmethod
    def _check_services(playbook: Playbook, services: list[str], problems: Problems) -> None:
        known = {service.key for service in playbook.services}
        if len(set(services)) != len(services):
            problems.add("services", "lists a service twice")
        if known:
            for index, service in enumerate(services):
                if service not in known:
                    problems.add(
                        f"services[{index}]", f"unknown service {service!r}; known: {', '.join(sorted(known))}"
                    )

    def _summary(self, row: Row[Any], connection: Connection | None = None) -> IncidentSummary:
        return summary_of(row, self.playbooks.get(row.playbook_version_id, connection))

    def _view(self, connection: Connection, row: Row[Any]) -> IncidentView:
        return view_of(connection, row, self.playbooks.get(row.playbook_version_id, connection))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value
