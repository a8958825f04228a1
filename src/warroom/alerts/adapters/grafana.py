"""Grafana unified-alerting webhooks (version "1"): one event per alert of the group, each judged on its own status.

Grafana re-sends the whole group, firing and recently resolved alerts alike, so dedup is per alert `fingerprint`
and resolution comes from the alert's own `status`, never from `endsAt` (the Go zero time while firing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from warroom.alerts.events import Action, AlertBatch, AlertEvent, PayloadError, SignatureError, SourceConfig
from warroom.alerts.signatures import verify_hmac_sha256_hex

SIGNATURE_HEADER = "x-grafana-alerting-signature"
_ACTIONS = {"firing": Action.TRIGGER, "resolved": Action.RESOLVE}
_LINKS = (("generatorURL", "Source"), ("silenceURL", "Silence"), ("dashboardURL", "Dashboard"), ("panelURL", "Panel"))


def parse(body: bytes, headers: Mapping[str, str], config: SourceConfig) -> AlertBatch:
    """Check the signature on the raw bytes first: nothing in an unsigned body is believed, not even its JSON."""
    if config.signing_secret:
        message = _signed_message(body, headers, config.signature_timestamp_header)
        verify_hmac_sha256_hex(config.signing_secret, message, headers.get(SIGNATURE_HEADER), header=SIGNATURE_HEADER)
    doc = _load_object(body)
    errors: list[str] = []
    group_key = _string(doc, "groupKey", "", errors, required=True)
    receiver = _string(doc, "receiver", "", errors)
    org_id = doc.get("orgId")
    if org_id is not None and (isinstance(org_id, bool) or not isinstance(org_id, int)):
        errors.append("orgId: must be an integer")
    truncated = doc.get("truncatedAlerts")
    if truncated is None:
        truncated = 0
    elif isinstance(truncated, bool) or not isinstance(truncated, int) or truncated < 0:
        errors.append("truncatedAlerts: must be a non-negative integer")
        truncated = 0

    alerts = doc.get("alerts")
    events: list[AlertEvent] = []
    if alerts is None:
        errors.append("alerts: required")
    elif not isinstance(alerts, list):
        errors.append("alerts: must be a list")
    elif not alerts:
        errors.append("alerts: at least one alert")
    else:
        for index, alert in enumerate(alerts):
            event = _event(alert, f"alerts[{index}]", group_key, errors)
            if event is not None:
                events.append(event)
    if errors:
        raise PayloadError(errors)

    notes: dict[str, Any] = {}
    if truncated > 0:
        notes["truncated_alerts"] = truncated
    if receiver is not None:
        notes["receiver"] = receiver
    if org_id is not None:
        notes["org_id"] = org_id
    return AlertBatch(events=tuple(events), notes=notes)


def _signed_message(body: bytes, headers: Mapping[str, str], timestamp_header: str | None) -> bytes:
    """Grafana signs `timestamp:body` when a timestamp header is configured, else the body alone."""
    if not timestamp_header:
        return body
    name = timestamp_header.lower()
    timestamp = headers.get(name)
    if not timestamp:
        raise SignatureError(f"missing timestamp header {name}: this integration signs timestamp:body")
    return timestamp.encode("utf-8", errors="replace") + b":" + body


def _event(alert: Any, where: str, group_key: str | None, errors: list[str]) -> AlertEvent | None:
    """One alert of the group, or None after recording every problem it has."""
    if not isinstance(alert, dict):
        errors.append(f"{where}: must be an object")
        return None
    before = len(errors)
    status = alert.get("status")
    action = _ACTIONS.get(status) if isinstance(status, str) else None
    if action is None:
        errors.append(f"{where}.status: must be 'firing' or 'resolved'")
    fingerprint = _string(alert, "fingerprint", f"{where}.", errors, required=True)
    labels = _string_map(alert, "labels", f"{where}.", errors)
    annotations = _string_map(alert, "annotations", f"{where}.", errors)
    starts_at = _time(alert.get("startsAt"), f"{where}.startsAt", errors)
    links: list[dict[str, str]] = []
    for key, text in _LINKS:
        href = _string(alert, key, f"{where}.", errors)
        if href:
            links.append({"href": href, "text": text})
    image = _string(alert, "imageURL", f"{where}.", errors)
    values = alert.get("values")
    if values is not None and not isinstance(values, dict):
        errors.append(f"{where}.values: must be an object")
    if len(errors) > before or action is None:
        return None

    alert_name = labels.get("alertname")
    details: dict[str, Any] = {}
    if "annotations" in alert and alert["annotations"] is not None:
        details["annotations"] = annotations
    for key in ("values", "valueString"):
        if alert.get(key) is not None:
            details[key] = alert[key]
    if starts_at is not None:
        details["startsAt"] = alert["startsAt"]
    ends_at = alert.get("endsAt")
    if isinstance(ends_at, str) and ends_at and not ends_at.startswith("0001-01-01"):
        details["endsAt"] = ends_at
    details["fingerprint"] = fingerprint
    return AlertEvent(
        action=action,
        dedup_key=fingerprint,
        summary=_summary(alert_name, labels, annotations) or f"Grafana alert {fingerprint}",
        source=labels.get("instance") or "grafana",
        source_severity=labels.get("severity"),
        alert_name=alert_name,
        group_key=group_key,
        labels=labels,
        details=details,
        links=tuple(links),
        images=({"src": image, "alt": alert_name or "Grafana alert image"},) if image else (),
        occurred_at=starts_at,
    )


def _summary(alert_name: str | None, labels: Mapping[str, str], annotations: Mapping[str, str]) -> str:
    """The annotation people wrote for humans, else the alert's identity spelled out from its labels."""
    written = annotations.get("summary") or annotations.get("description")
    if written:
        return written
    rendered = " ".join(f"{key}={value}" for key, value in sorted(labels.items()) if key != "alertname")
    return " ".join(part for part in (alert_name, rendered) if part)


def _load_object(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as error:
        raise PayloadError([f"body: not valid JSON (line {error.lineno} column {error.colno})"]) from None
    except UnicodeDecodeError:
        raise PayloadError(["body: not valid JSON (not UTF-8 text)"]) from None
    except (ValueError, RecursionError):
        raise PayloadError(["body: not valid JSON (nested too deeply or a number too long)"]) from None
    if not isinstance(doc, dict):
        raise PayloadError(["body: must be a JSON object"])
    return doc


def _string(obj: Mapping[str, Any], key: str, where: str, errors: list[str], *, required: bool = False) -> str | None:
    """A string field; `required` also refuses the empty string, which identifies nothing."""
    value = obj.get(key)
    if value is None or (required and value == ""):
        if required:
            errors.append(f"{where}{key}: required")
        return None
    if not isinstance(value, str):
        errors.append(f"{where}{key}: must be a string")
        return None
    return value


def _string_map(obj: Mapping[str, Any], key: str, where: str, errors: list[str]) -> dict[str, str]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        errors.append(f"{where}{key}: must be an object of strings")
        return {}
    return dict(value)


def _time(value: Any, where: str, errors: list[str]) -> datetime | None:
    """An RFC 3339 instant; Go's zero time (0001-01-01) means "not set" and becomes None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors.append(f"{where}: must be an RFC 3339 time string")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        errors.append(f"{where}: not an RFC 3339 time")
        return None
    if parsed.tzinfo is None:
        errors.append(f"{where}: needs a UTC offset")
        return None
    return None if parsed.year == 1 else parsed
