"""PagerDuty Events API v2 (`POST /v2/enqueue`): a PagerDuty client changes only its base URL."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from warroom.alerts.adapters.payload import json_object, source_time, validated
from warroom.alerts.events import Action, AlertBatch, AlertEvent, PayloadError

MAX_BODY = 512 * 1024


class Severity(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Link(_Open):
    href: str = Field(min_length=1, max_length=2048)
    text: str | None = Field(None, max_length=1024)


class Image(_Open):
    src: str = Field(min_length=1, max_length=2048)
    href: str | None = Field(None, max_length=2048)
    alt: str | None = Field(None, max_length=1024)


def _iso_8601(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise ValueError("an ISO 8601 string, e.g. 2026-01-05T09:00:00Z")
    return value


class Payload(_Open):
    summary: str = Field(min_length=1, max_length=1024)
    source: str = Field(min_length=1, max_length=255)
    severity: Severity
    timestamp: Annotated[datetime | None, BeforeValidator(_iso_8601)] = None
    component: str | None = Field(None, max_length=255)
    group: str | None = Field(None, max_length=255)
    class_: str | None = Field(None, alias="class", max_length=255)
    custom_details: Any = None


class Event(_Open):
    routing_key: str = Field(min_length=1, max_length=64)
    event_action: Action
    dedup_key: str | None = Field(None, min_length=1, max_length=255)
    payload: Payload | None = None
    client: str | None = Field(None, max_length=255)
    client_url: str | None = Field(None, max_length=2048)
    links: list[Link] = Field(default_factory=list, max_length=100)
    images: list[Image] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _action_needs(self) -> Event:
        if self.event_action is Action.TRIGGER and self.payload is None:
            raise ValueError("payload is required to trigger")
        if self.event_action is not Action.TRIGGER and not self.dedup_key:
            raise ValueError(f"dedup_key is required to {self.event_action.value}")
        return self


def parse(body: bytes) -> tuple[str, AlertBatch]:
    """The routing key and the event. PayloadError messages read like PagerDuty's own."""
    if len(body) > MAX_BODY:
        raise PayloadError([f"body: {len(body)} bytes is over the 512 KB limit"])
    event = validated(Event, json_object(body))
    links = [{"href": link.href, "text": link.text or link.href} for link in event.links]
    if event.client_url:
        links.append({"href": event.client_url, "text": event.client or "Source"})
    images = [image.model_dump(exclude_none=True) for image in event.images]
    payload = event.payload
    if payload is None:
        return event.routing_key, AlertBatch((AlertEvent(event.event_action, event.dedup_key),))
    details = payload.custom_details
    if details is not None and not isinstance(details, dict):
        details = {"custom_details": details}
    labels = {
        name: value
        for name, value in (
            ("source", payload.source),
            ("component", payload.component),
            ("group", payload.group),
            ("class", payload.class_),
            ("severity", payload.severity.value),
        )
        if value
    }
    alert_name = payload.class_ or (str(details.get("alertname")) if details and details.get("alertname") else None)
    occurred = source_time(payload.timestamp)
    if occurred is not None and occurred.tzinfo is None:
        raise PayloadError(["payload.timestamp: give a time zone (ISO 8601, e.g. 2026-01-05T09:00:00Z)"])
    return event.routing_key, AlertBatch(
        (
            AlertEvent(
                action=event.event_action,
                dedup_key=event.dedup_key,
                summary=payload.summary,
                source=payload.source,
                source_severity=payload.severity.value,
                alert_name=alert_name,
                group_key=payload.group,
                labels=labels,
                details={**(details or {}), **({"client": event.client} if event.client else {})},
                links=tuple(links),
                images=tuple(images),
                occurred_at=occurred,
            ),
        )
    )
