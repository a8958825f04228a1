"""Status page use cases. Each one is ONE transaction: the change, its audit entry, subscriber notifications.

`post_for_incident` runs inside the caller's transaction: the communication service calls it when a
template is sent to a status-page channel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from warroom.audit.log import record_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import Clock
from warroom.engine.timers import Timer
from warroom.errors import InvalidInput, NotFound, Problems
from warroom.incidents.service import parse_ref
from warroom.playbook.registry import PlaybookRegistry
from warroom.status import components as component_rows
from warroom.status import maintenances
from warroom.status.commands import (
    ComponentPatch,
    OpenPublicIncident,
    PostPublicUpdate,
    ScheduleMaintenance,
    UpdateMaintenance,
)
from warroom.status.identity import page_id
from warroom.status.posting import PostContext, create, impact_into, linkable_incident, on_timeline, post, sees
from warroom.status.records import (
    PageIdentity,
    PublicIncidentRecord,
    PublicPage,
    component_of,
    linked_incidents,
    read_components,
    read_incident,
    read_incidents,
    read_public_page,
)
from warroom.status.subscribers import Notifier
from warroom.status.subscriptions import Subscriptions
from warroom.status.views import ComponentView, PublicIncident
from warroom.status.vocabulary import Impact, IncidentStatus, Kind
from warroom.store.database import Database
from warroom.store.tables import incidents as internal_incidents
from warroom.store.tables import status_components, status_incidents


class StatusPageService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: PlaybookRegistry,
        *,
        public_url: str,
        secret: bytes,
        page_name: str | None = None,
        email_enabled: bool = False,
        wake_sender: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.public_url = public_url.rstrip("/")
        self.page_name = page_name
        self.notifier = Notifier(secret, self.public_url, email_enabled=email_enabled)
        self.wake_sender = wake_sender or (lambda: None)
        self.subscriptions = Subscriptions(
            db, clock, self.notifier, lambda: self.identity().name, email_enabled=email_enabled
        )
        self._synced_version: int | None = None
        self._page: tuple[str, datetime] | None = None

    # ---- identity and the playbook's components --------------------------------------------------

    def sync_components(self) -> None:
        """Bring components in step with the active playbook (at start, and when the playbook changes)."""
        version, playbook = self.playbooks.active
        now = self.clock.now()
        try:
            with self.db.transaction() as tx:
                self._page = page_id(tx, now)
                component_rows.sync(tx, playbook, now)
        except IntegrityError:
            # Another instance synced the same components meanwhile (PostgreSQL): take its rows.
            with self.db.transaction() as tx:
                self._page = page_id(tx, now)
                component_rows.sync(tx, playbook, now)
        self._synced_version = version

    def identity(self) -> PageIdentity:
        playbook = self.playbooks.active[1]
        return PageIdentity(
            id=self._page_id()[0],
            name=self.page_name or playbook.name,
            url=f"{self.public_url}/status",
            time_zone=playbook.timezone,
            public_url=self.public_url,
        )

    def context(self) -> PostContext:
        return PostContext(self.notifier, self.identity(), self._page_id()[1])

    def _page_id(self) -> tuple[str, datetime]:
        if self._page is None:
            self.sync_components()
        assert self._page is not None
        return self._page

    def _ready(self) -> None:
        if self._synced_version != self.playbooks.active[0]:
            self.sync_components()

    # ---- public reads ----------------------------------------------------------------------------

    def public_page(self) -> PublicPage:
        """Everything the public surfaces render: public wording only."""
        self._ready()
        context = self.context()
        with self.db.read() as connection:
            return read_public_page(connection, context.identity, context.page_created_at)

    def public_incident(self, code: str) -> tuple[PublicPage, PublicIncidentRecord]:
        page = self.public_page()
        with self.db.read() as connection:
            record = read_incident(connection, code)
        if record is None:
            raise NotFound(f"no incident {code}")
        return page, record

    # ---- components ------------------------------------------------------------------------------

    def components(self, actor: Actor) -> list[ComponentView]:
        self._ready()
        with self.db.read() as connection:
            return [ComponentView.of(record) for record in read_components(connection, include_removed=True)]

    def change_component(self, actor: Actor, key: str, patch: ComponentPatch) -> ComponentView:
        self._ready()
        now = self.clock.now()
        with self.db.transaction() as tx:
            known = {c.key: c for c in read_components(tx)}
            component = known.get(key)
            if component is None:
                names = ", ".join(k for k, c in known.items() if not c.is_group) or "no components"
                raise NotFound(f"no component {key!r}; this page has {names}")
            problems = Problems()
            checked = {}
            if patch.status is not None:
                checked = component_rows.check_changes(tx, {key: patch.status}, "status", problems)
            problems.raise_if_any()
            values = patch.model_dump(exclude_unset=True, exclude={"status"})
            if values:
                tx.execute(
                    update(status_components)
                    .where(status_components.c.id == component.id)
                    .values(**values, updated_at=now)
                )
            changes = component_rows.apply(tx, checked, now)
            context = self.context()
            page = read_public_page(tx, context.identity, context.page_created_at)
            self.notifier.component_changes(tx, page, changes, now)
            detail: dict[str, object] = dict(values)
            for change in changes:
                detail["status"] = [change.old_status.value, change.component.status.value]
            record_audit(tx, now, actor, "status_component_changed", f"status-component:{key}", detail)
            row = tx.execute(select(status_components).where(status_components.c.id == component.id)).one()
            view = ComponentView.of(component_of(row))
        self.wake_sender()
        return view

    # ---- public incidents ------------------------------------------------------------------------

    def incidents(self, actor: Actor, kind: Kind = Kind.INCIDENT, limit: int = 100) -> list[PublicIncident]:
        with self.db.read() as connection:
            records = read_incidents(
                connection,
                [status_incidents.c.kind == kind.value],
                [status_incidents.c.created_at.desc(), status_incidents.c.id.desc()],
                limit,
            )
            return [self._view(connection, actor, record) for record in records]

    def get(self, actor: Actor, code: str) -> PublicIncident:
        with self.db.read() as connection:
            record = read_incident(connection, code)
            if record is None:
                raise NotFound(f"no public incident or maintenance {code}")
            return self._view(connection, actor, record)

    def _view(self, connection: Connection, actor: Actor, record: PublicIncidentRecord) -> PublicIncident:
        """The internal link shows only to those who may see that incident (it may have turned private)."""
        view = PublicIncident.of(record, self.public_url)
        if record.incident_id is not None:
            private = connection.execute(
                select(internal_incidents.c.private).where(internal_incidents.c.id == record.incident_id)
            ).scalar()
            if private and not sees(connection, actor, record.incident_id):
                view.incident = None
        return view

    def open_incident(self, actor: Actor, command: OpenPublicIncident) -> PublicIncident:
        self._ready()
        now = self.clock.now()
        with self.db.transaction() as tx:
            problems = Problems()
            impact = impact_into(command.impact, problems)
            checked = component_rows.check_changes(tx, command.components, "components", problems)
            number = None
            if command.incident is not None:
                try:
                    number = parse_ref(command.incident)
                except NotFound:
                    problems.add("incident", f"{command.incident!r} is not an incident reference (INC-42)")
            problems.raise_if_any()
            if number is not None:
                linkable_incident(tx, number, visible=sees(tx, actor, number))
            record = create(
                tx,
                kind=Kind.INCIDENT,
                name=command.name,
                status=command.status.value,
                impact=impact or Impact.NONE,
                impact_override=impact,
                incident_id=number,
                actor=actor.name,
                now=now,
            )
            record, _, _ = post(
                tx,
                self.context(),
                record,
                status=command.status.value,
                body=command.body,
                checked=checked,
                actor=actor.name,
                now=now,
                impact_override=impact,
                deliver=command.deliver_notifications,
            )
            on_timeline(tx, record, None, command.body, actor.name, now)
            record_audit(tx, now, actor, "status_incident_opened", f"status:{record.code}", {"name": command.name})
        self.wake_sender()
        return PublicIncident.of(record, self.public_url)

    def post_update(self, actor: Actor, code: str, command: PostPublicUpdate) -> PublicIncident:
        self._ready()
        now = self.clock.now()
        with self.db.transaction() as tx:
            record = self._incident(tx, code)
            if record.incident_id is not None:
                linkable_incident(tx, record.incident_id, visible=sees(tx, actor, record.incident_id))
            problems = Problems()
            impact = impact_into(command.impact, problems)
            checked = component_rows.check_changes(tx, command.components, "components", problems)
            problems.raise_if_any()
            before = record.status
            record, _, _ = post(
                tx,
                self.context(),
                record,
                status=command.status.value,
                body=command.body,
                checked=checked,
                actor=actor.name,
                now=now,
                impact_override=impact,
                deliver=command.deliver_notifications,
            )
            on_timeline(tx, record, before, command.body, actor.name, now)
            detail = {"status": command.status.value}
            record_audit(tx, now, actor, "status_incident_updated", f"status:{record.code}", detail)
        self.wake_sender()
        return PublicIncident.of(record, self.public_url)

    def link(self, actor: Actor, code: str, ref: str) -> PublicIncident:
        now = self.clock.now()
        with self.db.transaction() as tx:
            record = self._incident(tx, code)
            try:
                number = parse_ref(ref)
            except NotFound:
                raise InvalidInput.of("incident", f"{ref!r} is not an incident reference (INC-42)") from None
            linkable_incident(tx, number, visible=sees(tx, actor, number))
            tx.execute(update(status_incidents).where(status_incidents.c.id == record.id).values(incident_id=number))
            record_audit(tx, now, actor, "status_incident_linked", f"status:{record.code}", {"incident": number})
            linked = read_incident(tx, code)
            assert linked is not None
        return PublicIncident.of(linked, self.public_url)

    def post_for_incident(
        self,
        tx: Connection,
        *,
        incident_id: int,
        status: str,
        body: str,
        name: str | None,
        impact: str | None,
        components: Mapping[str, str],
        actor: str,
        now: datetime,
    ) -> PublicIncident:
        """Post to the status page for an internal incident, in the caller's transaction: the first post
        creates the public incident linked to it (`name` required then), later ones add updates. Refused with
        Conflict when the incident is private; nothing internal is ever shown publicly."""
        if self._synced_version != self.playbooks.active[0]:
            component_rows.sync(tx, self.playbooks.active[1], now)
        linkable_incident(tx, incident_id)
        problems = Problems()
        if status not in {s.value for s in IncidentStatus}:
            problems.add("status", f"unknown status {status!r}; one of {', '.join(s.value for s in IncidentStatus)}")
        if not body.strip():
            problems.add("body", "the public wording is empty")
        override = impact_into(impact, problems)
        checked = component_rows.check_changes(tx, components, "components", problems)
        existing = linked_incidents(tx, incident_id)
        if not existing and not (name and name.strip()):
            problems.add("name", "the first status-page post of an incident needs its public name")
        problems.raise_if_any()
        if existing:
            record = existing[0]
            if name and name.strip() and name != record.name:
                tx.execute(update(status_incidents).where(status_incidents.c.id == record.id).values(name=name.strip()))
        else:
            assert name is not None
            record = create(
                tx,
                kind=Kind.INCIDENT,
                name=name.strip(),
                status=status,
                impact=override or Impact.NONE,
                impact_override=override,
                incident_id=incident_id,
                actor=actor,
                now=now,
            )
        before = record.status if existing else None
        record, _, _ = post(
            tx,
            self.context(),
            record,
            status=status,
            body=body,
            checked=checked,
            actor=actor,
            now=now,
            impact_override=override,
        )
        on_timeline(tx, record, before, body, actor, now)
        record_audit(
            tx,
            now,
            Actor(actor, AccessRole.RESPONDER),
            "status_incident_posted",
            f"status:{record.code}",
            {"status": status, "incident": incident_id},
        )
        return PublicIncident.of(record, self.public_url)

    # ---- scheduled maintenances ------------------------------------------------------------------

    def schedule_maintenance(self, actor: Actor, command: ScheduleMaintenance) -> PublicIncident:
        self._ready()
        now = self.clock.now()
        with self.db.transaction() as tx:
            record = maintenances.schedule(
                tx,
                self.context(),
                name=command.name,
                body=command.body,
                scheduled_for=command.scheduled_for,
                scheduled_until=command.scheduled_until,
                component_keys=command.components,
                actor=actor.name,
                now=now,
                deliver=command.deliver_notifications,
            )
            detail = {"name": command.name, "scheduled_for": command.scheduled_for.isoformat()}
            record_audit(tx, now, actor, "status_maintenance_scheduled", f"status:{record.code}", detail)
        self.wake_sender()
        return PublicIncident.of(record, self.public_url)

    def update_maintenance(self, actor: Actor, code: str, command: UpdateMaintenance) -> PublicIncident:
        self._ready()
        now = self.clock.now()
        with self.db.transaction() as tx:
            record = read_incident(tx, code)
            if record is None or record.kind is not Kind.MAINTENANCE:
                raise NotFound(f"no scheduled maintenance {code}")
            record = maintenances.advance(
                tx,
                self.context(),
                record,
                command.status,
                command.body,
                actor.name,
                now,
                command.deliver_notifications,
            )
            detail = {"status": record.status}
            record_audit(tx, now, actor, "status_maintenance_updated", f"status:{record.code}", detail)
        self.wake_sender()
        return PublicIncident.of(record, self.public_url)

    def on_maintenance_timer(self, tx: Connection, timer: Timer, now: datetime) -> None:
        """Engine handler (maintenances.TIMER_KIND): start or complete a maintenance on the clock."""
        maintenances.on_timer(tx, self.context(), timer, now)

    # ---- helpers ---------------------------------------------------------------------------------

    def _incident(self, tx: Connection, code: str) -> PublicIncidentRecord:
        record = read_incident(tx, code)
        if record is None or record.kind is not Kind.INCIDENT:
            raise NotFound(f"no public incident {code}")
        return record
