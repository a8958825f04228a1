"""A drill scenario file: which playbook, when it starts, what happens at which minute, and what must follow.

```yaml
drill: P0 pages the on-call engineer and the IC at once
playbook: greenlang                 # a preset name, or a file path relative to this scenario
start: 2026-01-05 03:00             # local wall time in the playbook's time zone (or give an offset)
checks:                             # the source playbook lines this scenario proves
  - {line: 31, text: "Response Time: 15 minutes"}
steps:
  - {at: 0m, declare: {incident: A, title: Checkout down, severity: P0}}
  - {at: 4m, acknowledge: {incident: A, by: oncall-engineer-1}}
  - {at: sat 03:00, alert: {summary: Disk full, labels: {alertname: DiskFull}}}
expect:
  - {at: 0m, page: oncall-engineer-1, method: phone, incident: A}
  - {at: 15m, missed: status-page-investigating, incident: A}
  - {postmortem_due: "2026-01-12 09:40", incident: A}
```

Times (`at`) are elapsed offsets from `start` ("0m", "1h30m", "2d") or a weekday and wall time ("sat 03:00":
the first such moment at or after `start`, in the playbook's zone). Steps run in the order written and their
times may not go backwards.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warroom.deadlines.spans import SpanKind, parse_span
from warroom.playbook.loader import PlaybookError, PlaybookProblem, parse_yaml_model

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_TIME = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+(\d{1,2}):(\d{2})$")
ENTRY_KINDS = (
    "response",
    "page",
    "escalation",
    "exhausted",
    "reminder",
    "overdue",
    "missed",
    "message",
    "status",
    "postmortem_due",
    "notice",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_at(value: str) -> str:
    DrillTime.parse(value)
    return value


At = Annotated[str, Field(min_length=1, max_length=40, description="'15m', '1h30m', '2d' or 'sat 03:00'")]
IncidentName = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")]
Key = Annotated[str, Field(min_length=1, max_length=200)]


class DrillTime:
    """An `at` value: an offset from the start, or the first weekday-and-wall-time at or after it."""

    def __init__(self, offset: timedelta | None, weekday: int | None, hour: int, minute: int) -> None:
        self.offset, self.weekday, self.hour, self.minute = offset, weekday, hour, minute

    @classmethod
    def parse(cls, text: str) -> DrillTime:
        norm = " ".join(str(text).strip().lower().removeprefix("+").split())
        found = _WEEKDAY_TIME.match(norm)
        if found:
            day, hour, minute = found.group(1), int(found.group(2)), int(found.group(3))
            if hour > 23 or minute > 59:
                raise ValueError(f"{text!r}: {hour:02d}:{minute:02d} is not a time of day")
            return cls(None, WEEKDAYS.index(day), hour, minute)
        span = parse_span(norm)
        if span.kind is not SpanKind.ELAPSED:
            raise ValueError(f"{text!r}: a drill time is elapsed ('15m', '2d') or a weekday and time ('sat 03:00')")
        return cls(span.elapsed, None, 0, 0)

    def resolve(self, start: datetime) -> datetime:
        """The UTC instant; `start` is aware and in the playbook's zone (wall times are read in it)."""
        if self.offset is not None:  # elapsed time: add in UTC (aware arithmetic in a zone is wall-clock time)
            return (start.astimezone(UTC) + self.offset).astimezone(start.tzinfo)
        assert self.weekday is not None
        day = start.date() + timedelta(days=(self.weekday - start.weekday()) % 7)
        local = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=start.tzinfo)
        if local < start:
            day += timedelta(days=7)
            local = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=start.tzinfo)
        return local


class Check(_Strict):
    """A line of the source playbook this scenario proves: its number and (part of) its words."""

    line: int = Field(ge=1)
    text: str = Field(min_length=3)


# ---- steps ------------------------------------------------------------------------------------------------


class Declare(_Strict):
    incident: IncidentName = "A"
    title: str = Field("Drill incident", min_length=1, max_length=300)
    severity: str | None = None
    impact: dict[str, Any] = Field(default_factory=dict)
    impact_statement: str | None = None
    services: list[str] = Field(default_factory=list)
    private: bool = False
    roles: dict[str, str] = Field(default_factory=dict)
    by: Key = "drill"


class Alert(_Strict):
    """An alert arriving from monitoring (or its resolution), through the real intake."""

    incident: IncidentName | None = Field(None, description="Name the incident this alert opens or joins.")
    integration: Key = "monitoring"
    service: str | None = Field(None, description="The integration's service (default: the playbook's first).")
    action: Literal["trigger", "resolve"] = "trigger"
    summary: str = Field("Drill alert", min_length=1)
    dedup_key: str | None = None
    alert_name: str | None = None
    source_severity: str | None = None
    group_key: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)


class Acknowledge(_Strict):
    incident: IncidentName | None = None
    by: Key


class Assign(_Strict):
    incident: IncidentName | None = None
    role: Key
    person: Key
    by: Key = "drill"


class ChangeStatus(_Strict):
    incident: IncidentName | None = None
    to: Literal["investigating", "identified", "monitoring", "resolved", "closed"]
    note: str | None = None
    by: Key = "drill"


class ChangeSeverity(_Strict):
    incident: IncidentName | None = None
    to: str = Field(min_length=1)
    reason: str = "drill"
    by: Key = "drill"


class SendMessage(_Strict):
    """A message from a template (with fields) or free text, to the template's or the named channel."""

    incident: IncidentName | None = None
    template: str | None = None
    channel: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    subject: str | None = None
    body: str | None = None
    kind: str | None = None
    status_page: dict[str, Any] | None = None
    by: Key = "drill"


class Approve(_Strict):
    incident: IncidentName | None = None
    by: Key


