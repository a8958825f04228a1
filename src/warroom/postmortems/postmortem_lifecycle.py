"""The postmortem follows its incident: an incident hook, inside the incident's own transaction.

- Resolved the first time: the postmortem is created, a draft written from the incident (owned by the incident
  commander, due by the severity's policy, reminders armed), or `skipped` with the policy as reason.
- Resolved again after a reopen: never a second one. A draft is planned anew from the new resolution; the
  reminders of one in review resume toward its deadline.
- Severity changed: a draft is re-planned (requirement, due dates, reminders; a severity that skips it skips
  it), and one Warroom skipped by policy comes back as a draft when the new severity asks for one. Once
  submitted, the dates stand. Due dates always count from the resolution, never from the change.

These are bookkeeping of the system, not acts of people: they go to the audit log, not the incident timeline
(whose story the draft itself tells).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection, Row, insert, select
from sqlalchemy.exc import OperationalError

from warroom.audit.log import record_audit
from warroom.auth.actors import SYSTEM, Actor
from warroom.incidents.lifecycle import Status
from warroom.incidents.views import incident_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook, PostmortemRequirement
from warroom.postmortems.draft import write_draft
from warroom.postmortems.policy import PostmortemPlan, plan_postmortem, reminder_times
from warroom.postmortems.postmortem_records import default_owner, postmortem_row, update_postmortem
from warroom.postmortems.postmortem_reminders import schedule_reminders
from warroom.postmortems.states import OPEN_STATES, PostmortemState
from warroom.store.tables import incidents, postmortems

log = structlog.get_logger(__name__)

UNWRITTEN = (
    "<!-- Warroom could not write this draft: regenerate it from the incident. -->\n<!-- draft: not written yet -->"
)


class PostmortemLifecycle:
    def __init__(self, playbooks: PlaybookRegistry, public_url: str) -> None:
        self.playbooks = playbooks
        self.public_url = public_url

    # ---- incident hooks ----------------------------------------------------------------------------------

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        return None

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        return None

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        return None

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        if new is not Status.RESOLVED:
            return
        incident, playbook = self._incident(tx, number)
        row = postmortem_row(tx, number)
        if row is None:
            self._create(tx, incident, playbook, now)
        elif row.state == PostmortemState.DRAFT.value:
            self._replan(tx, row, incident, playbook, now, "resolved again")
        elif row.state == PostmortemState.IN_REVIEW.value and row.due_at is not None:
            due = playbook.severity(incident.severity).postmortem.due
            if due is not None and row.requirement == PostmortemRequirement.REQUIRED.value:
                calendar = playbook.business_calendar.calendar()
                schedule_reminders(tx, number, reminder_times(now, row.due_at, due, calendar), row.due_at, now)

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        row = postmortem_row(tx, number)
        if row is None:
            return
        incident, playbook = self._incident(tx, number)
        if incident.resolved_at is None:
            return  # reopened: resolving it again plans it
        revivable = row.state == PostmortemState.SKIPPED.value and row.updated_by == SYSTEM.name
        if row.state == PostmortemState.DRAFT.value or revivable:
            self._replan(tx, row, incident, playbook, now, f"severity {old} -> {new}")

    # ---- the draft ---------------------------------------------------------------------------------------

    def draft(self, tx: Connection, number: int, playbook: Playbook, now: datetime, facts: dict[str, Any]) -> str:
        """The draft; failing to write it must not stop the incident from resolving (this runs in its
        transaction), so it leaves a note to regenerate instead. A store failure still fails the use case."""
        savepoint = tx.begin_nested()
        try:
            markdown = write_draft(tx, playbook, number, now, self.public_url, facts)
        except OperationalError:
            savepoint.rollback()
            raise
        except Exception:
            savepoint.rollback()
            log.exception("postmortem_draft_failed", incident=incident_ref(number))
            return f"# Postmortem: {incident_ref(number)}\n\n{UNWRITTEN}\n"
        savepoint.commit()
        return markdown

    # ---- creating and planning ---------------------------------------------------------------------------

    def _create(self, tx: Connection, incident: Row[Any], playbook: Playbook, now: datetime) -> None:
        number = incident.id
        severity = playbook.severity(incident.severity)
        plan = plan_postmortem(severity.postmortem, playbook.business_calendar.calendar(), incident.resolved_at or now)
        owner = default_owner(tx, playbook, number)
        skipped = plan.requirement is PostmortemRequirement.SKIPPED
        values = {
            "incident_id": number,
            "requirement": plan.requirement.value,
            "state": (PostmortemState.SKIPPED if skipped else PostmortemState.DRAFT).value,
            "owner": owner,
            "due_at": plan.due_at,
            "review_due_at": plan.review_due_at,
            "markdown": "" if skipped else self.draft(tx, number, playbook, now, _facts(owner, plan)),
            "skip_reason": policy_reason(severity.label, plan) if skipped else None,
            "created_at": now,
            "updated_at": now,
            "updated_by": SYSTEM.name,
            "revision": 1,
        }
        postmortem_id = tx.execute(insert(postmortems).values(**values).returning(postmortems.c.id)).scalar_one()
        detail = {
            "incident": incident_ref(number),
            "state": values["state"],
            "requirement": plan.requirement.value,
            "owner": owner,
            "due_at": _iso(plan.due_at),
            "skip_reason": values["skip_reason"],
        }
        record_audit(tx, now, SYSTEM, "postmortem.create", f"postmortem:{postmortem_id}", detail)
        schedule_reminders(tx, number, plan.reminders, plan.due_at, now)

    def _replan(
        self, tx: Connection, row: Row[Any], incident: Row[Any], playbook: Playbook, now: datetime, why: str
    ) -> None:
        severity = playbook.severity(incident.severity)
        plan = plan_postmortem(severity.postmortem, playbook.business_calendar.calendar(), incident.resolved_at or now)
        values: dict[str, Any] = {
            "requirement": plan.requirement.value,
            "due_at": plan.due_at,
            "review_due_at": plan.review_due_at,
        }
        if plan.requirement is PostmortemRequirement.SKIPPED:
            values |= {"state": PostmortemState.SKIPPED.value, "skip_reason": policy_reason(severity.label, plan)}
        elif row.state == PostmortemState.SKIPPED.value:  # skipped by policy, and the new severity asks for one
            values |= {"state": PostmortemState.DRAFT.value, "skip_reason": None}
            if not row.markdown:
                values["markdown"] = self.draft(tx, incident.id, playbook, now, _facts(row.owner, plan))
                values["revision"] = row.revision + 1
        before = {key: _iso(getattr(row, key)) for key in values if key not in ("markdown", "revision")}
        after = {key: _iso(value) for key, value in values.items() if key not in ("markdown", "revision")}
        if before != after:
            update_postmortem(tx, row, SYSTEM, now, **values)
            detail = {"incident": incident_ref(incident.id), "why": why, "before": before, "after": after}
            record_audit(tx, now, SYSTEM, "postmortem.replan", f"postmortem:{row.id}", detail)
        state = PostmortemState(values.get("state", row.state))
        schedule_reminders(tx, incident.id, plan.reminders if state in OPEN_STATES else (), plan.due_at, now)

    def _incident(self, tx: Connection, number: int) -> tuple[Row[Any], Playbook]:
        incident = tx.execute(select(incidents).where(incidents.c.id == number)).one()
        return incident, self.playbooks.get(incident.playbook_version_id, tx)


def policy_reason(label: str, plan: PostmortemPlan) -> str:
    return f"{label} skips the postmortem by the playbook's policy" + (f" ({plan.note})" if plan.note else "")


def _facts(owner: str | None, plan: PostmortemPlan) -> dict[str, Any]:
    return {
        "owner": owner,
        "due_at": plan.due_at,
        "review_due_at": plan.review_due_at,
        "requirement": plan.requirement.value,
    }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
