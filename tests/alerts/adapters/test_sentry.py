"""Sentry issue and metric alerts become events; other resources are acknowledged and ignored."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.alerts.adapters.sentry import parse
from warroom.alerts.events import Action, AlertBatch, PayloadError, SignatureError, SourceConfig

SECRET = "3f6b0c9e1d2a4b5c8e7f00112233445566778899aabbccddeeff001122334455"
CONFIG = SourceConfig(signing_secret=SECRET)

# Shapes of the integration platform's "Issue Alerts" and "Metric Alerts" webhook payloads (Sentry docs).
ISSUE_ALERT: dict[str, Any] = {
    "action": "triggered",
    "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
    "data": {
        "event": {
            "_ref": 4,
            "_ref_version": 2,
            "contexts": {"runtime": {"name": "CPython", "type": "runtime", "version": "3.11.9"}},
            "culprit": "checkout.views.pay",
            "datetime": "2025-03-04T09:12:44.512000Z",
            "event_id": "9d0b7a8e61f14c02a3b5e6d7c8f90a1b",
            "exception": {"values": [{"type": "KeyError", "value": "'currency'", "stacktrace": {"frames": []}}]},
            "fingerprint": ["{{ default }}"],
            "hashes": ["5b9f2c2d0e7e4c1b8a3f6d9e0c1b2a3d"],
            "issue_url": "https://sentry.io/api/0/issues/4410923871/",
            "issue_id": "4410923871",
            "level": "error",
            "location": "checkout/views.py",
            "logger": "",
            "message": "",
            "metadata": {"type": "KeyError", "value": "'currency'", "filename": "checkout/views.py"},
            "platform": "python",
            "project": 4504032,
            "received": 1741079564.6,
            "release": "checkout@2025.03.1",
            "tags": [
                ["environment", "production"],
                ["handled", "no"],
                ["level", "error"],
                ["server_name", "checkout-7f9c"],
                ["transaction", "/pay"],
                ["release", "checkout@2025.03.1"],
                ["broken", 3],
                ["too", "many", "parts"],
            ],
            "timestamp": 1741079564.512,
            "title": "KeyError: 'currency'",
            "type": "error",
            "url": "https://sentry.io/api/0/projects/acme/checkout/events/9d0b7a8e61f14c02a3b5e6d7c8f90a1b/",
            "user": {"ip_address": "203.0.113.9"},
            "version": "7",
            "web_url": "https://sentry.io/organizations/acme/issues/4410923871/events/9d0b7a8e61f14c02a3b5e6d7c8f90a1b/",
        },
        "triggered_rule": "Checkout errors to on-call",
        "issue_alert": {"title": "Checkout errors to on-call", "settings": []},
    },
    "installation": {"uuid": "0c3f9b52-7d4e-4d4b-9a53-52c0b6d1e8aa"},
}

METRIC_ALERT: dict[str, Any] = {
    "action": "critical",
    "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
    "data": {
        "description_text": "412 events in the last 10 minutes\nFilter: level:error",
        "description_title": "Critical: Checkout error rate",
        "metric_alert": {
            "alert_rule": {
                "aggregate": "count()",
                "created_by": None,
                "dataset": "events",
                "date_created": "2025-01-20T08:00:00.000000Z",
                "environment": "production",
                "id": "31",
                "name": "Checkout error rate",
                "organization_id": "12",
                "projects": ["checkout"],
                "query": "level:error",
                "time_window": 10,
                "triggers": [],
            },
            "date_closed": None,
            "date_created": "2025-03-04T09:20:00.000000Z",
            "date_detected": "2025-03-04T09:19:00.000000Z",
            "date_started": "2025-03-04T09:18:00.000000Z",
            "id": "877",
            "identifier": "52",
            "organization_id": "12",
            "projects": ["checkout"],
            "status": 20,
            "status_method": 3,
            "title": "Checkout error rate",
            "type": 2,
        },
        "web_url": "https://sentry.io/organizations/acme/alerts/rules/details/31/?alert=52",
    },
    "installation": {"uuid": "0c3f9b52-7d4e-4d4b-9a53-52c0b6d1e8aa"},
}


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(doc: Any, resource: str, config: SourceConfig = CONFIG) -> AlertBatch:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return parse(body, {"sentry-hook-resource": resource, "sentry-hook-signature": sign(body)}, config)


def errors_of(doc: Any, resource: str) -> list[str]:
    with pytest.raises(PayloadError) as error:
        deliver(doc, resource)
    return error.value.errors


def test_issue_alert() -> None:
    batch = deliver(ISSUE_ALERT, "event_alert")

    (event,) = batch.events
    assert event.action is Action.TRIGGER
    assert event.dedup_key == event.group_key == "sentry-issue-4410923871"
    assert event.summary == "KeyError: 'currency'"
    assert event.source_severity == "error"
    assert event.alert_name == "Checkout errors to on-call"
    assert event.source == "checkout-7f9c"
    assert event.labels == {
        "environment": "production",
        "handled": "no",
        "level": "error",
        "server_name": "checkout-7f9c",
        "transaction": "/pay",
        "release": "checkout@2025.03.1",
        "project": "4504032",
    }
    assert event.links == ({"href": ISSUE_ALERT["data"]["event"]["web_url"], "text": "Sentry issue"},)
    assert event.occurred_at == datetime(2025, 3, 4, 9, 12, 44, 512000, tzinfo=UTC)
    assert event.details["culprit"] == "checkout.views.pay"
    assert event.details["event_id"] == "9d0b7a8e61f14c02a3b5e6d7c8f90a1b"
    assert "exception" not in event.details
    assert batch.notes == {"resource": "event_alert", "installation_uuid": "0c3f9b52-7d4e-4d4b-9a53-52c0b6d1e8aa"}


@pytest.mark.parametrize(
    ("level", "severity"),
    [("fatal", "critical"), ("error", "error"), ("warning", "warning"), ("info", "info"), ("debug", "info")],
)
def test_issue_levels(level: str, severity: str) -> None:
    doc = copy.deepcopy(ISSUE_ALERT)
    doc["data"]["event"]["level"] = level
    assert deliver(doc, "event_alert").events[0].source_severity == severity


def test_issue_alert_fallbacks() -> None:
    doc = copy.deepcopy(ISSUE_ALERT)
    event = doc["data"]["event"]
    for key in ("issue_id", "datetime", "web_url", "tags", "project", "level"):
        del event[key]
    alert = deliver(doc, "event_alert").events[0]
    assert alert.dedup_key == "sentry-event-9d0b7a8e61f14c02a3b5e6d7c8f90a1b"
    assert alert.group_key is None
    assert alert.occurred_at == datetime.fromtimestamp(1741079564.512, UTC)  # from the epoch timestamp
    assert (alert.links, alert.labels, alert.source_severity, alert.source) == ((), {}, None, "sentry")


def test_unparseable_times_are_unknown_not_errors() -> None:
    doc = copy.deepcopy(ISSUE_ALERT)
    doc["data"]["event"]["datetime"] = "last tuesday"
    doc["data"]["event"]["timestamp"] = 1e300
    assert deliver(doc, "event_alert").events[0].occurred_at is None


@pytest.mark.parametrize(
    ("action", "expected", "severity"),
    [
        ("critical", Action.TRIGGER, "critical"),
        ("warning", Action.TRIGGER, "warning"),
        ("resolved", Action.RESOLVE, None),
    ],
)
def test_metric_alert(action: str, expected: Action, severity: str | None) -> None:
    batch = deliver({**METRIC_ALERT, "action": action}, "metric_alert")

    (event,) = batch.events
    assert event.action is expected
    assert event.source_severity == severity
    assert event.dedup_key == event.group_key == "sentry-metric-877"
    assert event.alert_name == "Checkout error rate"
    assert event.summary == "Critical: Checkout error rate"
    assert event.details["description_text"].startswith("412 events")
    assert event.details["alert_rule"]["query"] == "level:error"
    assert event.labels == {"project": "checkout", "environment": "production"}
    assert event.links == ({"href": METRIC_ALERT["data"]["web_url"], "text": "Sentry metric alert"},)
    assert event.occurred_at == datetime(2025, 3, 4, 9, 18, tzinfo=UTC)


def test_metric_alert_without_a_rule_name_is_named_by_its_title() -> None:
    doc = copy.deepcopy(METRIC_ALERT)
    del doc["data"]["metric_alert"]["alert_rule"]
    doc["data"]["metric_alert"]["id"] = 877
    event = deliver(doc, "metric_alert").events[0]
    assert event.alert_name == "Critical: Checkout error rate"
    assert event.dedup_key == "sentry-metric-877"


def test_unknown_metric_action_names_the_allowed_ones() -> None:
    assert errors_of({**METRIC_ALERT, "action": "escalated"}, "metric_alert") == [
        "action: must be one of 'critical', 'warning', 'resolved' for a metric_alert"
    ]


@pytest.mark.parametrize("resource", ["installation", "issue", "comment", "error", "seer"])
def test_other_resources_are_acknowledged_and_ignored(resource: str) -> None:
    doc = {"action": "created", "installation": {"uuid": "0c3f9b52"}, "data": {"installation": {"status": "installed"}}}
    batch = deliver(doc, resource)
    assert batch.events == ()
    assert batch.notes == {"ignored_resource": resource}


def test_ignored_resources_still_need_the_signature() -> None:
    with pytest.raises(SignatureError):
        parse(b"{}", {"sentry-hook-resource": "installation", "sentry-hook-signature": sign(b"[]")}, CONFIG)


def test_without_a_client_secret_nothing_is_accepted() -> None:
    with pytest.raises(
        SignatureError, match="this integration has no client secret; set one to receive Sentry webhooks"
    ):
        deliver(ISSUE_ALERT, "event_alert", SourceConfig())


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (None, "missing signature header sentry-hook-signature"),
        ("", "missing signature header"),
        (sign(b"{}"), "signature does not match"),
        (sign(json.dumps(ISSUE_ALERT).encode(), "previous-client-secret"), "signature does not match"),
    ],
)
def test_bad_signatures(signature: str | None, message: str) -> None:
    headers = {"sentry-hook-resource": "event_alert"}
    if signature is not None:
        headers["sentry-hook-signature"] = signature
    with pytest.raises(SignatureError, match=message):
        parse(json.dumps(ISSUE_ALERT).encode(), headers, CONFIG)


def test_uppercase_signature_is_accepted() -> None:
    body = json.dumps(METRIC_ALERT).encode()
    headers = {"sentry-hook-resource": "metric_alert", "sentry-hook-signature": sign(body).upper()}
    assert len(parse(body, headers, CONFIG).events) == 1


def test_missing_resource_header() -> None:
    body = json.dumps(ISSUE_ALERT).encode()
    with pytest.raises(PayloadError) as error:
        parse(body, {"sentry-hook-signature": sign(body)}, CONFIG)
    assert error.value.errors == ["sentry-hook-resource header: required"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b'{"action": "triggered",', "body: not valid JSON (line 1 column 24)"), (b"[]", "body: must be a JSON object")],
)
def test_not_a_json_object(body: bytes, expected: str) -> None:
    assert errors_of(body, "event_alert") == [expected]


def test_issue_alert_problems_name_their_location() -> None:
    doc = copy.deepcopy(ISSUE_ALERT)
    doc["action"] = "resolved"
    doc["data"]["triggered_rule"] = ["Checkout errors"]
    event = doc["data"]["event"]
    del event["title"], event["event_id"]
    event["issue_id"] = True
    event["level"] = 40
    event["tags"] = {"environment": "production"}
    assert errors_of(doc, "event_alert") == [
        "action: must be 'triggered' for an event_alert",
        "data.triggered_rule: must be a string",
        "data.event.title: required",
        "data.event.issue_id: must be a string or an integer",
        "data.event.level: must be a string",
        "data.event.tags: must be a list of [key, value] pairs",
    ]
    del event["issue_id"]
    assert "data.event.issue_id: required (or data.event.event_id)" in errors_of(doc, "event_alert")
    assert errors_of({"action": "triggered"}, "event_alert") == ["data: required"]
    assert errors_of({"action": "triggered", "data": {"event": "oops"}}, "event_alert") == [
        "data.event: must be an object"
    ]


def test_metric_alert_problems_name_their_location() -> None:
    doc = copy.deepcopy(METRIC_ALERT)
    del doc["data"]["metric_alert"]["id"]
    del doc["data"]["description_title"]
    doc["data"]["metric_alert"]["alert_rule"] = "Checkout error rate"
    doc["data"]["web_url"] = 31
    assert errors_of(doc, "metric_alert") == [
        "data.description_title: required",
        "data.web_url: must be a string",
        "data.metric_alert.id: required",
        "data.metric_alert.alert_rule: must be an object",
    ]
    assert errors_of({"action": "resolved", "data": {"description_title": "x"}}, "metric_alert") == [
        "data.metric_alert: required"
    ]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(
    resource=st.sampled_from(["event_alert", "metric_alert"]),
    doc=st.fixed_dictionaries(
        {},
        optional={
            "action": st.sampled_from(["triggered", "critical", "resolved"]) | _json,
            "data": st.fixed_dictionaries(
                {},
                optional={
                    "event": st.dictionaries(
                        st.sampled_from(["title", "issue_id", "event_id", "level", "tags", "datetime", "timestamp"]),
                        _json,
                    )
                    | _json,
                    "metric_alert": st.dictionaries(st.sampled_from(["id", "alert_rule", "projects"]), _json) | _json,
                    "description_title": _json,
                    "triggered_rule": _json,
                },
            )
            | _json,
        },
    ),
)
def test_any_signed_json_is_parsed_or_refused_with_payload_errors(resource: str, doc: dict[str, Any]) -> None:
    try:
        batch = deliver(doc, resource)
    except PayloadError as error:
        assert error.errors
    else:
        assert len(batch.events) == 1
