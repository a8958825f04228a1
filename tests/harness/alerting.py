"""Alert test helpers: the alerting fixture playbook, integrations, Alertmanager payloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.harness.app import RunningApp
from warroom.playbook.loader import load_playbook
from warroom.playbook.schema import Playbook

FIXTURE = Path(__file__).parent.parent / "alerts" / "fixtures" / "alerting.yaml"


def alerting_playbook(**alerting: Any) -> Playbook:
    """The fixture playbook, with alerting settings replaced where a test needs other ones."""
    playbook = load_playbook(FIXTURE)
    if alerting:
        playbook = playbook.model_copy(update={"alerting": playbook.alerting.model_copy(update=alerting)})
    return playbook


def create_integration(app: RunningApp, kind: str, key: str | None = None, **extra: Any) -> str:
    """Create an integration as admin; return its secret key."""
    body = {"key": key or kind.replace("_", "-"), "name": (key or kind).title(), "kind": kind, "service": "api"}
    response = app.call("POST", "/api/v1/integrations", who="admin", json={**body, **extra})
    assert response.status_code == 201, response.text
    secret: str = response.json()["secret_key"]
    return secret


def am_alert(fingerprint: str, status: str = "firing", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "HighErrorRate", "instance": f"api-{fingerprint}", **labels},
        "annotations": {"summary": f"5xx errors on api-{fingerprint}"},
        "startsAt": "2026-01-05T08:55:00Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-01-05T09:10:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=rate",
        "fingerprint": fingerprint,
    }


def am_notification(*alerts: dict[str, Any], group: str = "HighErrorRate", truncated: int = 0) -> dict[str, Any]:
    firing = any(alert["status"] == "firing" for alert in alerts)
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{group}"}}',
        "truncatedAlerts": truncated,
        "status": "firing" if firing else "resolved",
        "receiver": "warroom",
        "groupLabels": {"alertname": group},
        "commonLabels": {"alertname": group},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }
