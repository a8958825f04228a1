"""Prometheus Alertmanager webhook (payload version 4).

Every POST carries the whole current group: firing and recently resolved alerts alike. Each alert is
deduplicated on its fingerprint and resolved by its own status, never by endsAt (WIRE-FORMATS.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from warroom.alerts.adapters.payload import json_object, source_time, validated
from warroom.alerts.events import Action, AlertBatch, AlertEvent, PayloadError, SourceConfig


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Alert(_Open):
    """Field names are the wire's own (camelCase)."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime | None = None
    endsAt: datetime | None = None
    generatorURL: str = ""
    fingerprint: str = Field(min_length=1, max_length=255)


class Notification(_Open):
    version: str
    groupKey: str = Field(min_length=1)
    truncatedAlerts: int = Field(0, ge=0)
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    alerts: list[Alert] = Field(min_length=1)


def parse(body: bytes, headers: Mapping[str, str], config: SourceConfig) -> AlertBatch:
    del headers, config  # Alertmanager does not sign; the secret is the key in the URL
    data = json_object(body)
    if data.get("version") != "4":
        raise PayloadError([f"version: Warroom reads Alertmanager webhook version 4, not {data.get('version')!r}"])
    notification = validated(Notification, data)
    events = tuple(_event(notification, alert) for alert in notification.alerts)
    notes = {"receiver": notification.receiver, "truncated_alerts": notification.truncatedAlerts}
    return AlertBatch(events, notes)


def _event(notification: Notification, alert: Alert) -> AlertEvent:
    labels = alert.labels
    name = labels.get("alertname")
    annotations = {**notification.commonAnnotations, **alert.annotations}
    summary = annotations.get("summary") or annotations.get("description") or _describe(name, labels)
    links = []
    if alert.generatorURL:
        links.append({"href": alert.generatorURL, "text": "Source"})
    if notification.externalURL:
        links.append({"href": notification.externalURL, "text": "Alertmanager"})
    return AlertEvent(
        action=Action.TRIGGER if alert.status == "firing" else Action.RESOLVE,
        dedup_key=alert.fingerprint,
        summary=summary[:1024],
        source=labels.get("instance") or labels.get("job") or notification.receiver or None,
        source_severity=labels.get("severity"),
        alert_name=name,
        group_key=notification.groupKey,
        labels=labels,
        details={"annotations": annotations, "groupLabels": notification.groupLabels},
        links=tuple(links),
        occurred_at=source_time(alert.startsAt),
    )


def _describe(name: str | None, labels: Mapping[str, str]) -> str:
    rest = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname")
    return f"{name or 'alert'}" + (f" ({rest})" if rest else "")
