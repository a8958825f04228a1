"""Overdue action items are reminded: once when they fall due, then weekly while they stay overdue.

One durable timer per open item with a due date (kind `action_item_overdue`, subject the item id). The
service re-arms it in the transaction that changes the due date or the status; closing an item disarms it.
The timer carries the due date it was armed for, so a timer left from an earlier due date does nothing but
re-arm. The first reminder also writes "action item overdue" on the incident's timeline; the weekly ones are
notices only (the outbox keeps their record), so a months-old incident's timeline does not fill with nags.

People and the business calendar come from the active playbook, not the incident's frozen one: an action
item outlives its incident by weeks, and the person's current contact methods are the ones that work.
Without an owner the reminder goes to the postmortem's owner, if there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from warroom.comms.notices import send_notice
from warroom.deadlines.business_calendar import BusinessCalendar
from warroom.engine.timers import Timer, arm, disarm, pending
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.postmortems.action_item_records import item_query
from warroom.postmortems.action_item_rules import ItemStatus, due_date, first_reminder, next_reminder
from warroom.store.tables import action_items

ACTION_ITEM_TIMER = "action_item_overdue"
ACTOR = "warroom"


class OverdueReminders:
    def __init__(
        self,
        playbooks: PlaybookRegistry,
        routes: Mapping[str, str],
        wake_sender: Callable[[], None] | None = None,
    ) -> None:
        self.playbooks = playbooks
        self.routes = dict(routes)
        self.wake_sender = wake_sender

    def calendar(self) -> BusinessCalendar:
        return self.playbooks.active[1].business_calendar.calendar()

    def rearm(self, tx: Connection, item_id: int, status: ItemStatus, due_at: datetime | None, now: datetime) -> None:
        """Point the item's timer at its first reminder, or remove it (closed, or no due date)."""
        subject = str(item_id)
        if status.is_closed or due_at is None:
            disarm(tx, ACTION_ITEM_TIMER, subject)
            return
        timer = pending(tx, ACTION_ITEM_TIMER, subject)
        if timer is not None and timer.payload.get("due") == due_at.isoformat():
            return  # already counting towards this due date (open <-> in progress changes nothing)
        at = first_reminder(due_at, now, self.calendar())
        arm(tx, ACTION_ITEM_TIMER, subject, at, now, {"due": due_at.isoformat(), "reminder": 1})

    def on_timer(self, tx: Connection, timer: Timer, now: datetime) -> None:
        row = tx.execute(item_query().where(action_items.c.id == int(timer.subject))).first()
        if row is None:
            return
        status = ItemStatus(row.status)
        if status.is_closed or row.due_at is None:
            return
        if timer.payload.get("due") != row.due_at.isoformat() or now < row.due_at:
            self.rearm(tx, row.id, status, row.due_at, now)  # armed for an earlier due date
            return
        count = int(timer.payload.get("reminder", 1))
        reminded = self._remind(tx, row, status, timer.due_at, now)
        if count == 1:
            day = due_date(row.due_at, self.calendar().zone).isoformat()
            append_event(
                tx,
                row.incident_id,
                now,
                ACTOR,
                "action_item_overdue",
                f"Action item #{row.id} overdue (due {day}): {row.title}; reminded "
                + (", ".join(reminded) or "nobody (no owner with a quiet contact method)"),
                None,
                {"action_item": row.id, "due_at": row.due_at.isoformat(), "owner": row.owner, "reminded": reminded},
            )
        again = next_reminder(max(timer.due_at, now), self.calendar())  # a late engine does not burst
        arm(tx, ACTION_ITEM_TIMER, timer.subject, again, now, {"due": row.due_at.isoformat(), "reminder": count + 1})
        if self.wake_sender is not None:
            self.wake_sender()

    def _remind(self, tx: Connection, row: Row[Any], status: ItemStatus, slot: datetime, now: datetime) -> list[str]:
        """Queue the notice; returns the people it reaches (not the incident's rooms)."""
        playbook = self.playbooks.active[1]
        who = row.owner or row.postmortem_owner
        ref = incident_ref(row.incident_id)
        day = due_date(row.due_at, self.calendar().zone).isoformat()
        weeks = (now - row.due_at).days // 7
        late = f", {weeks} week{'s' if weeks != 1 else ''} overdue" if weeks else ""
        owner_note = "" if row.owner else " It has no owner: assign one."
        text = (
            f'{ref}: action item #{row.id} "{row.title}" ({row.priority}) was due {day}{late} and is still '
            f"{status.value.replace('_', ' ')}. Close it (warroom action status {row.id} done) or move its due "
            f"date.{owner_note}"
        )
        reached = send_notice(
            tx,
            playbook,
            self.routes,
            people=[who] if who else [],
            key=f"action-item-overdue:{row.id}:{int(slot.timestamp())}",  # one per reminder time, reopened or not
            subject=f"{ref}: action item #{row.id} overdue",
            text=text,
            incident_id=row.incident_id,
            now=now,
        )
        return [person for person in reached if not person.startswith("room:")]
