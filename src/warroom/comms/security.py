"""Security incidents and communication: the approval customer messages wait for, the personal-data breach
flag that starts the regulator clock, the notice to the regulator, and waiving a clock that does not apply."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.comms.commands import FlagBreach, RegulatorNotice, Waive
from warroom.comms.notices import person_named
from warroom.comms.records import record_communication
from warroom.engine.communication import CommunicationClocks
from warroom.errors import Conflict, Forbidden, InvalidInput, NotFound
from warroom.incidents.records import awaiting_approval, is_security
from warroom.incidents.role_holders import holder_at
from warroom.incidents.service import IncidentService
from warroom.incidents.timeline import append_event
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook, TemplateKind
from warroom.store.database import Database
from warroom.store.tables import communication_waivers, communications, incidents

REGULATOR_CHANNEL = "regulator"


class CommunicationControls:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: PlaybookRegistry,
        incidents: IncidentService,
        clocks: CommunicationClocks,
    ) -> None:
        self.db, self.clock, self.playbooks, self.incidents, self.clocks = db, clock, playbooks, incidents, clocks

    def _load(self, tx: Connection, actor: Actor, ref: str) -> tuple[Row[Any], Playbook]:
        view = self.incidents.get(actor, ref)
        row = tx.execute(select(incidents).where(incidents.c.id == view.number)).one()
        return row, self.playbooks.get(row.playbook_version_id, tx)

    def _is_approver(self, tx: Connection, playbook: Playbook, row: Row[Any], actor: Actor) -> tuple[bool, str]:
        """Whether the actor holds the approval role on this incident; and how to name that role."""
        role = playbook.security.approval_role if playbook.security else None
        if role is None:
            return False, "security approver"
        try:
            name = playbook.role(role).name
        except KeyError:
            name = role
        holder = holder_at(tx, playbook, row.id, role, self.clock.now())
        if holder is None:
            return False, name
        person = person_named(playbook, holder)
        names = {holder} | ({person.key, person.name} if person else set())
        return actor.name in names, name

    def approve(self, actor: Actor, ref: str, note: str | None = None) -> None:
        with self.db.transaction() as tx:
            now = self.clock.now()
            row, playbook = self._load(tx, actor, ref)
            if not awaiting_approval(playbook, row):
                if row.comms_approved_at is not None:
                    raise Conflict(f"already approved by {row.comms_approved_by}")
                raise Conflict(
                    "nothing waits for approval: this is not a security incident under a playbook approval rule"
                )
            allowed, role_name = self._is_approver(tx, playbook, row, actor)
            if not allowed:
                role = playbook.security.approval_role or "" if playbook.security else ""
                holder = holder_at(tx, playbook, row.id, role, now)
                if holder is None:
                    raise Conflict(f"nobody holds the {role_name} role on this incident: assign it first")
                raise Forbidden(f"only the {role_name} ({holder}) can approve customer communication")
            tx.execute(
                update(incidents)
                .where(incidents.c.id == row.id)
                .values(comms_approved_at=now, comms_approved_by=actor.name, updated_at=now)
            )
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "communication_approved",
                f"{role_name} approved customer communication" + (f": {note}" if note else ""),
                None,
                {"approved_by": actor.name},
                pinned=True,
            )
            record_audit(tx, now, actor, "comms.approve", f"incident:{row.id}", {"note": note})
            self.clocks.rearm(tx, row.id, now)  # held customer clocks restart from now

    def flag_breach(self, actor: Actor, ref: str, command: FlagBreach) -> None:
        with self.db.transaction() as tx:
            now = self.clock.now()
            row, playbook = self._load(tx, actor, ref)
            if row.personal_data_breach_at is not None:
                raise Conflict(f"the breach was flagged at {row.personal_data_breach_at.isoformat()}")
            at = command.at or now
            if at > now:
                raise InvalidInput.of("at", "cannot be in the future")
            if at < now:
                allowed, role_name = self._is_approver(tx, playbook, row, actor)
                if not allowed:
                    raise Forbidden(f"only the {role_name} may back-date the breach flag")
                if at < row.detected_at:
                    raise InvalidInput.of("at", f"cannot be before detection ({row.detected_at.isoformat()})")
            tx.execute(
                update(incidents).where(incidents.c.id == row.id).values(personal_data_breach_at=at, updated_at=now)
            )
            notice = playbook.security.regulator_notice if playbook.security else None
            text = "Personal-data breach confirmed" + (f": regulator notice due within {notice}" if notice else "")
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "breach_flagged",
                text + (f" ({command.note})" if command.note else ""),
                None,
                {"at": at.isoformat()},
                pinned=True,
            )
            record_audit(tx, now, actor, "comms.breach", f"incident:{row.id}", {"at": at.isoformat()})
            self.clocks.rearm(tx, row.id, now)

    def record_regulator_notice(self, actor: Actor, ref: str, command: RegulatorNotice) -> None:
        with self.db.transaction() as tx:
            now = self.clock.now()
            row, _playbook = self._load(tx, actor, ref)
            if row.personal_data_breach_at is None:
                raise Conflict("flag the personal-data breach first: the regulator clock starts there")
            at = command.at or now
            if at > now:
                raise InvalidInput.of("at", "cannot be in the future")
            if at < row.personal_data_breach_at:
                raise InvalidInput.of("at", "cannot be before the breach was flagged")
            number = record_communication(
                tx,
                incident_id=row.id,
                template=None,
                kind=TemplateKind.REGULATOR_NOTICE.value,
                channel=REGULATOR_CHANNEL,
                subject=f"Regulator notified: {command.reference}",
                body=command.reference,
                fields={},
                sent_by=actor.name,
                now=now,
                delivered=True,
            )
            tx.execute(update(communications).where(communications.c.id == number).values(delivered_at=at))
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "regulator_notified",
                f"Regulator notified: {command.reference}",
                None,
                {"at": at.isoformat()},
                pinned=True,
            )
            record_audit(tx, now, actor, "comms.regulator", f"incident:{row.id}", {"reference": command.reference})
            self.clocks.rearm(tx, row.id, now)

    def waive(self, actor: Actor, ref: str, deadline: str, command: Waive) -> None:
        with self.db.transaction() as tx:
            now = self.clock.now()
            row, playbook = self._load(tx, actor, ref)
            keys = [d.key for d in playbook.severity(row.severity).communication]
            if deadline not in keys:
                raise NotFound(f"no communication deadline {deadline!r} for this severity (known: {', '.join(keys)})")
            if is_security(row) and playbook.security and deadline == "regulator_notice":
                raise Conflict("the regulator clock cannot be waived")
            exists = tx.execute(
                select(communication_waivers.c.id).where(
                    communication_waivers.c.incident_id == row.id, communication_waivers.c.deadline == deadline
                )
            ).first()
            if exists:
                raise Conflict(f"{deadline!r} is already waived")
            tx.execute(
                insert(communication_waivers).values(
                    incident_id=row.id, deadline=deadline, reason=command.reason, waived_by=actor.name, waived_at=now
                )
            )
            append_event(
                tx,
                row.id,
                now,
                actor.name,
                "communication_waived",
                f"Waived {deadline}: {command.reason}",
                None,
                {"deadline": deadline},
            )
            record_audit(tx, now, actor, "comms.waive", f"incident:{row.id}", {"deadline": deadline})
            self.clocks.rearm(tx, row.id, now)
