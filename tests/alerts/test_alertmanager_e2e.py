"""End to end with the real Prometheus Alertmanager (Debian `prometheus-alertmanager`) delivering webhooks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.harness.alerting import create_integration
from tests.harness.alertmanager import Alertmanager, alertmanager_available
from tests.harness.app import RunningApp
from tests.harness.server import ThreadedServer
from warroom.api.app import create_app

T = TypeVar("T")

# CI installs the package and sets this, so there a missing binary fails instead of skipping.
REQUIRED = os.environ.get("WARROOM_REQUIRE_ALERTMANAGER") == "1"
pytestmark = pytest.mark.skipif(
    not alertmanager_available() and not REQUIRED,
    reason="needs Debian package prometheus-alertmanager (.ci/run installs it)",
)


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 15.0) -> T:
    """Wait for another process's delivery (not for our clock: that is advanced by hand)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_alertmanager_group_becomes_one_incident_repeats_add_nothing_and_resolution_clears_it(
    alerting: RunningApp, tmp_path: Path
) -> None:
    key = create_integration(alerting, "alertmanager", key="prod-am")
    fired = [
        {
            "labels": {"alertname": "CheckoutErrors", "instance": f"api-{n}", "severity": "critical"},
            "annotations": {"summary": f"5xx above 1% on api-{n}"},
            "generatorURL": "http://prometheus:9090/graph",
        }
        for n in (1, 2)
    ]

    def alerts() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = alerting.call("GET", "/api/v1/alerts").json()["items"]
        return items

    def incidents() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = alerting.call("GET", "/api/v1/incidents").json()["items"]
        return items

    with ThreadedServer(create_app(alerting.warroom)) as server:
        webhook = f"{server.url}/ingest/{key}/alertmanager"
        # repeat_interval 300ms: Alertmanager re-sends the unchanged group, as it would every 4 h in production.
        with Alertmanager.start(tmp_path, webhook, repeat_interval="300ms", group_interval="100ms") as am:
            am.post_alerts(fired)
            eventually(lambda: len(alerts()) == 2 or None, "both alerts")
            [incident] = incidents()
            assert incident["title"].startswith("5xx above 1% on api-")
            assert incident["severity_label"] == "SEV-1"  # severity=critical, via the playbook's source_severities
            am.post_alerts(fired)  # the same alerts again, and the repeat_interval re-sends
            eventually(lambda: all(a["event_count"] >= 3 for a in alerts()) or None, "repeats", timeout=20)
            assert len(alerts()) == 2 and len(incidents()) == 1
            assert {a["status"] for a in alerts()} == {"triggered"}

            am.resolve_alerts(fired)
            eventually(lambda: all(a["status"] == "resolved" for a in alerts()) or None, "resolution")
            resolved = alerting.call("GET", f"/api/v1/incidents/{incident['id']}").json()
            assert resolved["status"] == "monitoring"  # the playbook's on_all_resolved
            timeline = alerting.call("GET", f"/api/v1/incidents/{incident['id']}/timeline").json()
            kinds = [event["kind"] for event in timeline]
            assert kinds.count("alert_triggered") == 2 and kinds.count("alert_resolved") == 2
            assert len(incidents()) == 1