class Breach(_Strict):
    incident: IncidentName | None = None
    by: Key


class RegulatorNotice(_Strict):
    incident: IncidentName | None = None
    by: Key
    reference: str = "Supervisory authority, drill reference"


class Update(_Strict):
    """Facts the postmortem and the messages read (root cause, resolution, impact statement)."""

    incident: IncidentName | None = None
    root_cause: str | None = None
    resolution: str | None = None
    impact_statement: str | None = None
    private: bool | None = Field(None, description="false: make a private incident public (after approval).")
    by: Key = "drill"


ACTIONS = (
    "declare",
    "alert",
    "acknowledge",
    "assign",
    "status",
    "severity",
    "send",
    "approve",
    "breach",
    "regulator_notice",
    "update",
    "mitigate",
    "resolve",
)


class Step(_Strict):
    at: Annotated[At, Field()] = "0m"
    note: str | None = None
    refused: str | None = Field(
        None, description="The service must refuse this step with a message containing these words; nothing changes."
    )
    declare: Declare | None = None
    alert: Alert | None = None
    acknowledge: Acknowledge | None = None
    assign: Assign | None = None
    status: ChangeStatus | None = None
    severity: ChangeSeverity | None = None
    send: SendMessage | None = None
    approve: Approve | None = None
    breach: Breach | None = None
    regulator_notice: RegulatorNotice | None = None
    update: Update | None = None
    mitigate: Acknowledge | None = Field(None, description="Impact stopped (SEMANTICS: mitigated), by a person.")
    resolve: Acknowledge | None = Field(None, description="Shorthand for status: resolved, by a person.")

    _at = field_validator("at")(_check_at)

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        given = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"a step has exactly one action ({', '.join(ACTIONS)}); this one has {given or 'none'}")
        return self

    @property
    def action(self) -> str:
        return next(name for name in ACTIONS if getattr(self, name) is not None)


# ---- expectations -----------------------------------------------------------------------------------------


class Expectation(_Strict):
    """One line of the drill timeline that must be there. Fields left out match anything.

    Exactly one kind key: `response` (`missed`: nobody acknowledged within the severity's response target;
    `ack_missed`: nor within the on-call duty `on_call.acknowledge_within`),
    `page` (a person), `escalation` (a level number), `exhausted` (true), `reminder`
    (the person reminded an update is due), `overdue` (true), `missed` (a communication deadline key),
    `message` (a channel key: a stakeholder message delivered), `status` (the incident's new status),
    `postmortem_due` (the local due time "YYYY-MM-DD HH:MM"), `notice` (a person told something that is
    not a page: postmortem and action-item reminders)."""

    at: At | None = None
    incident: IncidentName | None = None
    response: Literal["missed", "ack_missed"] | None = Field(
        None, description="missed: the severity's response target; ack_missed: the on-call acknowledgement duty."
    )
    page: Key | None = None
    method: str | None = None
    methods: list[str] | None = Field(None, description="Shorthand: one page expectation per method.")
    level: int | None = None
    policy: str | None = None
    escalation: int | None = None
    exhausted: bool | None = None
    reminder: Key | None = None
    overdue: bool | None = None
    missed: Key | None = None
    message: Key | None = None
    status: str | None = None
    postmortem_due: str | None = None
    notice: Key | None = None
    count: int = Field(1, ge=0, description="How many such lines (0: none may appear).")

    @field_validator("at")
    @classmethod
    def _valid_at(cls, value: str | None) -> str | None:
        return None if value is None else _check_at(value)

    @model_validator(mode="after")
    def _one_kind(self) -> Expectation:
        kinds = [kind for kind in ENTRY_KINDS if getattr(self, kind) is not None]
        if len(kinds) != 1:
            raise ValueError(f"an expectation names exactly one of {', '.join(ENTRY_KINDS)}; this one has {kinds}")
        if self.methods is not None and self.page is None:
            raise ValueError("'methods' goes with 'page'")
        if self.methods is not None and self.method is not None:
            raise ValueError("give 'method' or 'methods', not both")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in ENTRY_KINDS if getattr(self, kind) is not None)


class Scenario(_Strict):
    drill: str = Field(min_length=1, max_length=200, description="What this drill proves, in one line.")
    playbook: str | None = Field(None, description="A preset name or a playbook file, relative to this file.")
    source: str | None = Field(None, description="The source playbook document the checks quote.")
    checks: list[Check] = Field(default_factory=list)
    start: datetime
    run_until: At | None = Field(None, description="Keep the clock running until then (default: last step + 1h).")
    recipients: dict[str, list[str]] = Field(
        default_factory=dict, description="Audience key -> addresses (customer lists are deployment data)."
    )
    steps: list[Step] = Field(default_factory=list)
    expect: list[Expectation] = Field(default_factory=list)
    exact: list[str] | None = Field(
        None, description="Entry kinds where anything not expected is a difference (default: the kinds expected)."
    )

    @field_validator("run_until")
    @classmethod
    def _valid_until(cls, value: str | None) -> str | None:
        return None if value is None else _check_at(value)

    @field_validator("exact")
    @classmethod
    def _known_kinds(cls, value: list[str] | None) -> list[str] | None:
        unknown = sorted(set(value or ()) - set(ENTRY_KINDS))
        if unknown:
            raise ValueError(f"unknown entry kind(s) {', '.join(unknown)} (kinds: {', '.join(ENTRY_KINDS)})")
        return value


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; PlaybookError (file:line:key) on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PlaybookError([PlaybookProblem(str(path), 0, "", f"cannot read: {error.strerror}")]) from None
    scenario, _lines = parse_yaml_model(text, str(path), Scenario, "drill scenario")
    return scenario
