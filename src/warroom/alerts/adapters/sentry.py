"""Sentry integration-platform webhooks: issue alerts (`event_alert`) and metric alerts (`metric_alert`).

Sentry signs every delivery with the integration's client secret and sends other resources (installation,
issue, comment...) to the same URL; those are acknowledged with an empty batch, because a 4xx would make
Sentry count the delivery as failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from warroom.alerts.events import Action, AlertBatch, AlertEvent, PayloadError, SignatureError, SourceConfig
from warroom.alerts.signatures import verify_hmac_sha256_hex

SIGNATURE_HEADER = "sentry-hook-signature"
RESOURCE_HEADER = "sentry-hook-resource"
_LEVELS = {"fatal": "critical", "error": "error", "warning": "warning", "info": "info", "debug": "info"}
_METRIC_ACTIONS = {"critical": Action.TRIGGER, "warning": Action.TRIGGER, "resolved": Action.RESOLVE}
_EVENT_DETAILS = ("event_id", "issue_id", "culprit", "platform", "release", "metadata", "issue_url", "url")
_INCIDENT_DETAILS = ("id", "identifier", "title", "status", "date_started", "date_detected", "projects")
_RULE_DETAILS = ("id", "name", "aggregate", "query", "dataset", "time_window", "environment", "projects")


def parse(body: bytes, headers: Mapping[str, str], config: SourceConfig) -> AlertBatch:
    """Sentry always signs, so an integration without a client secret cannot tell its deliveries from forgeries."""
    if not config.signing_secret:
        raise SignatureError("this integration has no client secret; set one to receive Sentry webhooks")
    verify_hmac_sha256_hex(config.signing_secret, body, headers.get(SIGNATURE_HEADER), header=SIGNATURE_HEADER)
    resource = headers.get(RESOURCE_HEADER)
    if not resource:
        raise PayloadError([f"{RESOURCE_HEADER} header: required"])
    if resource not in ("event_alert", "metric_alert"):
        return AlertBatch(events=(), notes={"ignored_resource": resource})

    doc = _load_object(body)
    errors: list[str] = []
    event = _issue_alert(doc, errors) if resource == "event_alert" else _metric_alert(doc, errors)
    if errors or event is None:
        raise PayloadError(errors or ["body: no alert found"])
    notes: dict[str, Any] = {"resource": resource}
    installation = doc.get("installation")
    if isinstance(installation, dict) and isinstance(installation.get("uuid"), str):
        notes["installation_uuid"] = installation["uuid"]
    return AlertBatch(events=(event,), notes=notes)


def _issue_alert(doc: dict[str, Any], errors: list[str]) -> AlertEvent | None:
    """An issue alert rule fired for one event; the issue is what repeats, so it is the dedup key."""
    if doc.get("action") != "triggered":
        errors.append("action: must be 'triggered' for an event_alert")
    data = _object(doc, "data", "", errors)
    if data is None:
        return None
    rule = _string(data, "triggered_rule", "data.", errors)
    event = _object(data, "event", "data.", errors)
    if event is None:
        return None
    title = _string(event, "title", "data.event.", errors, required=True)
    before = len(errors)
    issue_id = _identifier(event, "issue_id", "data.event.", errors)
    event_id = _identifier(event, "event_id", "data.event.", errors)
    if issue_id is None and event_id is None and len(errors) == before:
        errors.append("data.event.issue_id: required (or data.event.event_id)")
    level = _string(event, "level", "data.event.", errors)
    web_url = _string(event, "web_url", "data.event.", errors)
    labels = _tags(event.get("tags"), "data.event.tags", errors)
    if errors:
        return None
    project = event.get("project")
    if isinstance(project, str | int) and not isinstance(project, bool):
        labels["project"] = str(project)
    issue_key = f"sentry-issue-{issue_id}" if issue_id is not None else None
    return AlertEvent(
        action=Action.TRIGGER,
        dedup_key=issue_key or f"sentry-event-{event_id}",
        summary=title or "",
        source=labels.get("server_name") or "sentry",
        source_severity=_LEVELS.get(level.lower(), level) if level else None,
        alert_name=rule,
        group_key=issue_key,
        labels=labels,
        details={key: event[key] for key in _EVENT_DETAILS if event.get(key) is not None},
        links=({"href": web_url, "text": "Sentry issue"},) if web_url else (),
        occurred_at=_when(event.get("datetime")) or _when(event.get("timestamp")),
    )


def _metric_alert(doc: dict[str, Any], errors: list[str]) -> AlertEvent | None:
    """A metric alert changed state; the Sentry incident (metric_alert.id) spans critical through resolved."""
    action = doc.get("action")
    if not isinstance(action, str) or action not in _METRIC_ACTIONS:
        errors.append("action: must be one of 'critical', 'warning', 'resolved' for a metric_alert")
    data = _object(doc, "data", "", errors)
    if data is None:
        return None
    metric = _object(data, "metric_alert", "data.", errors)
    title = _string(data, "description_title", "data.", errors, required=True)
    text = _string(data, "description_text", "data.", errors)
    web_url = _string(data, "web_url", "data.", errors)
    if metric is None:
        return None
    metric_id = _identifier(metric, "id", "data.metric_alert.", errors, required=True)
    rule = metric.get("alert_rule")
    if rule is not None and not isinstance(rule, dict):
        errors.append("data.metric_alert.alert_rule: must be an object")
    rule = rule if isinstance(rule, dict) else {}
    rule_name = _string(rule, "name", "data.metric_alert.alert_rule.", errors)
    if errors or not isinstance(action, str):
        return None

    labels: dict[str, str] = {}
    projects = metric.get("projects")
    if isinstance(projects, list) and projects and all(isinstance(item, str) for item in projects):
        labels["project"] = ",".join(projects)
    if isinstance(rule.get("environment"), str):
        labels["environment"] = rule["environment"]
    details: dict[str, Any] = {"description_text": text} if text is not None else {}
    details["metric_alert"] = {key: metric[key] for key in _INCIDENT_DETAILS if metric.get(key) is not None}
    if rule:
        details["alert_rule"] = {key: rule[key] for key in _RULE_DETAILS if rule.get(key) is not None}
    key = f"sentry-metric-{metric_id}"
    trigger = _METRIC_ACTIONS[action] is Action.TRIGGER
    return AlertEvent(
        action=_METRIC_ACTIONS[action],
        dedup_key=key,
        summary=title or "",
        source="sentry",
        source_severity=action if trigger else None,
        alert_name=rule_name or title,
        group_key=key,
        labels=labels,
        details=details,
        links=({"href": web_url, "text": "Sentry metric alert"},) if web_url else (),
        occurred_at=_when(metric.get("date_started")) or _when(metric.get("date_detected")),
    )


def _tags(value: Any, where: str, errors: list[str]) -> dict[str, str]:
    """Sentry tags are [key, value] pairs; pairs that are not two strings are skipped, not refused."""
    if value is None:
        return {}
    if not isinstance(value, list):
        errors.append(f"{where}: must be a list of [key, value] pairs")
        return {}
    tags: dict[str, str] = {}
    for item in value:
        if isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item):
            tags[item[0]] = item[1]
        elif isinstance(item, dict) and isinstance(item.get("key"), str) and isinstance(item.get("value"), str):
            tags[item["key"]] = item["value"]
    return tags


def _when(value: Any) -> datetime | None:
    """A best-effort instant (ISO 8601 or epoch seconds, UTC when unqualified); unparseable means unknown."""
    try:
        if isinstance(value, str) and value:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return datetime.fromtimestamp(float(value), UTC)
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


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


def _object(obj: Mapping[str, Any], key: str, where: str, errors: list[str]) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is None:
        errors.append(f"{where}{key}: required")
        return None
    if not isinstance(value, dict):
        errors.append(f"{where}{key}: must be an object")
        return None
    return value


def _string(obj: Mapping[str, Any], key: str, where: str, errors: list[str], *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None or (required and value == ""):
        if required:
            errors.append(f"{where}{key}: required")
        return None
    if not isinstance(value, str):
        errors.append(f"{where}{key}: must be a string")
        return None
    return value


def _identifier(
    obj: Mapping[str, Any], key: str, where: str, errors: list[str], *, required: bool = False
) -> str | None:
    """Sentry ids are numeric strings in payloads, but integers are accepted too; empty identifies nothing."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            errors.append(f"{where}{key}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(f"{where}{key}: must be a string or an integer")
        return None
    return str(value)
