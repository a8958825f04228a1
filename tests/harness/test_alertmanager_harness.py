"""Self-test of the Alertmanager harness: a real Alertmanager delivers real webhooks to a loopback receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.alertmanager import Alertmanager, alertmanager_available
from tests.harness.webhook_receiver import ReceivedRequest, WebhookReceiver

pytestmark = pytest.mark.skipif(
    not alertmanager_available(), reason="needs Debian package prometheus-alertmanager (.ci/run installs it)"
)

HOOK = "/hooks/alertmanager"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def alertmanager(tmp_path: Path, receiver: WebhookReceiver) -> Iterator[Alertmanager]:
    with Alertmanager.start(tmp_path, receiver.url_for(HOOK), http_headers={"Authorization": "Bearer am-token"}) as am:
        yield am


def alert(name: str, **labels: str) -> dict[str, Any]:
    return {
        "labels": {"alertname": name, "service": "checkout", **labels},
        "annotations": {"summary": f"{name} is burning"},
        "generatorURL": "http://prometheus.example/graph",
    }


def group(name: str) -> Any:
    return lambda request: request.json["groupLabels"].get("alertname") == name


def with_status(name: str, status: str) -> Any:
    return lambda request: group(name)(request) and request.json["status"] == status


def test_posted_alert_arrives_as_one_version_4_webhook(alertmanager: Alertmanager, receiver: WebhookReceiver) -> None:
    alertmanager.post_alerts([alert("DiskFull", instance="db-1")])

    [request] = receiver.wait_for(group("DiskFull"))
    assert request.path == HOOK
    assert request.header("authorization") == "Bearer am-token"
    assert request.header("content-type") == "application/json"
    body = request.json
    assert body["version"] == "4"
    assert body["status"] == "firing"
    assert body["receiver"] == "warroom"
    assert body["groupKey"] == '{}:{alertname="DiskFull"}'
    assert body["externalURL"] == alertmanager.url
    [firing] = body["alerts"]
    assert firing["status"] == "firing"
    assert firing["labels"] == {"alertname": "DiskFull", "service": "checkout", "instance": "db-1"}
    assert firing["annotations"] == {"summary": "DiskFull is burning"}
    assert firing["generatorURL"] == "http://prometheus.example/graph"
    assert firing["fingerprint"]
    assert firing["endsAt"] == "0001-01-01T00:00:00Z"
    assert [a["labels"]["instance"] for a in alertmanager.alerts()] == ["db-1"]


def test_same_alertname_is_grouped_then_resolved_together(
    alertmanager: Alertmanager, receiver: WebhookReceiver
) -> None:
    alerts = [alert("HighLatency", instance="web-1"), alert("HighLatency", instance="web-2")]
    alertmanager.post_alerts(alerts)

    [fired] = receiver.wait_for(group("HighLatency"))
    assert fired.json["status"] == "firing"
    assert sorted(a["labels"]["instance"] for a in fired.json["alerts"]) == ["web-1", "web-2"]
    assert fired.json["commonLabels"] == {"alertname": "HighLatency", "service": "checkout"}
    fingerprints = {a["fingerprint"] for a in fired.json["alerts"]}
    assert len(fingerprints) == 2

    alertmanager.resolve_alerts(alerts)

    [resolved] = receiver.wait_for(with_status("HighLatency", "resolved"))
    assert resolved.json["groupKey"] == fired.json["groupKey"]
    assert {a["fingerprint"] for a in resolved.json["alerts"]} == fingerprints
    assert {a["status"] for a in resolved.json["alerts"]} == {"resolved"}
    assert all(a["endsAt"] != "0001-01-01T00:00:00Z" for a in resolved.json["alerts"])
    assert len(receiver.requests(HOOK)) == 2
    assert alertmanager.alerts() == []


def test_503_is_retried_within_the_flush(alertmanager: Alertmanager, receiver: WebhookReceiver) -> None:
    receiver.respond_with(503)
    alertmanager.post_alerts([alert("Flaky")])

    failed, delivered = receiver.wait_for(group("Flaky"), count=2)
    assert (failed.status, delivered.status) == (503, 200)
    assert failed.json == delivered.json
    assert "status code 503" in alertmanager.log_tail()


def test_4xx_is_not_retried_but_sent_again_at_the_next_group_interval(
    alertmanager: Alertmanager, receiver: WebhookReceiver
) -> None:
    receiver.respond_with(400)
    alertmanager.post_alerts([alert("Rejected")])

    requests: list[ReceivedRequest] = receiver.wait_for(group("Rejected"), count=2)
    assert [r.status for r in requests[:2]] == [400, 200]
    assert "unrecoverable error" in alertmanager.log_tail()
