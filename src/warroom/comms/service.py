"""Communication use cases: preview and send a message to an audience, and see what is owed.

Sending is one transaction: the communication, its outbox rows (or the status-page post), the timeline
event, the audit entry and the re-armed clocks. Security incidents: customer-facing messages wait for the
approval role (SEMANTICS, "Security incidents").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Row, select

from warroom.audit.log import record_audit
from warroom.auth.actors import Actor
from warroom.chat.rooms import rooms_of
from warroom.clock import Clock
from warroom.comms.audiences import Delivery, NoAddress, deliveries
from warroom.comms.commands import ComposeMessage
from warroom.comms.context import handoff_context, incident_context
from warroom.comms.overview import communications_of, overview
from warroom.comms.records import record_communication
from warroom.comms.rendering import MissingValues, RenderError, render_message, required_fields
from warroom.comms.views import (
    CommsStatus,
    CommunicationView,
    DeliveryView,
    Preview,
)
from warroom.engine.communication import CommunicationClocks
from warroom.errors import Conflict, InvalidInput
from warroom.incidents.records import awaiting_approval
from warroom.incidents.service import IncidentService
from warroom.incidents.timeline import append_event
from warroom.incidents.views import incident_ref
from warroom.notify.outbox import enqueue
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import (
    CUSTOMER_FACING_KINDS,
    Audience,
    Channel,
    ChannelKind,
    MessageTemplate,
    Playbook,
    TemplateKind,
)
from warroom.store.database import Database
from warroom.store.tables import incidents

STATUS_OF_KIND = {
    TemplateKind.STATUS_INVESTIGATING: "investigating",
    TemplateKind.STATUS_IDENTIFIED: "identified",
    TemplateKind.STATUS_MONITORING: "monitoring",
    TemplateKind.STATUS_RESOLVED: "resolved",
    TemplateKind.CUSTOMER_REPORT: "postmortem",
}


class StatusPublisher(Protocol):
    def post_for_incident(
        self,
        tx: Connection,
        *,
        incident_id: int,
        status: str,
        body: str,
        name: str | None,
        impact: str | None,
        components: dict[str, str],
        actor: str,
        now: datetime,
    ) -> Any: ...


@dataclass
class Composed:
    """A message ready to check and send."""

    template: MessageTemplate | None
    kind: TemplateKind
    channel: Channel
    subject: str | None
    body: str | None
    required: list[str]
    missing: list[str]
    problems: list[str]
    missing_values: list[str] = field(default_factory=list)

    @property
    def customer_facing(self) -> bool:
        return (
            self.kind in CUSTOMER_FACING_KINDS
            or self.channel.audience in (Audience.CUSTOMERS, Audience.PUBLIC)
            or self.channel.kind is ChannelKind.STATUS_PAGE
        )


class CommunicationService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: PlaybookRegistry,
        incidents: IncidentService,
        clocks: CommunicationClocks,
        status_page: StatusPublisher | None,
        configured_channels: set[str],
        recipients: Mapping[str, list[str]],
        public_url: str,
        wake_sender: Any = None,
    ) -> None:
        self.db, self.clock, self.playbooks, self.incidents = db, clock, playbooks, incidents
        self.engine_clocks = clocks
        self.status_page = status_page
        self.configured = configured_channels
        self.recipients = dict(recipients)
        self.public_url = public_url.rstrip("/")
        self.wake_sender = wake_sender

    # ---- compose ------------------------------------------------------------------------------------

    def _compose(
        self, tx: Connection, playbook: Playbook, row: Row[Any] | None, command: ComposeMessage, now: datetime
    ) -> Composed:
        template: MessageTemplate | None = None
        if command.template is not None:
            try:
                template = playbook.template(command.template)
            except KeyError:
                known = ", ".join(t.key for t in playbook.templates) or "none"
                raise InvalidInput.of("template", f"unknown template {command.template!r} (known: {known})") from None
            if command.body is not None or command.subject is not None:
                raise InvalidInput.of("body", "give a template or a free-text body, not both")
        elif command.body is None:
            raise InvalidInput.of("template", "give a template key or a free-text body")
        channel_key = command.channel or (template.channel if template else None)
        if channel_key is None:
            raise InvalidInput.of("channel", "this template names no channel: say which audience it goes to")
        try:
            channel = playbook.channel(channel_key)
        except KeyError:
            known = ", ".join(c.key for c in playbook.channels) or "none"
            raise InvalidInput.of("channel", f"unknown channel {channel_key!r} (known: {known})") from None
        kind = template.kind if template else (command.kind or TemplateKind.UPDATE)
        if template is None:
            return Composed(None, kind, channel, command.subject, command.body, [], [], [])
        required = required_fields(template)
        missing = [name for name in required if not command.fields.get(name)]
        if missing:
            return Composed(template, kind, channel, None, None, required, missing, [])
        if row is None:
            context: dict[str, Any] = handoff_context(playbook, now)
        else:
            context = incident_context(tx, playbook, row.id, now, self.public_url)
        try:
            rendered = render_message(template, context, dict(command.fields))
        except MissingValues as error:
            names = ", ".join(error.names)
            problem = f"missing value(s) the incident does not have yet: {names} (write them on the incident first)"
            return Composed(template, kind, channel, None, None, required, [], [problem], error.names)
        except RenderError as error:
            return Composed(template, kind, channel, None, None, required, [], [str(error)])
        return Composed(template, kind, channel, rendered.subject, rendered.body, required, [], [])

    def _load(self, tx: Connection, actor: Actor, ref: str | None) -> tuple[Playbook, Row[Any] | None]:
        if ref is None:
            return self.playbooks.active[1], None
        view = self.incidents.get(actor, ref)  # visibility (private incidents) is the incident service's rule
        row = tx.execute(select(incidents).where(incidents.c.id == view.number)).one()
        return self.playbooks.get(row.playbook_version_id, tx), row

    def preview(self, actor: Actor, command: ComposeMessage) -> Preview:
        now = self.clock.now()
        with self.db.read() as connection:
            playbook, row = self._load(connection, actor, command.incident)
            composed = self._compose(connection, playbook, row, command, now)
        problems = list(composed.problems)
        try:
            planned = self._deliveries(composed.channel)
        except NoAddress as error:
            planned, problems = [], [*problems, str(error)]
        held = self._held(playbook, row, composed)
        if held:
            problems.append(held)
        return Preview(
            incident=incident_ref(row.id) if row is not None else None,
            template=composed.template.key if composed.template else None,
            kind=composed.kind.value,
            channel=composed.channel.key,
            channel_name=composed.channel.name,
            audience=composed.channel.audience.value,
            customer_facing=composed.customer_facing,
            subject=composed.subject,
            body=composed.body,
            required_fields=composed.required,
            missing=composed.missing,
            problems=problems,
            ready=not composed.missing and not problems,
            deliveries=[DeliveryView(channel=d.channel, address=d.address, note=d.note) for d in planned],
        )

    def _deliveries(self, channel: Channel) -> list[Delivery]:
        if channel.kind is ChannelKind.STATUS_PAGE:
            return [Delivery("status_page", channel.key)]
        return deliveries(channel, self.configured, self.recipients.get(channel.key))

    def _held(self, playbook: Playbook, row: Row[Any] | None, composed: Composed) -> str | None:
        if row is None or not composed.customer_facing or not awaiting_approval(playbook, row):
            return None
        role = playbook.security.approval_role if playbook.security else None
        name = self._role_name(playbook, role) if role else "security approver"
        return f"customer-facing communication of a security incident waits for the {name}'s approval"

    @staticmethod
    def _role_name(playbook: Playbook, key: str) -> str:
        try:
            return playbook.role(key).name
        except KeyError:
            return key

    # ---- send ---------------------------------------------------------------------------------------

    def send(self, actor: Actor, command: ComposeMessage) -> CommunicationView:
        with self.db.transaction() as tx:
            now = self.clock.now()
            playbook, row = self._load(tx, actor, command.incident)
            composed = self._compose(tx, playbook, row, command, now)
            if composed.missing:
                raise InvalidInput(
                    f"missing value(s) for {', '.join(composed.missing)}: nothing was sent",
                    [
                        InvalidInput.of(f"fields.{name}", "required by the template").problems[0]
                        for name in composed.missing
                    ],
                )
            if composed.missing_values:
                raise InvalidInput(
                    composed.problems[0] + ": nothing was sent",
                    [
                        InvalidInput.of(name, "the template needs it and it is not set").problems[0]
                        for name in composed.missing_values
                    ],
                )
            if composed.problems:
                raise InvalidInput.of("template", "; ".join(composed.problems))
            held = self._held(playbook, row, composed)
            if held:
                raise Conflict(held + ": nothing was sent")
            if composed.kind is TemplateKind.HANDOFF and row is not None:
                pass  # a handoff may mention an incident; it is still recorded with it
            elif row is None and composed.kind is not TemplateKind.HANDOFF:
                raise InvalidInput.of("incident", "say which incident this message is about (INC-n)")
            assert composed.body is not None
            subject = composed.subject or self._default_subject(playbook, row, composed)
            on_status_page = composed.channel.kind is ChannelKind.STATUS_PAGE
            try:
                planned = [] if on_status_page else self._deliveries(composed.channel)
            except NoAddress as error:
                raise InvalidInput.of("channel", str(error)) from None
            if row is not None:
                planned = [_into_room(tx, row.id, d) for d in planned]
            number = record_communication(
                tx,
                incident_id=row.id if row is not None else None,
                template=composed.template.key if composed.template else None,
                kind=composed.kind.value,
                channel=composed.channel.key,
                subject=subject,
                body=composed.body,
                fields=dict(command.fields),
                sent_by=actor.name,
                now=now,
                delivered=on_status_page,
            )
            if on_status_page:
                self._publish(tx, actor, row, composed, command, now)
            ref = incident_ref(row.id) if row is not None else None
            text = subject + "\n\n" + composed.body if composed.channel.kind is not ChannelKind.EMAIL else composed.body
            for delivery in planned:
                enqueue(
                    tx,
                    key=f"comms:{number}:{delivery.channel}:{delivery.address}",
                    channel=delivery.channel,
                    subject=subject,
                    body={"kind": "post", "text": text, "incident": ref, "communication": number},
                    now=now,
                    incident_id=row.id if row is not None else None,
                    address=delivery.address,
                    communication_id=number,
                )
            if row is not None:
                append_event(
                    tx,
                    row.id,
                    now,
                    actor.name,
                    "communication_sent",
                    f"Sent {composed.template.name if composed.template else composed.kind.value} to "
                    f"{composed.channel.name}",
                    None,
                    {
                        "communication": number,
                        "channel": composed.channel.key,
                        "template": composed.template.key if composed.template else None,
                    },
                )
                self.engine_clocks.rearm(tx, row.id, now)
            record_audit(
                tx,
                now,
                actor,
                "comms.send",
                f"communication:{number}",
                {"incident": ref, "channel": composed.channel.key, "kind": composed.kind.value},
            )
            view = communications_of(tx, row.id)[-1] if row is not None else None
        if self.wake_sender is not None:
            self.wake_sender()
        if view is not None:
            return view
        return CommunicationView(
            id=number,
            incident=None,
            template=command.template,
            kind=composed.kind.value,
            channel=composed.channel.key,
            subject=subject,
            body=composed.body,
            sent_by=actor.name,
            created_at=now,
            reached_at=None,
        )

    def _default_subject(self, playbook: Playbook, row: Row[Any] | None, composed: Composed) -> str:
        name = composed.template.name if composed.template else composed.kind.value.replace("_", " ").title()
        if row is None:
            return name
        return f"[{playbook.severity(row.severity).label}] {incident_ref(row.id)}: {name}"

    def _publish(
        self,
        tx: Connection,
        actor: Actor,
        row: Row[Any] | None,
        composed: Composed,
        command: ComposeMessage,
        now: datetime,
    ) -> None:
        if self.status_page is None or row is None:
            raise Conflict("the status page is not available here")
        post = command.status_page
        status = (post.status if post else None) or STATUS_OF_KIND.get(composed.kind)
        if status is None:
            raise InvalidInput.of("status_page.status", "say which public status this update sets")
        self.status_page.post_for_incident(
            tx,
            incident_id=row.id,
            status=status,
            body=composed.body or "",
            name=(post.name if post else None) or composed.subject,
            impact=post.impact if post else None,
            components=dict(post.components) if post else {},
            actor=actor.name,
            now=now,
        )

    # ---- status -------------------------------------------------------------------------------------

    def status(self, actor: Actor, ref: str) -> CommsStatus:
        now = self.clock.now()
        with self.db.read() as connection:
            playbook, row = self._load(connection, actor, ref)
            assert row is not None
            return overview(connection, self.engine_clocks, playbook, row, now)


def _into_room(tx: Connection, incident_id: int, delivery: Delivery) -> Delivery:
    """A post to the war-room channel goes into this incident's own room ("#incident-war-room" may have
    become "incident-war-room-2" because another incident holds the name)."""
    if delivery.channel != "slack" or not delivery.address:
        return delivery
    wanted = delivery.address.lstrip("#")
    for provider, room_id, name in rooms_of(tx, incident_id):
        if provider == "slack" and (name == wanted or re.fullmatch(re.escape(wanted) + r"-\d+", name)):
            return Delivery("slack", room_id, delivery.note)
    return delivery
