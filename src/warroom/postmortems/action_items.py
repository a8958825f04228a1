"""Action-item use cases. Each one is ONE transaction: the item, its timeline event, audit entry and timer.

Decisions (issue 7):
- An item needs a title; owner, due date and description are optional (an item is often captured in the
  review before anyone takes it). A due date without an owner is allowed: the reminder then goes to the
  postmortem's owner. Owners naming a playbook person are stored as the person's key, so filters match.
- A due date in the past is refused on create and update: it is a typo, not a plan.
- `wont_do` needs a note saying why (kept on the timeline and in the audit log); `done` takes an optional one.
- Pushing to a tracker calls it outside any transaction (a slow tracker must not hold the store), serialised
  in this process so a double click cannot create two issues; the key is then stored only if the item is
  still unpushed. A tracker failure changes nothing and comes back as a TrackerError (HTTP 502).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection, Row, insert, update

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.comms.notices import person_named
from warroom.errors import Conflict, InvalidInput, Problems
from warroom.incidents.service import IncidentService
from warroom.incidents.timeline import append_event
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.postmortems.action_item_models import (
    ActionItemChanges,
    ActionItemFilter,
    ActionItemView,
    NewActionItem,
    PushResult,
    StatusChange,
)
from warroom.postmortems.action_item_records import (
    item_query,
    item_row,
    postmortem_id_of,
    tracker_of_key,
    view_of,
    visible_to,
)
from warroom.postmortems.action_item_reminders import ACTION_ITEM_TIMER, OverdueReminders
from warroom.postmortems.action_item_rules import (
    DEFAULT_PRIORITY,
    OPEN_STATUSES,
    InvalidMove,
    ItemStatus,
    Priority,
    due_date,
    move,
    needs_reason,
    parse_due,
    parse_priority,
    parse_status,
)
from warroom.postmortems.trackers import TrackerError, Trackers, trackers_from_settings
from warroom.settings import Settings
from warroom.store.database import Database
from warroom.store.tables import action_items

log = structlog.get_logger(__name__)

__all__ = ["ACTION_ITEM_TIMER", "ActionItemService", "build_action_items"]


class ActionItemService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: PlaybookRegistry,
        incidents: IncidentService,
        reminders: OverdueReminders,
        trackers: Trackers | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.incidents = incidents
        self.reminders = reminders
        self.trackers = trackers or Trackers()
        self._push_lock = threading.Lock()

    # ---- reads -------------------------------------------------------------------------------------

    def get(self, actor: Actor, item_id: int) -> ActionItemView:
        with self.db.read() as connection:
            return self._view(item_row(connection, item_id, actor))

    def search(self, actor: Actor, filters: ActionItemFilter) -> list[ActionItemView]:
        now = self.clock.now()
        problems = Problems()
        query = item_query().where(visible_to(actor))
        if filters.incident:
            query = query.where(action_items.c.incident_id == self.incidents.get(actor, filters.incident).number)
        statuses: list[str] = []
        for index, text in enumerate(filters.statuses):
            try:
                statuses.append(parse_status(text).value)
            except ValueError as error:
                problems.add(f"status[{index}]" if len(filters.statuses) > 1 else "status", str(error))
        problems.raise_if_any()
        if statuses:
            query = query.where(action_items.c.status.in_(statuses))
        if filters.owner:
            query = query.where(action_items.c.owner == self._owner(self._playbook(), filters.owner))
        open_values = [status.value for status in OPEN_STATUSES]
        if filters.overdue is True:
            query = query.where(
                action_items.c.status.in_(open_values), action_items.c.due_at.is_not(None), action_items.c.due_at <= now
            )
        elif filters.overdue is False:
            query = query.where(
                (action_items.c.status.not_in(open_values))
                | action_items.c.due_at.is_(None)
                | (action_items.c.due_at > now)
            )
        query = query.order_by(action_items.c.due_at.is_(None), action_items.c.due_at, action_items.c.id)
        with self.db.read() as connection:
            rows = list(connection.execute(query.limit(filters.limit)))
        zone = self._zone()
        return [view_of(row, now, zone) for row in rows]

    # ---- use cases ---------------------------------------------------------------------------------

    def create(self, actor: Actor, ref: str, command: NewActionItem) -> ActionItemView:
        incident = self.incidents.get(actor, ref)  # private incidents answer 404 to outsiders
        playbook = self._playbook()
        now = self.clock.now()
        problems = Problems()
        title = self._title(command.title, problems)
        priority = self._priority(command.priority, problems)
        due_at = self._due(command.due, now, playbook, problems)
        owner = self._owner(playbook, command.owner)
        problems.raise_if_any()
        with self.db.transaction() as tx:
            item_id = tx.execute(
                insert(action_items)
                .values(
                    incident_id=incident.number,
                    postmortem_id=postmortem_id_of(tx, incident.number),
                    title=title,
                    description=command.description.strip(),
                    owner=owner,
                    priority=(priority or DEFAULT_PRIORITY).value,
                    due_at=due_at,
                    status=ItemStatus.OPEN.value,
                    created_by=actor.name,
                    created_at=now,
                    updated_at=now,
                )
                .returning(action_items.c.id)
            ).scalar_one()
            facts = self._facts(owner, due_at, priority or DEFAULT_PRIORITY, playbook)
            append_event(
                tx,
                incident.number,
                now,
                actor.name,
                "action_item_added",
                f"Action item #{item_id} added: {title} ({facts})",
                None,
                {"action_item": item_id, "title": title, "owner": owner, "due_at": _iso(due_at)},
            )
            record_audit(
                tx,
                now,
                actor,
                "action_item.create",
                f"action_item:{item_id}",
                {"incident": incident.id, "title": title, "owner": owner, "due_at": _iso(due_at)},
            )
            self.reminders.rearm(tx, item_id, ItemStatus.OPEN, due_at, now)
            return self._view(item_row(tx, item_id))

    def update(self, actor: Actor, item_id: int, command: ActionItemChanges) -> ActionItemView:
        changes = command.model_dump(exclude_unset=True)
        playbook = self._playbook()
        with self.db.transaction() as tx:
            row = item_row(tx, item_id, actor, lock=True)
            now = self.clock.now()
            problems = Problems()
            values: dict[str, Any] = {}
            if "title" in changes:
                values["title"] = self._title(command.title, problems)
            if "description" in changes:
                values["description"] = (command.description or "").strip()
            if "owner" in changes:
                values["owner"] = self._owner(playbook, command.owner)
            if "priority" in changes:
                priority = self._priority(command.priority, problems)
                values["priority"] = priority.value if priority else None
            if "due" in changes:
                values["due_at"] = self._due(command.due, now, playbook, problems) if command.due else None
            problems.raise_if_any()
            before = {key: _jsonable(getattr(row, key)) for key in values}
            after = {key: _jsonable(value) for key, value in values.items()}
            changed = sorted(key for key in values if before[key] != after[key])
            if not changed:
                return self._view(row)
            self._write(tx, row, {key: values[key] for key in changed}, now)
            record_audit(
                tx,
                now,
                actor,
                "action_item.update",
                f"action_item:{row.id}",
                {"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}},
            )
            if "due_at" in changed:
                self.reminders.rearm(tx, row.id, ItemStatus(row.status), values["due_at"], now)
            return self._view(item_row(tx, row.id))

    def change_status(self, actor: Actor, item_id: int, command: StatusChange) -> ActionItemView:
        try:
            target = parse_status(command.status)
        except ValueError as error:
            raise InvalidInput.of("status", str(error)) from None
        note = (command.note or "").strip() or None
        if needs_reason(target) and note is None:
            raise InvalidInput.of("note", f"required for {target.value}: say why it will not be done")
        with self.db.transaction() as tx:
            row = item_row(tx, item_id, actor, lock=True)
            now = self.clock.now()
            current = ItemStatus(row.status)
            try:
                closed_at = move(current, target, row.closed_at, now)
            except InvalidMove as error:
                raise Conflict(str(error), allowed=[status.value for status in error.allowed]) from None
            self._write(tx, row, {"status": target.value, "closed_at": closed_at}, now)
            verb = "reopened" if current.is_closed else f"{current.value} -> {target.value}"
            append_event(
                tx,
                row.incident_id,
                now,
                actor.name,
                "action_item_status_changed",
                f"Action item #{row.id} {verb}: {row.title}" + (f" ({note})" if note else ""),
                {"action_item": row.id, "status": current.value},
                {"action_item": row.id, "status": target.value, "note": note},
            )
            detail = {"from": current.value, "to": target.value, "note": note}
            record_audit(tx, now, actor, "action_item.status", f"action_item:{row.id}", detail)
            self.reminders.rearm(tx, row.id, target, row.due_at, now)
            return self._view(item_row(tx, row.id))

    def push(self, actor: Actor, item_id: int, tracker_name: str) -> PushResult:
        """Create the item's issue in Jira or GitHub once; an item already pushed there is returned as it is."""
        tracker = self.trackers.get(tracker_name)
        with self._push_lock:
            item = self.get(actor, item_id)
            if item.external_key:
                pushed_to = tracker_of_key(item.external_key)
                if pushed_to != tracker.name:
                    raise Conflict(f"action item {item_id} was already pushed to {pushed_to} as {item.external_key}")
                return PushResult(item=item, created=False)
            try:
                issue = tracker.create_issue(tracker.issue_body(item))
            except TrackerError as error:
                log.warning("action_item_push_failed", item=item_id, tracker=tracker.name, status=error.status)
                raise
            with self.db.transaction() as tx:
                row = item_row(tx, item_id, actor, lock=True)
                now = self.clock.now()
                if row.external_key is not None:  # another instance pushed it meanwhile
                    raise Conflict(
                        f"action item {item_id} was pushed meanwhile as {row.external_key}; "
                        f"{issue.key} ({issue.url}) is a duplicate to close"
                    )
                self._write(tx, row, {"external_key": issue.key, "external_url": issue.url}, now)
                append_event(
                    tx,
                    row.incident_id,
                    now,
                    actor.name,
                    "action_item_pushed",
                    f"Action item #{row.id} pushed to {tracker.display_name} as {issue.key}",
                    None,
                    {"action_item": row.id, "tracker": tracker.name, "key": issue.key, "url": issue.url},
                )
                detail = {"tracker": tracker.name, "key": issue.key, "url": issue.url}
                record_audit(tx, now, actor, "action_item.push", f"action_item:{row.id}", detail)
                return PushResult(item=self._view(item_row(tx, row.id)), created=True)

    # ---- internals ---------------------------------------------------------------------------------

    def _playbook(self) -> Playbook:
        return self.playbooks.active[1]

    def _zone(self) -> Any:
        return self._playbook().business_calendar.calendar().zone

    def _view(self, row: Row[Any]) -> ActionItemView:
        return view_of(row, self.clock.now(), self._zone())

    def _write(self, tx: Connection, row: Row[Any], values: dict[str, Any], now: datetime) -> None:
        if row.postmortem_id is None and row.incident_postmortem_id is not None:
            values = {**values, "postmortem_id": row.incident_postmortem_id}  # written since: link it now
        stamp = max(now, row.updated_at)  # never backwards, whatever the clock says
        tx.execute(update(action_items).where(action_items.c.id == row.id).values(**values, updated_at=stamp))

    @staticmethod
    def _title(text: str | None, problems: Problems) -> str:
        title = " ".join((text or "").split())
        if not title:
            problems.add("title", "cannot be empty")
        return title

    @staticmethod
    def _priority(text: str | None, problems: Problems) -> Priority | None:
        if text is None:
            problems.add("priority", "cannot be null; use p0, p1, p2 or p3")
            return None
        try:
            return parse_priority(text)
        except ValueError as error:
            problems.add("priority", str(error))
            return None

    @staticmethod
    def _due(text: str | None, now: datetime, playbook: Playbook, problems: Problems) -> datetime | None:
        if text is None or not text.strip():
            return None
        try:
            due_at = parse_due(text, now, playbook.business_calendar.calendar())
        except ValueError as error:
            problems.add("due", str(error))
            return None
        if due_at <= now:
            problems.add("due", f"{text.strip()!r} is in the past ({due_at.isoformat()})")
            return None
        return due_at

    @staticmethod
    def _owner(playbook: Playbook, text: str | None) -> str | None:
        name = " ".join((text or "").split())
        if not name:
            return None
        person = person_named(playbook, name)
        return person.key if person is not None else name

    @staticmethod
    def _facts(owner: str | None, due_at: datetime | None, priority: Priority, playbook: Playbook) -> str:
        zone = playbook.business_calendar.calendar().zone
        due = f"due {due_date(due_at, zone).isoformat()}" if due_at else "no due date"
        return f"{owner or 'no owner'}, {due}, {priority.value}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def build_action_items(
    db: Database,
    clock: Clock,
    playbooks: PlaybookRegistry,
    incidents: IncidentService,
    routes: Mapping[str, str],
    settings: Settings,
    wake_sender: Callable[[], None] | None = None,
) -> ActionItemService:
    """The service as the runtime assembles it; register `ACTION_ITEM_TIMER` with `service.reminders.on_timer`."""
    reminders = OverdueReminders(playbooks, routes, wake_sender=wake_sender)
    return ActionItemService(db, clock, playbooks, incidents, reminders, trackers_from_settings(settings))
