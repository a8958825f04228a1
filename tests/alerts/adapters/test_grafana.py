"""Grafana unified-alerting webhooks become one event per alert, judged on each alert's own status."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.alerts.adapters.grafana import parse
from warroom.alerts.events import Action, PayloadError, SignatureError, SourceConfig

SECRET = "grafana-contact-point-secret"

# The shape Grafana 10/11 posts for a webhook contact point (see the "Webhook JSON payload" of its docs).
PAYLOAD: dict[str, Any] = {
    "receiver": "warroom-checkout",
    "status": "firing",
    "orgId": 1,
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "CheckoutLatencyHigh",
                "grafana_folder": "Payments",
                "instance": "checkout-7f9c:9100",
                "severity": "critical",
                "team": "payments",
            },
            "annotations": {
                "summary": "p99 checkout latency is 2.3s on checkout-7f9c",
                "description": "p99 latency above 1.5s for 5 minutes",
                "runbook_url": "https://runbooks.example.com/checkout-latency",
            },
            "startsAt": "2025-03-04T10:15:00.123456789+01:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "https://grafana.example.com/alerting/grafana/fe1b2c3d/view?orgId=1",
            "fingerprint": "a61c4d0e2b7f9135",
            "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DCheckoutLatencyHigh",
            "dashboardURL": "https://grafana.example.com/d/checkout?orgId=1",
            "panelURL": "https://grafana.example.com/d/checkout?orgId=1&viewPanel=4",
            "imageURL": "https://grafana.example.com/render/checkout-panel-4.png",
            "values": {"A": 2.31, "C": 1},
            "valueString": "[ var='A' labels={instance=checkout-7f9c:9100} value=2.31 ]",
        },
        {
            "status": "resolved",
            "labels": {"alertname": "DiskAlmostFull", "instance": "db-2:9100", "mountpoint": "/var/lib/postgresql"},
            "annotations": {"description": "Less than 5% disk space left"},
            "startsAt": "2025-03-04T08:00:00Z",
            "endsAt": "2025-03-04T09:30:00Z",
            "generatorURL": "https://grafana.example.com/alerting/grafana/aa11bb22/view?orgId=1",
            "fingerprint": "5e0f6b2c77d1a9e4",
            "silenceURL": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana",
            "dashboardURL": "",
            "panelURL": "",
            "values": None,
        },
    ],
    "groupLabels": {"grafana_folder": "Payments"},
    "commonLabels": {"grafana_folder": "Payments"},
    "commonAnnotations": {},
    "externalURL": "https://grafana.example.com/",
    "version": "1",
    "groupKey": '{}/{__grafana_receiver__="warroom-checkout"}:{grafana_folder="Payments"}',
    "truncatedAlerts": 0,
    "title": "[FIRING:1, RESOLVED:1] Payments",
    "state": "alerting",
    "message": "**Firing**\n\nValue: A=2.31, C=1\n...",
}


def body_of(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def sign(message: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def payload(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(PAYLOAD)
    doc.update(changes)
    return doc


def errors_of(doc: Any, config: SourceConfig | None = None) -> list[str]:
    with pytest.raises(PayloadError) as error:
        parse(body_of(doc), {}, config or SourceConfig())
    return error.value.errors


def test_firing_and_resolved_alerts_of_one_group() -> None:
    batch = parse(body_of(PAYLOAD), {}, SourceConfig())

    firing, resolved = batch.events
    assert firing.action is Action.TRIGGER
    assert resolved.action is Action.RESOLVE
    assert (firing.dedup_key, resolved.dedup_key) == ("a61c4d0e2b7f9135", "5e0f6b2c77d1a9e4")
    assert firing.alert_name == "CheckoutLatencyHigh"
    assert firing.source_severity == "critical"
    assert resolved.source_severity is None
    assert firing.summary == "p99 checkout latency is 2.3s on checkout-7f9c"
    assert resolved.summary == "Less than 5% disk space left"  # no summary annotation: the description
    assert (firing.source, resolved.source) == ("checkout-7f9c:9100", "db-2:9100")
    assert firing.group_key == resolved.group_key == PAYLOAD["groupKey"]
    assert firing.labels == PAYLOAD["alerts"][0]["labels"]
    assert firing.occurred_at == datetime(2025, 3, 4, 10, 15, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert resolved.occurred_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    assert [link["text"] for link in firing.links] == ["Source", "Silence", "Dashboard", "Panel"]
    assert firing.links[3]["href"].endswith("viewPanel=4")
    assert [link["text"] for link in resolved.links] == ["Source", "Silence"]  # empty URLs are no links
    assert firing.images == (
        {"src": "https://grafana.example.com/render/checkout-panel-4.png", "alt": "CheckoutLatencyHigh"},
    )
    assert resolved.images == ()
    assert firing.details["values"] == {"A": 2.31, "C": 1}
    assert firing.details["annotations"]["runbook_url"] == "https://runbooks.example.com/checkout-latency"
    assert firing.details["fingerprint"] == "a61c4d0e2b7f9135"
    assert "endsAt" not in firing.details  # the Go zero time means "still firing"
    assert resolved.details["endsAt"] == "2025-03-04T09:30:00Z"
    assert "values" not in resolved.details
    assert batch.notes == {"receiver": "warroom-checkout", "org_id": 1}


def test_resolution_comes_from_status_never_from_ends_at() -> None:
    doc = payload()
    doc["alerts"][0]["endsAt"] = "2025-03-04T10:20:00Z"  # Alertmanager-style "expected end" on a firing alert
    doc["alerts"][1]["endsAt"] = "0001-01-01T00:00:00Z"
    first, second = parse(body_of(doc), {}, SourceConfig()).events
    assert (first.action, second.action) == (Action.TRIGGER, Action.RESOLVE)


def test_truncated_alerts_are_noted() -> None:
    batch = parse(body_of(payload(truncatedAlerts=7)), {}, SourceConfig())
    assert batch.notes["truncated_alerts"] == 7
    assert len(batch.events) == 2


def test_summary_falls_back_to_the_labels() -> None:
    doc = payload()
    doc["alerts"][0]["annotations"] = {}
    doc["alerts"][0]["labels"] = {"alertname": "HostDown", "zone": "eu-1", "instance": "web-3"}
    del doc["alerts"][0]["imageURL"]
    event = parse(body_of(doc), {}, SourceConfig()).events[0]
    assert event.summary == "HostDown instance=web-3 zone=eu-1"
    assert "annotations" in event.details


def test_go_zero_start_time_is_no_time() -> None:
    doc = payload()
    doc["alerts"][0]["startsAt"] = "0001-01-01T00:00:00Z"
    event = parse(body_of(doc), {}, SourceConfig()).events[0]
    assert event.occurred_at is None
    assert "startsAt" not in event.details


def test_without_a_secret_signature_headers_are_ignored() -> None:
    batch = parse(body_of(PAYLOAD), {"x-grafana-alerting-signature": "deadbeef"}, SourceConfig())
    assert len(batch.events) == 2


def test_signed_body_is_accepted() -> None:
    body = body_of(PAYLOAD)
    config = SourceConfig(signing_secret=SECRET)
    assert len(parse(body, {"x-grafana-alerting-signature": sign(body)}, config).events) == 2
    assert len(parse(body, {"x-grafana-alerting-signature": sign(body).upper()}, config).events) == 2


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing signature header x-grafana-alerting-signature"),
        ({"x-grafana-alerting-signature": ""}, "missing signature header"),
        ({"x-grafana-alerting-signature": sign(b"{}")}, "signature does not match"),
        ({"x-grafana-alerting-signature": sign(body_of(PAYLOAD), "old-secret")}, "signature does not match"),
    ],
)
def test_unsigned_or_badly_signed_body_is_refused(headers: dict[str, str], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse(body_of(PAYLOAD), headers, SourceConfig(signing_secret=SECRET))


def test_signature_is_checked_before_the_json() -> None:
    with pytest.raises(SignatureError):
        parse(b"{not json", {"x-grafana-alerting-signature": "00"}, SourceConfig(signing_secret=SECRET))


def test_timestamped_signature() -> None:
    body = body_of(PAYLOAD)
    config = SourceConfig(signing_secret=SECRET, signature_timestamp_header="X-Grafana-Alerting-Timestamp")
    headers = {
        "x-grafana-alerting-timestamp": "1741079700",
        "x-grafana-alerting-signature": sign(b"1741079700:" + body),
    }
    assert len(parse(body, headers, config).events) == 2

    with pytest.raises(SignatureError, match="signature does not match"):  # the body alone is not what was signed
        parse(body, {**headers, "x-grafana-alerting-signature": sign(body)}, config)
    with pytest.raises(SignatureError, match="signature does not match"):  # a replay with another timestamp
        parse(body, {**headers, "x-grafana-alerting-timestamp": "1741079999"}, config)
    with pytest.raises(SignatureError, match="missing timestamp header x-grafana-alerting-timestamp"):
        parse(body, {"x-grafana-alerting-signature": headers["x-grafana-alerting-signature"]}, config)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"alerts": [', "body: not valid JSON (line 1 column 13)"),
        (b"", "body: not valid JSON (line 1 column 1)"),
        (b"\xff\xfe\xfa", "body: not valid JSON (not UTF-8 text)"),
        (b"[1, 2]", "body: must be a JSON object"),
        (b'"firing"', "body: must be a JSON object"),
    ],
)
def test_not_a_json_object(body: bytes, expected: str) -> None:
    with pytest.raises(PayloadError) as error:
        parse(body, {}, SourceConfig())
    assert error.value.errors == [expected]


@pytest.mark.parametrize(
    ("alerts", "expected"),
    [
        (None, "alerts: required"),
        ({"0": {}}, "alerts: must be a list"),
        ([], "alerts: at least one alert"),
    ],
)
def test_alerts_list(alerts: Any, expected: str) -> None:
    doc = payload(alerts=alerts)
    if alerts is None:
        del doc["alerts"]
    assert errors_of(doc) == [expected]


def test_every_problem_is_reported_with_its_location() -> None:
    doc = payload(truncatedAlerts="2", orgId="1")
    del doc["groupKey"]
    good = doc["alerts"][0]
    doc["alerts"] = [
        {**good, "status": "pending"},
        {**good, "fingerprint": ""},
        {**good, "labels": {"alertname": "X", "replicas": 3}},
        "not an alert",
        {**good, "startsAt": "yesterday", "annotations": ["summary"], "panelURL": 4},
        {k: v for k, v in good.items() if k not in ("fingerprint", "status")},
    ]
    assert errors_of(doc) == [
        "groupKey: required",
        "orgId: must be an integer",
        "truncatedAlerts: must be a non-negative integer",
        "alerts[0].status: must be 'firing' or 'resolved'",
        "alerts[1].fingerprint: required",
        "alerts[2].labels: must be an object of strings",
        "alerts[3]: must be an object",
        "alerts[4].annotations: must be an object of strings",
        "alerts[4].startsAt: not an RFC 3339 time",
        "alerts[4].panelURL: must be a string",
        "alerts[5].status: must be 'firing' or 'resolved'",
        "alerts[5].fingerprint: required",
    ]


def test_wrong_types() -> None:
    doc = payload(groupKey=42)
    doc["alerts"][0]["fingerprint"] = 1234
    doc["alerts"][0]["startsAt"] = 1741079700
    doc["alerts"][1]["values"] = [1, 2]
    doc["alerts"][1]["startsAt"] = "2025-03-04T08:00:00"  # no offset: which 08:00?
    assert errors_of(doc) == [
        "groupKey: must be a string",
        "alerts[0].fingerprint: must be a string",
        "alerts[0].startsAt: must be an RFC 3339 time string",
        "alerts[1].startsAt: needs a UTC offset",
        "alerts[1].values: must be an object",
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
_alert = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["firing", "resolved", "pending"]) | _json,
        "fingerprint": st.text(max_size=8) | _json,
        "labels": st.dictionaries(st.text(max_size=5), st.text(max_size=5)) | _json,
        "annotations": st.dictionaries(st.sampled_from(["summary", "description"]), st.text(max_size=5)) | _json,
        "startsAt": st.sampled_from(["0001-01-01T00:00:00Z", "2025-01-01T00:00:00+02:00", "2025-13-01"]) | _json,
        "generatorURL": st.text(max_size=8) | _json,
        "imageURL": st.text(max_size=8) | _json,
        "values": _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({"groupKey": st.text(max_size=5) | _json, "alerts": st.lists(_alert, max_size=3) | _json}))
def test_any_json_is_parsed_or_refused_with_payload_errors(doc: dict[str, Any]) -> None:
    try:
        batch = parse(body_of(doc), {}, SourceConfig())
    except PayloadError as error:
        assert error.errors
        assert all(isinstance(item, str) and ": " in item for item in error.errors)
    else:
        assert len(batch.events) == len(doc["alerts"])
        assert all(event.dedup_key for event in batch.events)
