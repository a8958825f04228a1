"""Postmortem reminders as one durable timer per incident (kind "postmortem_reminder").

The timer carries the rest of the schedule (policy.reminder_times), so each firing tells the owner, then arms the
next reminder. The last one is at the deadline: one "overdue" notice, no repeats (the overdue list keeps showing
it). Reminders stop when the postmortem is published or skipped, and are held while the incident is reopened
(resolving it again plans them anew).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from warroom.comms.notices import send_notice
from warroom.engine.timers import Timer, arm, disarm
from warroom.incidents.lifecycle import Status
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook, PostmortemRequirement
from warroom.postmortems.draft import POSTMORTEM_EVENT
from warroom.postmortems.draft_sections import placeholders_in
from warroom.postmortems.policy import Reminder, ReminderStage
from warroom.postmortems.postmortem_records import REMINDER_TIMER, postmortem_row
from warroom.postmortems.states import OPEN_STATES, PostmortemState
from warroom.store.tables import incidents
from warroom.templating import duration_filter, utc_filter

ACTOR = "warroom"


def schedule_reminders(
    tx: Connection, number: int, reminders: Sequence[Reminder], due_at: datetime | None, now: datetime
) -> None:
    """Arm the first reminder still ahead (the deadline one always counts), carrying the rest; none: disarm."""
    upcoming = [r for r in reminders if r.at > now or r.stage is ReminderStage.DUE]
    if not upcoming or due_at is None:
        disarm(tx, REMINDER_TIMER, str(number))
        return
    first, rest = upcoming[0], upcoming[1:]
    payload = {
        "stage": first.stage.value,
        "due_at": due_at.isoformat(),
        "next": [[r.at.isoformat(), r.stage.value] for r in rest],
    }
    arm(tx, REMINDER_TIMER, str(number), max(first.at, now), now, payload)


class PostmortemReminders:
    """The handler of the reminder timer."""

    def __init__(
        self, playbooks: PlaybookRegistry, routes: Mapping[str, str], wake_sender: Callable[[], None] | None = None
    ) -> None:
        self.playbooks = playbooks
        self.routes = dict(routes)
        self.wake_sender = wake_sender

    def on_timer(self, tx: Connection, timer: Timer, now: datetime) -> None:
        number = int(timer.subject)
        row = postmortem_row(tx, number)
        if row is None or row.due_at is None or row.requirement != PostmortemRequirement.REQUIRED.value:
            return
        state = PostmortemState(row.state)
        if state not in OPEN_STATES or timer.payload.get("due_at") != row.due_at.isoformat():
            return  # published or skipped meanwhile; a new plan armed its own timer
        incident = tx.execute(select(incidents).where(incidents.c.id == number)).one()
        if Status(incident.status) not in (Status.RESOLVED, Status.CLOSED):
            return  # reopened: resolving it again plans the reminders anew
        playbook = self.playbooks.get(incident.playbook_version_id, tx)
        stage = ReminderStage(str(timer.payload.get("stage")))
        if stage is not ReminderStage.DUE and now >= row.due_at:
            stage = ReminderStage.DUE  # fired late (the engine was down): say what is true now, once
        self._tell(tx, row, incident, playbook, stage, now)
        remaining = [Reminder(datetime.fromisoformat(at), ReminderStage(kind)) for at, kind in timer.payload["next"]]
        if stage is ReminderStage.DUE:
            remaining = []
        schedule_reminders(tx, number, remaining, row.due_at, now)
        if self.wake_sender is not None:
            self.wake_sender()

    def _tell(
        self, tx: Connection, row: Row[Any], incident: Row[Any], playbook: Playbook, stage: ReminderStage,
        now: datetime,
    ) -> None:  # fmt: skip
        """The notice to the owner (and the incident's room), and its line on the timeline."""
        ref = incident_ref(row.incident_id)
        try:
            label = playbook.severity(incident.severity).label
        except KeyError:
            label = incident.severity
        due = utc_filter(row.due_at)
        left = placeholders_in(row.markdown)
        todo = f", with {len(left)} placeholder(s) to fill" if left else ""
        where = row.state.replace("_", " ")
        if stage is ReminderStage.DUE:
            subject = f"{ref}: postmortem overdue"
            text = (
                f"{ref} [{label}] {incident.title}: the postmortem was due {due} and is not published (it is "
                f"{where}{todo}). It stays on the overdue list until it is published."
            )
            event = f"Postmortem overdue: due {due}, not published"
        else:
            subject = f"{ref}: postmortem due {due}"
            text = (
                f"{ref} [{label}] {incident.title}: the postmortem is due {due}, in "
                f"{duration_filter(row.due_at - now)} (it is {where}{todo}). See: warroom postmortem show {ref}"
            )
            event = f"Postmortem reminder: due {due}"
        reached = send_notice(
            tx,
            playbook,
            self.routes,
            people=[row.owner] if row.owner else [],
            key=f"postmortem-{stage.value}:{row.incident_id}:{int(row.due_at.timestamp())}",
            subject=subject,
            text=text,
            incident_id=row.incident_id,
            now=now,
        )
        told = ", ".join(reached) or f"nobody ({'no owner' if not row.owner else f'{row.owner} has no quiet contact'})"
        action = "overdue" if stage is ReminderStage.DUE else "reminded"
        after = {"action": action, "stage": stage.value, "owner": row.owner, "reached": reached}
        append_event(tx, row.incident_id, now, ACTOR, POSTMORTEM_EVENT, f"{event}; told {told}", None, after)
