"""The escalation engine: pages the right people at each step of an incident's escalation policies.

Policies start when an incident opens (the first step pages at once, in the opening transaction) and run
on durable timers of kind "escalation", one per running escalation. Every step is fenced twice: by the
timer's fence (a re-armed timer's old claim changes nothing) and by the escalation row's (level, round)
(the update that records a step only succeeds for the step that was expected); the `pages` unique key
(escalation, level, round, person) is the last word. So no step pages twice, on one SQLite file or with
several engines on one PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from warroom.audit.log import record_audit
from warroom.auth.actors import SYSTEM, Actor
from warroom.clock import Clock
from warroom.engine.escalation_records import (
    MANUAL,
    EscalationState,
    EscalationView,
    PageView,
    escalation_rows,
    escalations_of,
    incident_row,
    page_ids,
    pages_of,
)
from warroom.engine.manual_pages import manual_methods, manual_target
from warroom.engine.timers import Timer, arm, disarm
from warroom.errors import Conflict, InvalidInput
from warroom.incidents.lifecycle import OPEN_STATUSES, Status, is_forward
from warroom.incidents.opening import add_participant
from warroom.incidents.records import is_security
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.metrics import pages_sent
from warroom.notify.outbox import cancel_pending
from warroom.notify.page_messages import PageMessages
from warroom.oncall.escalation_plan import (
    Plan,
    PlannedTarget,
    Step,
    already_paged,
    condition_holds,
    first_step,
    freeze,
    is_end,
    policies_for,
    services_customer_facing,
    step_after,
    waiting_step,
)
from warroom.oncall.overrides import overrides_between
from warroom.oncall.targets import Resolution, resolve_targets
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import EscalationKind, Playbook, Severity
from warroom.store.database import Database
from warroom.store.tables import escalations, incident_roles, incidents, pages

ESCALATION_TIMER = "escalation"


class StaleStep(RuntimeError):
    """The step was recorded by someone else meanwhile: roll back and page nobody."""


def _subject(escalation_id: int) -> str:
    return f"escalation:{escalation_id}"


class EscalationService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: PlaybookRegistry,
        pages: PageMessages,
        wake_sender: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.page_messages = pages
        self.wake_sender = wake_sender or (lambda: None)

    # ---- hooks: called inside the incident use cases' transactions ----------------------------------

    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None:
        incident = incident_row(tx, number)
        playbook = self.playbooks.get(incident.playbook_version_id, tx)
        self._start(tx, incident, playbook, playbook.severity(incident.severity), incident.triggered_at, now)

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None:
        """An acknowledgement stops acknowledgement chains; time matrices and progress chains go on."""
        for row in escalation_rows(tx, number, (EscalationState.RUNNING, EscalationState.EXHAUSTED)):
            plan = Plan.from_json(row.plan)
            if not plan.stops_on_acknowledgement:
                continue
            self._stop(tx, row, EscalationState.ACKNOWLEDGED, f"acknowledged by {actor.name}", now)
            if not plan.multi_ack:
                cancel_pending(tx, number, page_ids(tx, row.id), f"acknowledged by {actor.name}")

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None:
        if new not in OPEN_STATUSES:
            for row in escalation_rows(tx, number, None):
                if row.state != EscalationState.STOPPED.value:
                    self._stop(tx, row, EscalationState.STOPPED, f"incident {new.value}", now)
            cancel_pending(tx, number, None, f"incident {new.value}")
            return
        if old not in OPEN_STATUSES:  # reopened: the policies run again from now
            incident = incident_row(tx, number)
            playbook = self.playbooks.get(incident.playbook_version_id, tx)
            self._restart(tx, incident, playbook, now)
            return
        if is_forward(old, new):
            self.progress(tx, number, now)

    def progress(self, tx: Connection, number: int, now: datetime) -> None:
        """Progress (a forward status change, a recorded mitigation) restarts progress chains' current level."""
        for row in escalation_rows(tx, number, (EscalationState.RUNNING,)):
            plan = Plan.from_json(row.plan)
            if plan.kind is not EscalationKind.PROGRESS or row.level < 0 or row.next_due_at is None:
                continue
            timeout = plan.levels[row.level].timeout_seconds
            if timeout is None:
                continue
            due = now + timedelta(seconds=timeout)
            tx.execute(update(escalations).where(escalations.c.id == row.id).values(next_due_at=due))
            nxt = waiting_step(plan, row.level, row.round, row.anchor_at, row.next_due_at)
            if nxt is not None:
                arm(tx, ESCALATION_TIMER, _subject(row.id), due, now, {"level": nxt.level, "round": nxt.round})

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None:
        """Policies of the new severity start; those it no longer names stop. On an upgrade the new steps
        keep counting from the original trigger, so the ones already past fire at once (SEMANTICS)."""
        incident = incident_row(tx, number)
        playbook = self.playbooks.get(incident.playbook_version_id, tx)
        severity = playbook.severity(new)
        wanted = {policy.key for policy in policies_for(playbook, severity, is_security(incident))}
        for row in escalation_rows(tx, number, (EscalationState.RUNNING, EscalationState.EXHAUSTED)):
            if row.policy not in wanted:
                self._stop(tx, row, EscalationState.STOPPED, f"severity changed to {severity.label}", now)
        upgrade = playbook.severity_rank(new) < playbook.severity_rank(old)
        anchor = incident.triggered_at if upgrade else now
        self._start(tx, incident, playbook, severity, anchor, now)

    # ---- the engine's handler -----------------------------------------------------------------------

    def on_timer(self, tx: Connection, timer: Timer, now: datetime) -> None:
        escalation_id = int(timer.subject.split(":", 1)[1])
        row = tx.execute(select(escalations).where(escalations.c.id == escalation_id)).first()
        if row is None or row.state != EscalationState.RUNNING.value:
            return
        plan = Plan.from_json(row.plan)
        expected = waiting_step(plan, row.level, row.round, row.anchor_at, row.next_due_at)
        if expected is None or (expected.level, expected.round) != (
            timer.payload.get("level"),
            timer.payload.get("round"),
        ):
            return  # an old arming: the escalation moved on meanwhile
        incident = incident_row(tx, row.incident_id)
        if Status(incident.status) not in OPEN_STATUSES:
            self._stop(tx, row, EscalationState.STOPPED, f"incident {incident.status}", now)
            return
        playbook = self.playbooks.get(incident.playbook_version_id, tx)
        self._run_from(tx, row, plan, expected, incident, playbook, SYSTEM, now, reason=None)

    # ---- a responder's use case ----------------------------------------------------------------------

    def escalate(self, actor: Actor, number: int, level: int | None, reason: str, policy: str | None = None) -> None:
        """ "Escalate now" (the next level) or "escalate to level N" (1-based), at once."""
        now = self.clock.now()
        with self.db.transaction() as tx:
            incident = incident_row(tx, number)
            if Status(incident.status) not in OPEN_STATUSES:
                raise Conflict(f"a {incident.status} incident cannot be escalated")
            playbook = self.playbooks.get(incident.playbook_version_id, tx)
            rows = escalation_rows(tx, number, None)
            if policy is not None:
                rows = [row for row in rows if row.policy == policy]
                if not rows:
                    raise InvalidInput.of("policy", f"{incident_ref(number)} has no escalation {policy!r}")
            chains = [r for r in rows if Plan.from_json(r.plan).kind is not EscalationKind.TIME_MATRIX] or rows
            if not chains:
                raise Conflict(f"{incident_ref(number)} has no escalation policy to escalate")
            row = chains[0]
            plan = Plan.from_json(row.plan)
            if level is None:
                target = row.level + 1
                if target >= len(plan.levels):
                    raise Conflict(
                        f"already at the last level ({len(plan.levels)}) of {plan.name}; name a level to page again"
                    )
            else:
                target = level - 1
                if not 0 <= target < len(plan.levels):
                    raise InvalidInput.of("level", f"{plan.name} has levels 1 to {len(plan.levels)}")
            step = Step(target, max(row.round, 0), now)
            # A level's people were paged once in this round already: paging the step again would break the
            # "one page per step" key, and re-running a level is not what "escalate" means. Refuse (nothing
            # changes) and name the ways forward: the next level, the next round, or a manual page.
            paged_at = tx.execute(
                select(func.min(pages.c.paged_at)).where(
                    pages.c.escalation_id == row.id, pages.c.level == target, pages.c.round == step.round
                )
            ).scalar()
            if paged_at is not None:
                raise Conflict(already_paged(plan, row.level, target, paged_at), level=target + 1)
            text = f"Escalated to level {target + 1} of {plan.name} by {actor.name}: {reason}"
            append_event(
                tx, number, now, actor.name, "escalated", text, {"level": row.level + 1}, {"level": target + 1}
            )
            record_audit(tx, now, actor, "incident.escalate", f"incident:{number}", {"level": target + 1})
            tx.execute(
                update(escalations)
                .where(escalations.c.id == row.id)
                .values(state=EscalationState.RUNNING.value, stopped_at=None, stop_reason=None, anchor_at=now)
            )
            fresh = tx.execute(select(escalations).where(escalations.c.id == row.id)).one()
            self._run_from(tx, fresh, plan, step, incident, playbook, actor, now, reason=reason, manual=True)
        self.wake_sender()

    def page(self, actor: Actor, number: int, target: str, message: str) -> list[str]:
        """Page a role holder (else the role's default), a team, a schedule's on-call or a person now, outside
        any policy. Returns the people paged; their messages use the severity's methods and their own rules."""
        now = self.clock.now()
        with self.db.transaction() as tx:
            # Locking the incident serialises manual pages on it: one manual row, one level per page.
            incident = tx.execute(select(incidents).where(incidents.c.id == number).with_for_update()).one()
            if Status(incident.status) not in OPEN_STATUSES:
                raise Conflict(f"{incident_ref(number)} is {incident.status}; nobody can be paged about it")
            playbook = self.playbooks.get(incident.playbook_version_id, tx)
            planned, label = manual_target(playbook, target)
            resolution = self._reach(tx, playbook, number, (planned,), now)
            if not resolution.people:
                raise Conflict(f"nobody to page for {planned.describe()}: {'; '.join(resolution.problems)}")
            row = self._manual_row(tx, number, now)
            level = row.level + 1
            severity = playbook.severity(incident.severity)
            people = {person.key: person for person in playbook.people}
            paged = [reached.person for reached in resolution.people]
            for reached in resolution.people:
                methods = manual_methods(severity, people.get(reached.person))
                page_id = tx.execute(
                    insert(pages)
                    .values(
                        escalation_id=row.id,
                        incident_id=number,
                        level=level,
                        round=0,
                        person=reached.person,
                        via=f"{reached.via}, paged by {actor.name}"[:200],
                        methods=list(methods),
                        due_at=now,
                        paged_at=now,
                    )
                    .returning(pages.c.id)
                ).scalar_one()
                self.page_messages.enqueue(
                    tx,
                    incident,
                    severity,
                    page_id,
                    people.get(reached.person),
                    reached.person,
                    methods,
                    now,
                    {"policy": MANUAL, "level": level + 1, "round": 1, "paged_by": actor.name, "message": message},
                )
            tx.execute(update(escalations).where(escalations.c.id == row.id).values(level=level))
            pages_sent(tx, incident.severity, len(paged))  # Prometheus, counted when this transaction commits
            text = f"Paged {planned.key} ({label}) by {actor.name}" + (f": {message}" if message else "")
            if paged != [planned.key]:
                text += f" (reached {', '.join(paged)})"
            after = {
                "policy": MANUAL,
                "level": level + 1,
                "target": planned.describe(),
                "people": paged,
                "message": message,
                "problems": resolution.problems,
            }
            append_event(tx, number, now, actor.name, "paged", text, None, after)
            record_audit(tx, now, actor, "incident.page", f"incident:{number}", {"target": planned.describe()})
        self.wake_sender()
        return paged

    # ---- reads -------------------------------------------------------------------------------------

    def state(self, number: int) -> tuple[list[EscalationView], list[PageView]]:
        with self.db.read() as connection:
            return escalations_of(connection, number), pages_of(connection, number)

    # ---- internals ---------------------------------------------------------------------------------

    def _start(
        self,
        tx: Connection,
        incident: Row[Any],
        playbook: Playbook,
        severity: Severity,
        anchor: datetime,
        now: datetime,
    ) -> None:
        present = {row.policy for row in escalation_rows(tx, incident.id, None)}
        for policy in policies_for(playbook, severity, is_security(incident)):
            if policy.key in present:
                continue
            plan = freeze(policy, severity)
            if plan.stops_on_acknowledgement and incident.acknowledged_at is not None:
                continue  # already acknowledged: an acknowledgement chain has nothing left to do
            first = first_step(plan, anchor)
            escalation_id = tx.execute(
                insert(escalations)
                .values(
                    incident_id=incident.id,
                    policy=plan.policy,
                    kind=plan.kind.value,
                    plan=plan.to_json(),
                    state=EscalationState.RUNNING.value,
                    anchor_at=anchor,
                    level=-1,
                    round=0,
                    next_due_at=first.due_at,
                    started_at=now,
                )
                .returning(escalations.c.id)
            ).scalar_one()
            row = tx.execute(select(escalations).where(escalations.c.id == escalation_id)).one()
            if first.due_at <= now:
                self._run_from(tx, row, plan, first, incident, playbook, SYSTEM, now, reason=None)
            else:
                payload = {"level": first.level, "round": first.round}
                arm(tx, ESCALATION_TIMER, _subject(escalation_id), first.due_at, now, payload)
        self.wake_sender()

    def _restart(self, tx: Connection, incident: Row[Any], playbook: Playbook, now: datetime) -> None:
        for row in escalation_rows(tx, incident.id, None):
            plan = Plan.from_json(row.plan)
            first = first_step(plan, now)
            tx.execute(
                update(escalations)
                .where(escalations.c.id == row.id)
                .values(
                    state=EscalationState.RUNNING.value,
                    anchor_at=now,
                    level=-1,
                    round=row.round + 1 + plan.repeat,  # new rounds: pages of the first run stay in the ledger
                    next_due_at=first.due_at,
                    stopped_at=None,
                    stop_reason=None,
                )
            )
            fresh = tx.execute(select(escalations).where(escalations.c.id == row.id)).one()
            start = Step(first.level, fresh.round, first.due_at)
            self._run_from(tx, fresh, plan, start, incident, playbook, SYSTEM, now, reason="reopened")

    def _run_from(
        self,
        tx: Connection,
        row: Row[Any],
        plan: Plan,
        step: Step,
        incident: Row[Any],
        playbook: Playbook,
        actor: Actor,
        now: datetime,
        reason: str | None,
        manual: bool = False,
    ) -> None:
        """Fire `step` and every following step already due (catch-up), then arm the timer for the next."""
        level, round_ = row.level, row.round
        current: Step | None = step
        while current is not None and (current.due_at <= now or manual):
            if is_end(plan, current):  # the last level's wait ran out: nobody is left to page
                current = None
                break
            self._page(tx, row.id, plan, current, incident, playbook, now)
            recorded = tx.execute(
                update(escalations)
                .where(escalations.c.id == row.id, escalations.c.level == level, escalations.c.round == round_)
                .values(level=current.level, round=current.round)
            )
            if recorded.rowcount != 1:
                raise StaleStep(f"escalation {row.id} moved on meanwhile")
            level, round_ = current.level, current.round
            # After a manual escalation the chain goes on from now, not from the original schedule.
            base = Step(current.level, current.round, now) if manual else current
            anchor = now if manual else row.anchor_at
            current = step_after(plan, base, anchor)
            manual = False
        subject = _subject(row.id)
        if current is None:
            disarm(tx, ESCALATION_TIMER, subject)
            tx.execute(
                update(escalations)
                .where(escalations.c.id == row.id)
                .values(state=EscalationState.EXHAUSTED.value, next_due_at=None)
            )
            if plan.stops_on_acknowledgement and incident.acknowledged_at is None:
                text = f"{plan.name}: every level has been paged and nobody has acknowledged"
            elif plan.kind is EscalationKind.PROGRESS:
                text = f"{plan.name}: every level has been paged and there is still no progress"
            else:
                return
            after = {"policy": plan.policy}
            append_event(tx, incident.id, now, SYSTEM.name, "escalation_exhausted", text, None, after)
            return
        tx.execute(update(escalations).where(escalations.c.id == row.id).values(next_due_at=current.due_at))
        arm(tx, ESCALATION_TIMER, subject, current.due_at, now, {"level": current.level, "round": current.round})

    def _page(
        self,
        tx: Connection,
        escalation_id: int,
        plan: Plan,
        step: Step,
        incident: Row[Any],
        playbook: Playbook,
        now: datetime,
    ) -> None:
        level = plan.levels[step.level]
        label = f"level {step.level + 1}" + (f", round {step.round + 1}" if step.round else "")
        described = f"{plan.name} {label}" + (f" ({level.note})" if level.note else "")
        applies, why = condition_holds(
            level.condition, dict(incident.impact or {}), services_customer_facing(playbook, incident.services or ())
        )
        if not applies:
            text = f"{described}: skipped, {why}"
            after = {"policy": plan.policy, "level": step.level + 1, "condition": level.condition}
            append_event(tx, incident.id, now, SYSTEM.name, "escalation_skipped", text, None, after)
            return
        resolution = self._reach(tx, playbook, incident.id, level.targets, now)
        people = {person.key: person for person in playbook.people}
        severity = playbook.severity(incident.severity)
        paged: list[str] = []
        # A step re-run after a backward "escalate to level N" must not page its people twice (unique key).
        done = set(
            tx.execute(
                select(pages.c.person).where(
                    pages.c.escalation_id == escalation_id, pages.c.level == step.level, pages.c.round == step.round
                )
            ).scalars()
        )
        for reached in resolution.people:
            if reached.person in done:
                continue
            page_id = tx.execute(
                insert(pages)
                .values(
                    escalation_id=escalation_id,
                    incident_id=incident.id,
                    level=step.level,
                    round=step.round,
                    person=reached.person,
                    via=reached.via[:200],
                    methods=list(level.methods),
                    due_at=min(step.due_at, now),
                    paged_at=now,
                )
                .returning(pages.c.id)
            ).scalar_one()
            if incident.private:  # whoever is paged about a private incident must be able to open it
                add_participant(tx, incident.id, reached.person, now)
            self.page_messages.enqueue(
                tx,
                incident,
                severity,
                page_id,
                people.get(reached.person),
                reached.person,
                level.methods,
                now,
                {"policy": plan.policy, "level": step.level + 1, "round": step.round + 1},
            )
            paged.append(reached.person)
        pages_sent(tx, incident.severity, len(paged))  # Prometheus, counted when this transaction commits
        methods = ", ".join(level.methods)
        text = f"{described}: paged {', '.join(paged) or 'nobody'} by {methods}"
        if resolution.problems:
            text += " (" + "; ".join(resolution.problems) + ")"
        after = {
            "policy": plan.policy,
            "level": step.level + 1,
            "round": step.round + 1,
            "people": paged,
            "methods": list(level.methods),
            "problems": resolution.problems,
        }
        kind = "paged" if paged else "page_failed"
        append_event(tx, incident.id, now, SYSTEM.name, kind, text, None, after)

    def _reach(
        self, tx: Connection, playbook: Playbook, number: int, targets: tuple[PlannedTarget, ...], now: datetime
    ) -> Resolution:
        """Who the targets mean now: schedules with their stored overrides, roles by this incident's holders."""
        # Every schedule's overrides in force now: a target may reach a schedule through a team or a role's
        # default, and the people paged must be the ones holder_at names for reminders and approvals.
        overrides = overrides_between(tx, None, now, now + timedelta(seconds=1))
        holders = {
            r.role: r.person for r in tx.execute(select(incident_roles).where(incident_roles.c.incident_id == number))
        }
        return resolve_targets(playbook, targets, now, overrides, holders)

    def _manual_row(self, tx: Connection, number: int, now: datetime) -> Row[Any]:
        query = select(escalations).where(escalations.c.incident_id == number, escalations.c.policy == MANUAL)
        row = tx.execute(query).first()
        if row is None:
            tx.execute(
                insert(escalations).values(
                    incident_id=number,
                    policy=MANUAL,
                    kind=MANUAL,
                    plan={"policy": MANUAL, "name": "Manual pages", "kind": MANUAL},
                    state=EscalationState.STOPPED.value,
                    anchor_at=now,
                    level=-1,
                    round=0,
                    started_at=now,
                )
            )
            row = tx.execute(query).one()
        return row

    def _stop(self, tx: Connection, row: Row[Any], state: EscalationState, reason: str, now: datetime) -> None:
        disarm(tx, ESCALATION_TIMER, _subject(row.id))
        tx.execute(
            update(escalations)
            .where(escalations.c.id == row.id)
            .values(state=state.value, stopped_at=now, stop_reason=reason[:200], next_due_at=None)
        )
