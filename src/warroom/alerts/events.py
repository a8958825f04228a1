"""What every source's payload becomes: plain alert events, independent of the wire format they came in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class AlertEvent:
    """One alert's news. `dedup_key` None means "generate one" (a new alert every time)."""

    action: Action
    dedup_key: str | None
    summary: str = ""
    source: str | None = None
    source_severity: str | None = None  # the sender's word: critical, error, warning, info, ...
    alert_name: str | None = None  # matched against runbooks' alert_names and routing rules
    group_key: str | None = None  # alerts sharing it share an incident when the integration groups
    labels: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    links: tuple[Mapping[str, str], ...] = ()  # {"href", "text"}
    images: tuple[Mapping[str, str], ...] = ()  # {"src", "href", "alt"}
    occurred_at: datetime | None = None  # when the source says it started (startsAt, payload.timestamp)


@dataclass(frozen=True)
class AlertBatch:
    """Everything one request carried. `notes` are recorded facts about the delivery (truncated alerts...)."""

    events: tuple[AlertEvent, ...]
    notes: Mapping[str, Any] = field(default_factory=dict)


class PayloadError(ValueError):
    """The payload is not what the source's format promises. Each item names where and what."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class SignatureError(ValueError):
    """The request is not signed with this integration's secret."""


@dataclass(frozen=True)
class SourceConfig:
    """What an adapter may know about the integration that received the payload."""

    signing_secret: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)  # generic JSON: summary, dedup_key, severity, status...
    signature_timestamp_header: str | None = None  # Grafana: sign timestamp + ":" + body when set
