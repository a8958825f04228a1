"""Assemble a running Warroom: store, clock, playbook and services. Doors receive one of these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from warroom.alerts.heartbeats import TIMER_KIND as HEARTBEAT_TIMER
from warroom.alerts.heartbeats import HeartbeatService
from warroom.alerts.integrations import IntegrationService
from warroom.alerts.maintenance import MaintenanceService
from warroom.alerts.service import AlertService
from warroom.chat.war_rooms import WarRooms
from warroom.clock import Clock, FileClock, SystemClock
from warroom.comms.security import CommunicationControls
from warroom.comms.service import CommunicationService
from warroom.engine.acknowledgements import PageAcknowledgements
from warroom.engine.communication import CADENCE_TIMER, DEADLINE_TIMER, CommunicationClocks
from warroom.engine.escalations import ESCALATION_TIMER, EscalationService
from warroom.engine.loop import Engine
from warroom.engine.response_targets import RESPONSE_TIMER, ResponseTargets
from warroom.incidents.checklists import ChecklistService
from warroom.incidents.service import IncidentService
from warroom.notify.ack_links import signing_key
from warroom.notify.channels import Channel
from warroom.notify.delivery_limits import DEFAULT_PER_MINUTE
from warroom.notify.page_messages import PageMessages
from warroom.notify.routes import build_channels, method_routes
from warroom.notify.sender import DeliveryPolicy, Sender
from warroom.oncall.overrides import OverrideService
from warroom.oncall.service import OnCallService
from warroom.playbook.loader import load_playbook, load_preset
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.postmortems.action_items import ACTION_ITEM_TIMER, ActionItemService, build_action_items
from warroom.postmortems.service import PostmortemService
from warroom.reports.observations import IncidentObservations
from warroom.reports.service import ReportService
from warroom.settings import Settings
from warroom.status.maintenances import TIMER_KIND as STATUS_MAINTENANCE_TIMER
from warroom.status.service import StatusPageService
from warroom.store.database import Database
from warroom.store.migrate import upgrade


@dataclass
class Warroom:
    settings: Settings
    clock: Clock
    db: Database
    playbooks: PlaybookRegistry
    incidents: IncidentService
    integrations: IntegrationService
    alerts: AlertService
    maintenance: MaintenanceService
    heartbeats: HeartbeatService
    engine: Engine
    escalations: EscalationService
    overrides: OverrideService
    oncall: OnCallService
    sender: Sender
    acknowledgements: PageAcknowledgements
    ack_key: bytes
    communication: CommunicationService
    comms_controls: CommunicationControls
    status_page: StatusPageService
    reports: ReportService
    action_items: ActionItemService
    postmortems: PostmortemService
    checklists: ChecklistService

    @property
    def playbook(self) -> Playbook:
        return self.playbooks.active[1]

    def close(self) -> None:
        self.engine.stop()
        self.sender.stop()
        self.alerts.close()
        self.db.dispose()


def configured_playbook(settings: Settings) -> Playbook:
    """The playbook file if one is configured (or ./playbook.yaml exists), else the preset.

    Raises PlaybookError (file:line:key) on a broken playbook: the server must not start on it.
    """
    kind, path = settings.playbook_source()
    if kind == "file" and path is not None:
        return load_playbook(path)
    return load_preset(settings.preset)


def build(
    settings: Settings,
    clock: Clock | None = None,
    *,
    migrate: bool = True,
    playbook: Playbook | None = None,
    channels: Mapping[str, Channel] | None = None,
    database: Database | None = None,
) -> Warroom:
    """`channels` and `database` replace the configured providers and store (drills deliver into memory)."""
    if clock is None:
        clock = FileClock(settings.clock_file) if settings.clock_file else SystemClock()
    playbook = playbook or configured_playbook(settings)  # validate before touching the database
    if migrate:
        upgrade(settings.database_url)
    db = database or Database(settings.database_url)
    registry = PlaybookRegistry(db)
    registry.activate(playbook, clock)
    incidents = IncidentService(db, clock, registry)
    alerts = AlertService(db, clock, registry, incidents)
    heartbeats = HeartbeatService(db, clock, alerts)
    channels = dict(channels) if channels is not None else build_channels(settings, clock)
    ack_key = signing_key(db, clock, settings.secret_key.get_secret_value() if settings.secret_key else None)
    routes = method_routes(settings, channels)
    policy = DeliveryPolicy(
        page_attempts=settings.delivery_attempts,
        message_attempts=settings.message_attempts,
        bundle_window=timedelta(seconds=settings.bundle_window_seconds),
        per_minute={**DEFAULT_PER_MINUTE, **settings.rate_limits},
    )
    sender = Sender(db, clock, channels, policy, routes)
    page_messages = PageMessages(routes, ack_key, settings.public_url)
    escalations = EscalationService(db, clock, registry, page_messages, wake_sender=sender.wake)
    incidents.hooks.append(escalations)
    incidents.hooks.append(WarRooms(registry, enabled=settings.slack_bot_token is not None))
    comms_clocks = CommunicationClocks(registry, routes, wake_sender=sender.wake)
    incidents.hooks.append(comms_clocks)
    incidents.hooks.append(IncidentObservations())  # Prometheus: openings, time to first acknowledgement
    response_targets = ResponseTargets(registry)
    incidents.hooks.append(response_targets)
    engine = Engine(db, clock)
    engine.register(HEARTBEAT_TIMER, heartbeats.on_missed)
    engine.register(ESCALATION_TIMER, escalations.on_timer)
    engine.register(RESPONSE_TIMER, response_targets.on_timer)
    status_page = StatusPageService(
        db,
        clock,
        registry,
        public_url=settings.public_url,
        secret=ack_key,
        page_name=settings.status_page_name,
        email_enabled="email" in channels,
        wake_sender=sender.wake,
    )
    status_page.sync_components()
    engine.register(STATUS_MAINTENANCE_TIMER, status_page.on_maintenance_timer)
    engine.register(DEADLINE_TIMER, comms_clocks.on_deadline)
    engine.register(CADENCE_TIMER, comms_clocks.on_cadence)
    communication = CommunicationService(
        db,
        clock,
        registry,
        incidents,
        comms_clocks,
        status_page=status_page,
        configured_channels=set(channels),
        recipients=settings.audience_recipients,
        public_url=settings.public_url,
        wake_sender=sender.wake,
    )
    action_items = build_action_items(db, clock, registry, incidents, routes, settings, wake_sender=sender.wake)
    engine.register(ACTION_ITEM_TIMER, action_items.reminders.on_timer)
    postmortems = PostmortemService(db, clock, registry, routes, settings.public_url, wake_sender=sender.wake)
    incidents.hooks.append(postmortems)
    engine.register(PostmortemService.timer_kind, postmortems.on_reminder)
    return Warroom(
        settings=settings,
        clock=clock,
        db=db,
        playbooks=registry,
        incidents=incidents,
        integrations=IntegrationService(db, clock, registry, settings.public_url),
        alerts=alerts,
        maintenance=MaintenanceService(db, clock, registry),
        heartbeats=heartbeats,
        engine=engine,
        escalations=escalations,
        overrides=OverrideService(db, clock, registry),
        oncall=OnCallService(db, clock, registry, settings.public_url),
        sender=sender,
        acknowledgements=PageAcknowledgements(db, clock, incidents),
        ack_key=ack_key,
        communication=communication,
        comms_controls=CommunicationControls(db, clock, registry, incidents, comms_clocks),
        status_page=status_page,
        reports=ReportService(db, clock, registry),
        action_items=action_items,
        postmortems=postmortems,
        checklists=ChecklistService(db, clock, registry, incidents),
    )
