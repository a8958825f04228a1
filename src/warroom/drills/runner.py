"""Play a scenario: each step through the real service layer at its simulated time, then read the outcome.

A step is what a person or a monitor does (declare, an alert, acknowledge, assign a role, change status or
severity, send a message, approve, flag a breach); the engine does the rest as time passes between steps. A
step the service refuses (acknowledging a resolved incident, an unknown template) stops the drill with the
step's number and the refusal: the scenario, not the playbook, is wrong then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from warroom.alerts.events import Action, AlertBatch, AlertEvent
from warroom.alerts.integrations import CreateIntegration, Integration, IntegrationKind
from warroom.auth.actors import SYSTEM, AccessRole, Actor
from warroom.comms.audiences import NoAddress, deliveries
from warroom.comms.commands import ComposeMessage, FlagBreach, RegulatorNotice
from warroom.drills.channels import CHANNEL_NAMES
from warroom.drills.expectations import Difference, compare
from warroom.drills.outcome import Entry, read_outcome
from warroom.drills.scenario import DrillTime, Scenario, Step
from warroom.drills.simulation import Simulation
from warroom.errors import WarroomError
from warroom.incidents.commands import AssignRole, ChangeSeverity, ChangeStatus, DeclareIncident, UpdateIncident
from warroom.incidents.lifecycle import Status
from warroom.incidents.views import incident_ref
from warroom.playbook.loader import load_playbook, load_preset, preset_names
from warroom.playbook.schema import ChannelKind, Playbook

DEFAULT_TAIL = timedelta(hours=1)  # after the last step, so that what it started can happen


class DrillError(ValueError):
    """The scenario cannot be played: a step refers to nothing, or the service refused it."""


@dataclass(frozen=True)
class DrillResult:
    scenario: Scenario
    playbook: Playbook
    start: datetime  # UTC
    end: datetime
    zone: ZoneInfo
    entries: list[Entry]
    differences: list[Difference]

    @property
    def passed(self) -> bool:
        return not self.differences


def scenario_playbook(scenario: Scenario, scenario_file: Path | None, override: Path | None = None) -> Playbook:
    """`--playbook` wins; else the scenario's preset name or file (relative to the scenario)."""
    if override is not None:
        return load_playbook(override)
    if scenario.playbook is None:
        raise DrillError("the scenario names no playbook: add `playbook:` or pass --playbook")
    if scenario.playbook in preset_names():
        return load_preset(scenario.playbook)
    base = scenario_file.parent if scenario_file is not None else Path.cwd()
    return load_playbook(base / scenario.playbook)


def drill_start(scenario: Scenario, playbook: Playbook) -> datetime:
    """The scenario's start as an aware time in the playbook's zone (a naive start is wall time there)."""
    zone = ZoneInfo(playbook.timezone)
    start = scenario.start
    return start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)


def run_drill(scenario: Scenario, playbook: Playbook) -> DrillResult:
    zone = ZoneInfo(playbook.timezone)
    start = drill_start(scenario, playbook)
    recipients = {**drill_recipients(playbook), **scenario.recipients}
    with Simulation(playbook, start.astimezone(UTC), recipients=recipients) as simulation:
        play = _Play(simulation, playbook)
        refusals: list[Difference] = []
        last = start
        for number, step in enumerate(scenario.steps, start=1):
            at = DrillTime.parse(step.at).resolve(start)
            if at < last:
                raise DrillError(f"step {number} (at {step.at}) is earlier than the step before it")
            simulation.advance_to(at)
            last = at
            try:
                play.step(step)
            except (WarroomError, ValidationError, LookupError, ValueError) as error:
                reason = _reason(error)
                if step.refused is None:
                    raise DrillError(f"step {number} (at {step.at}, {step.action}): {reason}") from None
                if step.refused.lower() not in reason.lower():
                    refusals.append(
                        Difference("refused", f"step {number} ({step.action}) was refused for another reason: {reason}")
                    )
            else:
                if step.refused is not None:
                    text = (
                        f"step {number} (at {step.at}, {step.action}) went through; it must be refused ({step.refused})"
                    )
                    refusals.append(Difference("not refused", text))
        end = DrillTime.parse(scenario.run_until).resolve(start) if scenario.run_until else last + DEFAULT_TAIL
        simulation.advance_to(max(end, last))
        with simulation.warroom.db.read() as connection:
            entries = read_outcome(connection, play.names, zone)
    start_utc = start.astimezone(UTC)
    differences = refusals + compare(scenario, entries, start)  # weekday times are wall times of its zone
    return DrillResult(scenario, playbook, start_utc, max(end, last).astimezone(UTC), zone, entries, differences)


def drill_recipients(playbook: Playbook) -> dict[str, list[str]]:
    """Customer and leadership lists are deployment data, absent from a playbook file: a drill stands in an
    address per audience (on the reserved .invalid domain) so that its messages have somewhere to go."""
    stand_ins = {ChannelKind.EMAIL: "{key}@drill.invalid", ChannelKind.SMS: "+15550100000", ChannelKind.SLACK: "#{key}"}
    result: dict[str, list[str]] = {}
    for channel in playbook.channels:
        if channel.kind not in stand_ins:
            continue
        try:
            deliveries(channel, CHANNEL_NAMES)
        except NoAddress:
            result[channel.key] = [stand_ins[channel.kind].format(key=channel.key)]
    return result


