"""Role and phase checklists of one incident, ticked by responders.

The lists come from the incident's frozen playbook: every role's `checklist` (list key `role:<key>`) and every
phase whose `severities` include the incident's severity (or name none), in playbook order (`phase:<key>`).

The current phase: the first of those phases (playbook order) that still has an unticked item; none once all
are done. Phase names and their meaning are the playbook's (policy is data), so the rule does not map statuses
to phase names: the team moves on by finishing a phase's checklist, and any phase may be ticked at any time.

A tick or untick is one transaction: the item row, a timeline event and an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Row, insert, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.incidents.lifecycle import Status
from warroom.incidents.service import IncidentService
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.store.database import Database
from warroom.store.tables import incident_checklist_items, incident_roles, incidents

ROLE_PREFIX = "role:"
PHASE_PREFIX = "phase:"


class ChecklistItem(BaseModel):
    index: int
    text: str
    done: bool
    done_by: str | None
    done_at: datetime | None


class Checklist(BaseModel):
    key: str  # role:<key> | phase:<key>
    kind: str  # role | phase
    name: str
    holder: str | None  # who holds the role (roles only)
    goal: str | None  # the phase's goal (phases only)
    items: list[ChecklistItem]

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)


class ChecklistState(BaseModel):
    incident: str
    current_phase: str | None  # the list key of the current phase, or None when every phase is done
    roles: list[Checklist]
    phases: list[Checklist]


@dataclass(frozen=True)
class ListSpec:
    key: str
    kind: str
    name: str
    goal: str | None
    items: tuple[str, ...]


def checklists_of(playbook: Playbook, severity: str) -> list[ListSpec]:
    """Role lists then the phases that apply to this severity, each in playbook order; empty lists left out."""
    roles = [
        ListSpec(ROLE_PREFIX + role.key, "role", role.name, None, tuple(role.checklist))
        for role in playbook.roles
        if role.checklist
    ]
    phases = [
        ListSpec(PHASE_PREFIX + phase.key, "phase", phase.name, phase.goal, tuple(phase.checklist))
        for phase in playbook.phases
        if phase.checklist and (not phase.severities or severity in phase.severities)
    ]
    return roles + phases


def current_phase(phases: Sequence[ListSpec], done: Mapping[str, set[int]]) -> str | None:
    """The first phase with an item not in `done[key]`; None when all are done (see the module doc)."""
    for phase in phases:
        ticked = done.get(phase.key, set())
        if any(index not in ticked for index in range(len(phase.items))):
            return phase.key
    return None


class ChecklistService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry, incidents: IncidentService) -> None:
        self.db, self.clock, self.playbooks, self.incidents = db, clock, playbooks, incidents

    def state(self, actor: Actor, ref: str) -> ChecklistState:
        number = self.incidents.get(actor, ref).number  # NotFound for incidents the actor may not see
        with self.db.read() as connection:
            row = connection.execute(select(incidents).where(incidents.c.id == number)).one()
            return self._state(connection, row)

    def tick(self, actor: Actor, ref: str, list_key: str, item_index: int, done: bool) -> ChecklistState:
        """Tick (done=True) or untick one item. Refused, changing nothing: an unknown list or item, a closed
        incident, ticking what is ticked, unticking what is not."""
        number = self.incidents.get(actor, ref).number
        with self.db.transaction() as tx:
            now = self.clock.now()
            # Locking the incident serialises ticks on it: two people ticking one item get one tick and a refusal.
            row = tx.execute(select(incidents).where(incidents.c.id == number).with_for_update()).one()
            if Status(row.status) is Status.CLOSED:
                raise Conflict(f"{incident_ref(number)} is closed; its checklists are final")
            playbook = self.playbooks.get(row.playbook_version_id, tx)
            spec = _find(checklists_of(playbook, row.severity), list_key)
            if not 0 <= item_index < len(spec.items):
                raise InvalidInput.of(
                    "item_index", f"{spec.name} has items 0 to {len(spec.items) - 1}; there is no item {item_index}"
                )
            text = spec.items[item_index]
            existing = tx.execute(
                select(incident_checklist_items).where(
                    incident_checklist_items.c.incident_id == number,
                    incident_checklist_items.c.list_key == list_key,
                    incident_checklist_items.c.item_index == item_index,
                )
            ).first()
            _check_change(existing, done, text)
            values = {"done_by": actor.name if done else None, "done_at": now if done else None}
            if existing is None:
                tx.execute(
                    insert(incident_checklist_items).values(
                        incident_id=number, list_key=list_key, item_index=item_index, item_text=text, **values
                    )
                )
            else:
                tx.execute(
                    update(incident_checklist_items)
                    .where(incident_checklist_items.c.id == existing.id)
                    .values(item_text=text, **values)
                )
            verb = "Ticked" if done else "Unticked"
            append_event(
                tx,
                number,
                now,
                actor.name,
                "checklist_ticked" if done else "checklist_unticked",
                f"{verb} {spec.name} checklist: {text}",
                {"list": list_key, "item": item_index, "done": not done},
                {"list": list_key, "item": item_index, "done": done},
            )
            record_audit(
                tx,
                now,
                actor,
                "checklist.tick" if done else "checklist.untick",
                f"incident:{number}",
                {"list": list_key, "item": item_index},
            )
            return self._state(tx, row)

    def _state(self, connection: Connection, row: Row[Any]) -> ChecklistState:
        playbook = self.playbooks.get(row.playbook_version_id, connection)
        ticks = {
            (tick.list_key, tick.item_index): tick
            for tick in connection.execute(
                select(incident_checklist_items).where(
                    incident_checklist_items.c.incident_id == row.id, incident_checklist_items.c.done_at.is_not(None)
                )
            )
        }
        holders = {
            holder.role: holder.person
            for holder in connection.execute(
                select(incident_roles.c.role, incident_roles.c.person).where(incident_roles.c.incident_id == row.id)
            )
        }
        specs = checklists_of(playbook, row.severity)
        lists = [_checklist(spec, ticks, holders) for spec in specs]
        done: dict[str, set[int]] = {}
        for list_key, index in ticks:
            done.setdefault(list_key, set()).add(index)
        return ChecklistState(
            incident=incident_ref(row.id),
            current_phase=current_phase([s for s in specs if s.kind == "phase"], done),
            roles=[c for c in lists if c.kind == "role"],
            phases=[c for c in lists if c.kind == "phase"],
        )


def _find(specs: Sequence[ListSpec], list_key: str) -> ListSpec:
    for spec in specs:
        if spec.key == list_key:
            return spec
    known = ", ".join(spec.key for spec in specs) or "none"
    raise NotFound(f"list_key: no checklist {list_key!r} on this incident (known: {known})")


def _check_change(existing: Row[Any] | None, done: bool, text: str) -> None:
    is_done = existing is not None and existing.done_at is not None
    if done and is_done:
        assert existing is not None
        raise Conflict(f"{text!r} was already ticked by {existing.done_by}")
    if not done and not is_done:
        raise Conflict(f"{text!r} is not ticked")


def _checklist(spec: ListSpec, ticks: Mapping[tuple[str, int], Row[Any]], holders: Mapping[str, str]) -> Checklist:
    items = []
    for index, text in enumerate(spec.items):
        tick = ticks.get((spec.key, index))
        items.append(
            ChecklistItem(
                index=index,
                text=text,
                done=tick is not None,
                done_by=tick.done_by if tick is not None else None,
                done_at=tick.done_at if tick is not None else None,
            )
        )
    holder = holders.get(spec.key.removeprefix(ROLE_PREFIX)) if spec.kind == "role" else None
    return Checklist(key=spec.key, kind=spec.kind, name=spec.name, holder=holder, goal=spec.goal, items=items)
