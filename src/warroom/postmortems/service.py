"""Postmortem use cases, one transaction each: the row, its timeline event, its audit entry and its reminders.

The postmortem itself is created and re-planned by the incident (postmortem_lifecycle); the service passes the
incident hooks on to it. Decisions:
- Edits carry the revision they started from; a stale one is refused naming the current revision (409).
  `revision` counts the Markdown's versions only: re-planning dates does not make an editor's copy stale.
- The text changes in draft and in review; regenerating from the incident (which throws the text away) only in
  draft, and only from the current revision.
- Publishing needs every placeholder filled in or deleted; the playbook's own guidance comments may stay.
- Only a postmortem the severity does not require can be skipped, with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.comms.notices import send_notice
from warroom.engine.timers import Timer
from warroom.errors import Conflict, NotFound
from warroom.incidents.lifecycle import Status
from warroom.incidents.service import parse_ref
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook, PostmortemRequirement
from warroom.postmortems.draft import POSTMORTEM_EVENT
from warroom.postmortems.draft_sections import placeholders_in
from warroom.postmortems.postmortem_lifecycle import PostmortemLifecycle
from warroom.postmortems.postmortem_models import (
    AssignOwner,
    EditPostmortem,
    PostmortemFilter,
    PostmortemSummary,
    PostmortemView,
    RegeneratePostmortem,
    SendBack,
    SkipPostmortem,
)
from warroom.postmortems.postmortem_records import (
    REMINDER_TIMER,
    postmortem_row,
    summary_of,
    update_postmortem,
    view_of,
    visible_to,
)
from warroom.postmortems.postmortem_reminders import PostmortemReminders, schedule_reminders
from warroom.postmortems.states import OPEN_STATES, PostmortemAction, PostmortemState, RefusedAction, check_action
from warroom.store.database import Database
from warroom.store.tables import incidents, postmortems
from warroom.templating import utc_filter

_Change = tuple[Connection, Row[Any], Row[Any], Playbook, datetime]


class PostmortemService:
    """The use cases; also the incident hook (it hands the incident's changes to the lifecycle)."""

    timer_kind = REMINDER_TIMER

    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: PlaybookRegistry,
        routes: Mapping[str, str],
        public_url: str,
        wake_sender: Callable[[], None] | None = None,
    ) -> None:
        self.db, self.clock, self.playbooks = db, clock, playbooks
        self.routes = dict(routes)
        self.public_url = public_url
        self.wake_sender = wake_sender
        self.reminders = PostmortemReminders(playbooks, routes, wake_sender)
        self.lifecycle = PostmortemLifecycle(playbooks, public_url)

    def on_reminder(self, tx: Connection, timer: Timer, now: datetime) -> None:
        self.reminders.on_timer(tx, timer, now)

    # ---- incident hooks (the postmortem follows its incident: postmortem_lifecycle) ----------------------

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        self.lifecycle.incident_opened(tx, number, now)

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        self.lifecycle.incident_acknowledged(tx, number, actor, now)

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        self.lifecycle.incident_status_changed(tx, number, old, new, now)

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        self.lifecycle.severity_changed(tx, number, old, new, now)

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        self.lifecycle.progress(tx, number, now)

    # ---- reads -------------------------------------------------------------------------------------------

    def get(self, actor: Actor, ref: str) -> PostmortemView:
        with self.db.read() as connection:
            row, incident, playbook = self._visible(connection, actor, ref)
            return view_of(connection, row, incident, playbook, self.clock.now())

    def search(self, actor: Actor, filters: PostmortemFilter) -> list[PostmortemSummary]:
        now = self.clock.now()
        query = (
            select(postmortems, incidents.c.title, incidents.c.severity, incidents.c.playbook_version_id)
            .join(incidents, incidents.c.id == postmortems.c.incident_id)
            .where(visible_to(actor))
            .order_by(postmortems.c.due_at.is_(None), postmortems.c.due_at, postmortems.c.id)
        )
        if filters.states:
            query = query.where(postmortems.c.state.in_([state.value for state in filters.states]))
        if filters.owner:
            query = query.where(postmortems.c.owner == filters.owner)
        overdue = (
            (postmortems.c.requirement == PostmortemRequirement.REQUIRED.value)
            & postmortems.c.state.in_([state.value for state in OPEN_STATES])
            & (postmortems.c.due_at <= now)
        )
        if filters.overdue is True:
            query = query.where(overdue)
        elif filters.overdue is False:
            query = query.where(~overdue | postmortems.c.due_at.is_(None))
        with self.db.read() as connection:
            rows = list(connection.execute(query.limit(filters.limit)))
            return [summary_of(row, row, self.playbooks.get(row.playbook_version_id, connection), now) for row in rows]

    def overdue(self, actor: Actor) -> list[PostmortemSummary]:
        return self.search(actor, PostmortemFilter(overdue=True))

    # ---- use cases ---------------------------------------------------------------------------------------

    def edit(self, actor: Actor, ref: str, command: EditPostmortem) -> PostmortemView:
        with self._change(actor, ref, PostmortemAction.EDIT) as (tx, row, incident, playbook, now):
            self._check_revision(row, command.revision)
            markdown = command.markdown.replace("\r\n", "\n")
            if markdown == row.markdown:
                return view_of(tx, row, incident, playbook, now)
            update_postmortem(tx, row, actor, now, markdown=markdown, revision=row.revision + 1)
            self._record(
                tx, row, actor, now, "edited", f"Postmortem edited by {actor.name} (revision {row.revision + 1})"
            )
            return self._view(tx, row.incident_id, incident, playbook, now)

    def assign_owner(self, actor: Actor, ref: str, command: AssignOwner) -> PostmortemView:
        owner = command.owner.strip()
        with self._change(actor, ref, PostmortemAction.ASSIGN_OWNER) as (tx, row, incident, playbook, now):
            if owner == row.owner:
                raise Conflict(f"{owner} already owns the postmortem of {incident_ref(row.incident_id)}")
            update_postmortem(tx, row, actor, now, owner=owner)
            self._record(tx, row, actor, now, "owner", f"Postmortem owner: {owner}", {"owner": owner})
            ref_text = incident_ref(row.incident_id)
            due = f", due {utc_filter(row.due_at)}" if row.due_at else ""
            send_notice(
                tx,
                playbook,
                self.routes,
                people=[owner],
                key=f"postmortem-owner:{row.incident_id}:{owner}:{int(now.timestamp())}",
                subject=f"{ref_text}: you own the postmortem",
                text=f"{ref_text} {incident.title}: {actor.name} made you the owner of its postmortem{due}.",
                incident_id=row.incident_id,
                now=now,
            )
            view = self._view(tx, row.incident_id, incident, playbook, now)
        self._wake()
        return view

    def submit(self, actor: Actor, ref: str) -> PostmortemView:
        with self._change(actor, ref, PostmortemAction.SUBMIT) as (tx, row, incident, playbook, now):
            update_postmortem(tx, row, actor, now, state=PostmortemState.IN_REVIEW.value, submitted_at=now)
            self._record(tx, row, actor, now, "submitted", f"Postmortem submitted for review by {actor.name}")
            return self._view(tx, row.incident_id, incident, playbook, now)

    def publish(self, actor: Actor, ref: str) -> PostmortemView:
        with self._change(actor, ref, PostmortemAction.PUBLISH) as (tx, row, incident, playbook, now):
            left = placeholders_in(row.markdown)
            if left:
                raise Conflict(
                    f"the postmortem still has {len(left)} placeholder(s) to fill in or delete: {', '.join(left)}",
                    placeholders=left,
                )
            update_postmortem(tx, row, actor, now, state=PostmortemState.PUBLISHED.value, published_at=now)
            schedule_reminders(tx, row.incident_id, (), None, now)
            self._record(tx, row, actor, now, "published", f"Postmortem published by {actor.name}")
            return self._view(tx, row.incident_id, incident, playbook, now)

    def send_back(self, actor: Actor, ref: str, command: SendBack) -> PostmortemView:
        with self._change(actor, ref, PostmortemAction.SEND_BACK) as (tx, row, incident, playbook, now):
            update_postmortem(tx, row, actor, now, state=PostmortemState.DRAFT.value)
            reason = f": {command.reason}" if command.reason else ""
            text = f"Postmortem sent back to draft by {actor.name}{reason}"
            self._record(tx, row, actor, now, "sent_back", text, {"reason": command.reason})
            return self._view(tx, row.incident_id, incident, playbook, now)

    def skip(self, actor: Actor, ref: str, command: SkipPostmortem) -> PostmortemView:
        with self._change(actor, ref, PostmortemAction.SKIP) as (tx, row, incident, playbook, now):
            reason = command.reason.strip()
            update_postmortem(tx, row, actor, now, state=PostmortemState.SKIPPED.value, skip_reason=reason)
            schedule_reminders(tx, row.incident_id, (), None, now)
            text = f"Postmortem skipped by {actor.name}: {reason}"
            self._record(tx, row, actor, now, "skipped", text, {"reason": reason})
            return self._view(tx, row.incident_id, incident, playbook, now)

    def regenerate(self, actor: Actor, ref: str, command: RegeneratePostmortem) -> PostmortemView:
        with self._change(actor, ref, PostmortemAction.REGENERATE) as (tx, row, incident, playbook, now):
            self._check_revision(row, command.revision)
            facts = {"owner": row.owner, "due_at": row.due_at, "review_due_at": row.review_due_at}
            markdown = self.lifecycle.draft(
                tx, row.incident_id, playbook, now, {**facts, "requirement": row.requirement}
            )
            if markdown == row.markdown:
                return view_of(tx, row, incident, playbook, now)
            update_postmortem(tx, row, actor, now, markdown=markdown, revision=row.revision + 1)
            text = f"Postmortem draft regenerated from the incident by {actor.name} (revision {row.revision + 1})"
            self._record(tx, row, actor, now, "regenerated", text)
            return self._view(tx, row.incident_id, incident, playbook, now)

    # ---- internals ---------------------------------------------------------------------------------------

    def _visible(self, connection: Connection, actor: Actor, ref: str) -> tuple[Row[Any], Row[Any], Playbook]:
        number = parse_ref(ref)
        incident = connection.execute(select(incidents).where(incidents.c.id == number, visible_to(actor))).first()
        if incident is None:
            raise NotFound(f"no incident {incident_ref(number)}")
        row = postmortem_row(connection, number)
        if row is None:
            status = incident.status.replace("_", " ")
            raise NotFound(
                f"{incident_ref(number)} has no postmortem yet: it is written when the incident resolves "
                f"(it is {status})"
            )
        return row, incident, self.playbooks.get(incident.playbook_version_id, connection)

    @contextmanager
    def _change(self, actor: Actor, ref: str, action: PostmortemAction) -> Iterator[_Change]:
        with self.db.transaction() as tx:
            row, incident, playbook = self._visible(tx, actor, ref)
            try:
                check_action(PostmortemState(row.state), row.requirement, action)
            except RefusedAction as refused:
                raise Conflict(str(refused), allowed=[a.value for a in refused.allowed]) from None
            yield tx, row, incident, playbook, self.clock.now()

    @staticmethod
    def _check_revision(row: Row[Any], revision: int) -> None:
        if revision != row.revision:
            raise Conflict(
                f"the postmortem changed since revision {revision}: the current revision is {row.revision} "
                f"(by {row.updated_by} at {utc_filter(row.updated_at)}); start from it and apply your change again",
                current_revision=row.revision,
            )

    @staticmethod
    def _record(
        tx: Connection, row: Row[Any], actor: Actor, now: datetime, action: str, text: str,
        detail: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """The timeline event and the audit entry of a use case."""
        facts = {"action": action, **(detail or {})}
        append_event(tx, row.incident_id, now, actor.name, POSTMORTEM_EVENT, text, {"state": row.state}, facts)
        subject = f"postmortem:{row.id}"
        record_audit(
            tx, now, actor, f"postmortem.{action}", subject, {**facts, "incident": incident_ref(row.incident_id)}
        )

    @staticmethod
    def _view(tx: Connection, number: int, incident: Row[Any], playbook: Playbook, now: datetime) -> PostmortemView:
        row = postmortem_row(tx, number)
        assert row is not None
        return view_of(tx, row, incident, playbook, now)

    def _wake(self) -> None:
        if self.wake_sender is not None:
            self.wake_sender()


__all__ = ["REMINDER_TIMER", "PostmortemService"]