class _Play:
    """The steps' effects, through the same services the API and the CLI call."""

    def __init__(self, simulation: Simulation, playbook: Playbook) -> None:
        self.simulation = simulation
        self.warroom = simulation.warroom
        self.playbook = playbook
        self.names: dict[int, str] = {}
        self._numbers: dict[str, int] = {}
        self._latest: int | None = None
        self._integrations: dict[str, Integration] = {}

    def step(self, step: Step) -> None:
        getattr(self, f"_{step.action}")(getattr(step, step.action))

    # ---- incidents ---------------------------------------------------------------------------------------

    def _ref(self, name: str | None) -> str:
        if name is None:
            if self._latest is None:
                raise DrillError("no incident yet: declare one (or let an alert open one) first")
            return incident_ref(self._latest)
        if name not in self._numbers:
            raise DrillError(f"no incident named {name!r} yet (named so far: {', '.join(self._numbers) or 'none'})")
        return incident_ref(self._numbers[name])

    def _bind(self, name: str | None, number: int) -> None:
        self._latest = number
        if name is not None:
            if name in self._numbers and self._numbers[name] != number:
                raise DrillError(f"the name {name!r} is already taken by {incident_ref(self._numbers[name])}")
            self._numbers[name] = number
            self.names[number] = name

    def _declare(self, step: Any) -> None:
        if step.incident in self._numbers:
            raise DrillError(f"an incident named {step.incident!r} was already declared")
        command = DeclareIncident(
            title=step.title,
            severity=step.severity,
            impact=step.impact,
            impact_statement=step.impact_statement,
            services=step.services,
            private=step.private,
            roles=step.roles,
        )
        view = self.warroom.incidents.declare(_actor(step.by), command)
        self._bind(step.incident, view.number)

    def _acknowledge(self, step: Any) -> None:
        self.warroom.acknowledgements.acknowledge(step.by, self._ref(step.incident), "drill")

    def _assign(self, step: Any) -> None:
        self.warroom.incidents.assign_role(
            _actor(step.by), self._ref(step.incident), step.role, AssignRole(person=step.person)
        )

    def _status(self, step: Any) -> None:
        command = ChangeStatus(status=Status(step.to), note=step.note)
        self.warroom.incidents.change_status(_actor(step.by), self._ref(step.incident), command)

    def _mitigate(self, step: Any) -> None:
        self.warroom.incidents.record_mitigation(_actor(step.by), self._ref(step.incident), None)

    def _resolve(self, step: Any) -> None:
        command = ChangeStatus(status=Status.RESOLVED, note=None)
        self.warroom.incidents.change_status(_actor(step.by), self._ref(step.incident), command)

    def _severity(self, step: Any) -> None:
        command = ChangeSeverity(severity=step.to, reason=step.reason)
        self.warroom.incidents.change_severity(_actor(step.by), self._ref(step.incident), command)

    def _update(self, step: Any) -> None:
        values = {
            k: v
            for k in ("root_cause", "resolution", "impact_statement", "private")
            if (v := getattr(step, k)) is not None
        }
        self.warroom.incidents.update(_actor(step.by), self._ref(step.incident), UpdateIncident(**values))

    # ---- communication -----------------------------------------------------------------------------------

    def _send(self, step: Any) -> None:
        command = ComposeMessage.model_validate(
            {
                "incident": self._ref(step.incident),
                "template": step.template,
                "channel": step.channel,
                "fields": step.fields,
                "subject": step.subject,
                "body": step.body,
                "kind": step.kind,
                "status_page": step.status_page,
            }
        )
        self.warroom.communication.send(_actor(step.by), command)

    def _approve(self, step: Any) -> None:
        self.warroom.comms_controls.approve(_actor(step.by), self._ref(step.incident))

    def _breach(self, step: Any) -> None:
        self.warroom.comms_controls.flag_breach(_actor(step.by), self._ref(step.incident), FlagBreach())

    def _regulator_notice(self, step: Any) -> None:
        command = RegulatorNotice(reference=step.reference)
        self.warroom.comms_controls.record_regulator_notice(_actor(step.by), self._ref(step.incident), command)

    # ---- monitoring --------------------------------------------------------------------------------------

    def _alert(self, step: Any) -> None:
        integration = self._integration(step.integration, step.service)
        event = AlertEvent(
            action=Action.TRIGGER if step.action == "trigger" else Action.RESOLVE,
            dedup_key=step.dedup_key,
            summary=step.summary,
            source="drill",
            source_severity=step.source_severity,
            alert_name=step.alert_name or step.labels.get("alertname"),
            group_key=step.group_key,
            labels=step.labels,
        )
        if event.action is Action.RESOLVE and not step.dedup_key:
            raise DrillError("resolving an alert needs the dedup_key it was raised with")
        (outcome,) = self.warroom.alerts.receive(integration, AlertBatch((event,)))
        if outcome.incident_id is not None and step.action == "trigger":
            self._bind(step.incident, outcome.incident_id)

    def _integration(self, key: str, service: str | None) -> Integration:
        if key not in self._integrations:
            if service is None:
                if not self.playbook.services:
                    raise DrillError("alerts need a service: the playbook has none; give `service:`")
                service = self.playbook.services[0].key
            created = self.warroom.integrations.create(
                SYSTEM, CreateIntegration(key=key, name=key, kind=IntegrationKind.EVENTS_V2, service=service)
            )
            self._integrations[key] = self.warroom.integrations.by_secret_key(created.secret_key)
        return self._integrations[key]


def _reason(error: Exception) -> str:
    if isinstance(error, WarroomError) and error.problems:
        return "; ".join(f"{problem.field}: {problem.reason}" for problem in error.problems)
    return str(error)


def _actor(name: str) -> Actor:
    return SYSTEM if name == "drill" else Actor(name, AccessRole.RESPONDER)
