"""Routing is a pure function of the playbook and the alert: service, severity, runbooks and the reason why."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.alerts.events import Action, AlertEvent
from warroom.alerts.routing import RouteDecision, decide, matcher_labels, route_matches
from warroom.playbook.loader import load_playbook
from warroom.playbook.schema import AlertRoute, Playbook

PLAYBOOK: Playbook = load_playbook(Path(__file__).parent / "fixtures" / "alerting.yaml")
ROUTES = {route.name: route for route in PLAYBOOK.alerting.routes}


def event(
    alert_name: str | None = None,
    labels: Mapping[str, str] | None = None,
    source_severity: str | None = None,
    source: str | None = None,
) -> AlertEvent:
    labels = dict(labels or {})
    if alert_name is not None:
        labels.setdefault("alertname", alert_name)
    return AlertEvent(
        Action.TRIGGER,
        "fp-1",
        summary="something is wrong",
        source=source,
        source_severity=source_severity,
        alert_name=alert_name,
        labels=labels,
    )


def route(alert: AlertEvent, integration: str = "prom", service: str = "api") -> RouteDecision:
    return decide(PLAYBOOK, alert, integration, service)


# ---- matchers ----------------------------------------------------------------------------------------


def test_matcher_labels_add_the_facts_every_source_has() -> None:
    alert = AlertEvent(Action.TRIGGER, "k", source="web-1", source_severity="critical", alert_name="X", labels={})
    assert matcher_labels(alert, "prom", "api") == {
        "alertname": "X",
        "source": "web-1",
        "source_severity": "critical",
        "integration": "prom",
        "service": "api",
    }


def test_matcher_labels_leave_out_what_the_source_did_not_say_and_keep_the_alerts_own_labels() -> None:
    alert = AlertEvent(Action.TRIGGER, "k", labels={"service": "checkout", "env": "prod", "integration": "other"})
    labels = matcher_labels(alert, "prom", "api")
    # the alert's service label wins; its claim to come from another integration does not
    assert labels == {"service": "checkout", "env": "prod", "integration": "prom"}
    assert "alertname" not in labels and "source_severity" not in labels


@pytest.mark.parametrize(
    ("env", "matches"),
    [
        ("prod", True),
        ("production", True),
        ("preprod", False),  # full match: a substring is not enough
        ("prod-eu", False),
        ("productionx", False),
        ("PROD", False),
        ("", False),
    ],
)
def test_match_re_is_a_full_match(env: str, matches: bool) -> None:
    labels = {"alertname": "HighErrorRate", "env": env}
    assert route_matches(ROUTES["error rate by value"], labels) is matches


def test_match_is_equality_and_every_matcher_must_hold() -> None:
    by_value = ROUTES["error rate by value"]
    assert not route_matches(by_value, {"env": "prod"})  # alertname missing
    assert not route_matches(by_value, {"alertname": "HighErrorRates", "env": "prod"})
    assert not route_matches(by_value, {"alertname": "higherrorrate", "env": "prod"})
    assert route_matches(ROUTES["database alerts"], {"team": "dba", "anything": "else"})
    assert not route_matches(ROUTES["database alerts"], {"team": "dba-oncall"})


def test_a_missing_label_is_matched_as_empty() -> None:
    assert route_matches(AlertRoute(match_re={"env": ".*"}), {})
    assert not route_matches(AlertRoute(match_re={"env": ".+"}), {})
    assert route_matches(AlertRoute(), {"whatever": "x"})  # no matchers: a catch-all


# ---- decisions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ["prod", "production"])
def test_error_rate_above_the_threshold_is_sev1_by_triage(env: str) -> None:
    decision = route(event("HighErrorRate", {"env": env, "error_rate": "12"}))
    assert decision.severity == "sev1"
    assert decision.route == "error rate by value"
    assert decision.service == "api"
    assert not decision.needs_confirmation
    assert decision.reason.startswith("error rate by value: ")
    assert "error rate 12% > 5%" in decision.reason and decision.reason.endswith("-> SEV-1")
    assert decision.runbooks == ("high-error-rate",)


def test_a_percent_sign_in_the_label_is_read_as_the_number() -> None:
    assert route(event("HighErrorRate", {"env": "prod", "error_rate": "7.5%"})).severity == "sev1"


def test_the_boundary_is_read_as_written_five_is_not_above_five() -> None:
    decision = route(event("HighErrorRate", {"env": "prod", "error_rate": "5"}))
    assert decision.route == "error rate by value"  # the route matched...
    assert decision.severity == "sev2"  # ...but triage did not: the runbook's default decides
    assert decision.reason == "runbook High error rate: SEV-2"
    assert not decision.needs_confirmation
    assert route(event("HighErrorRate", {"env": "prod", "error_rate": "5.01"})).severity == "sev1"


@pytest.mark.parametrize(
    "labels",
    [
        {"env": "prod"},  # the template names a label the alert does not have
        {"env": "prod", "error_rate": "lots"},  # not a number
        {"env": "prod", "error_rate": "140"},  # not a percentage
        {"env": "prod", "error_rate": "nan"},
        {"env": "prod", "error_rate": "-3"},
        {"env": "prod", "error_rate": ""},
    ],
)
def test_a_fact_the_alert_cannot_fill_stays_unknown(labels: dict[str, str]) -> None:
    decision = route(event("HighErrorRate", labels))
    assert decision.route == "error rate by value"
    assert decision.severity == "sev2"
    assert decision.reason == "runbook High error rate: SEV-2"


def with_routes(*routes: AlertRoute) -> Playbook:
    return PLAYBOOK.model_copy(update={"alerting": PLAYBOOK.alerting.model_copy(update={"routes": list(routes)})})


@pytest.mark.parametrize(
    ("template", "labels", "severity"),
    [
        ("{{ labels.errors|int / labels.total|int * 100 }}", {"errors": "3", "total": "20"}, "sev1"),  # 15%
        ("{{ labels.errors|int / labels.total|int * 100 }}", {"errors": "3", "total": "0"}, "sev2"),  # 1/0
        ("{{ labels.error_rate + 1 }}", {"error_rate": "12"}, "sev2"),  # str + int
        ("{{ '%d' % labels.error_rate }}", {"error_rate": "12"}, "sev2"),
        ("{{ labels.error_rate|float * 100 }}", {"error_rate": "0.12"}, "sev1"),
        ("{{ labels.error_rate|float * 100 }}", {"error_rate": "1.2"}, "sev2"),  # 120%: not a percentage
        ("{{ labels.__class__ }}", {"error_rate": "12"}, "sev2"),  # the sandbox refuses
    ],
)
def test_a_template_that_fails_on_this_alert_leaves_the_fact_unknown(
    template: str, labels: dict[str, str], severity: str
) -> None:
    """An operator's template meets untrusted labels: whatever goes wrong, routing still decides."""
    playbook = with_routes(AlertRoute(name="computed", match={"alertname": "X"}, facts={"error_rate_pct": template}))
    decision = decide(playbook, event("X", labels), "prom", "api")
    assert decision.route == "computed"
    assert decision.severity == severity
    assert decision.needs_confirmation == (severity == "sev2")


def test_preprod_skips_the_route_and_the_runbook_decides() -> None:
    decision = route(event("HighErrorRate", {"env": "preprod", "error_rate": "90"}))
    assert decision.route is None
    assert decision.severity == "sev2"
    assert decision.reason == "runbook High error rate: SEV-2"
    assert decision.runbooks == ("high-error-rate",)
    assert decision.service == "api"


def test_route_overrides_the_service() -> None:
    decision = route(event("DatabaseConnectionFailures", {"team": "dba"}), service="api")
    assert decision.service == "db"
    assert decision.route == "database alerts"
    assert decision.runbooks == ("db-connections",)
    assert decision.severity == "sev1"  # the runbook's default: the route fixes no severity
    assert decision.reason == "runbook Database connection failures: SEV-1"


def test_runbooks_are_linked_by_alert_name_without_a_route() -> None:
    decision = route(event("DatabaseConnectionFailures"))
    assert decision.route is None
    assert decision.runbooks == ("db-connections",)
    assert decision.severity == "sev1"
    assert decision.service == "api"  # the integration's


def test_fixed_route_severity_wins_over_everything_else() -> None:
    alert = event("DatabaseConnectionFailures", {"job": "batch-nightly"}, source_severity="critical")
    decision = route(alert)
    assert decision.route == "batch is never urgent"
    assert decision.service == "batch"
    assert decision.severity == "sev3"
    assert decision.reason == "batch is never urgent: SEV-3"
    assert not decision.needs_confirmation
    assert decision.runbooks == ("db-connections",)  # still linked for the responder


def test_routes_are_tried_in_order_first_match_wins() -> None:
    decision = route(event("HighErrorRate", {"team": "dba", "env": "prod", "error_rate": "12", "job": "batch-x"}))
    assert decision.route == "database alerts"
    assert decision.service == "db"
    assert decision.severity == "sev2"  # database alerts has no facts: the HighErrorRate runbook decides


@pytest.mark.parametrize(
    ("word", "severity", "label"),
    [
        ("critical", "sev1", "SEV-1"),
        ("Error", "sev2", "SEV-2"),
        ("WARNING", "sev3", "SEV-3"),
        ("info", "sev3", "SEV-3"),
    ],
)
def test_source_severity_map(word: str, severity: str, label: str) -> None:
    decision = route(event("DiskFilling", source_severity=word))
    assert decision.severity == severity
    assert decision.reason == f"source severity {word.lower()} -> {label}"
    assert not decision.needs_confirmation
    assert decision.route is None and decision.runbooks == ()


def test_runbook_default_comes_before_the_source_severity() -> None:
    assert route(event("HighErrorRate", source_severity="info")).severity == "sev2"


@pytest.mark.parametrize("word", [None, "", "disaster", "p1"])
def test_nothing_matched_falls_back_to_the_triage_default_and_asks_for_confirmation(word: str | None) -> None:
    decision = route(event("SomethingOdd", {"env": "staging"}, source_severity=word))
    assert decision.severity == PLAYBOOK.triage.default_severity == "sev2"
    assert decision.needs_confirmation
    assert "no rule matched" in decision.reason
    assert decision.reason == "no rule matched; default SEV-2"
    assert decision.route is None and decision.runbooks == ()
    assert decision.service == "api"


def test_route_label_can_be_matched_on_the_integration_and_service() -> None:
    playbook = with_routes(AlertRoute(name="from prom-db", match={"integration": "prom-db"}, service="db"))
    assert decide(playbook, event("X"), "prom-db", "api").service == "db"
    assert decide(playbook, event("X"), "prom", "api").service == "api"
    decision = decide(with_routes(AlertRoute(match={"service": "api"}, severity="sev3")), event("X"), "prom", "api")
    assert decision.route == "route 1" and decision.reason == "route 1: SEV-3"


# ---- property ------------------------------------------------------------------------------------------

LABEL_NAMES = st.sampled_from(
    ["alertname", "env", "team", "job", "error_rate", "errors", "total", "service", "integration", "severity"]
)
LABEL_VALUES = st.sampled_from(
    [
        "prod",
        "production",
        "preprod",
        "dba",
        "batch-nightly",
        "12",
        "5",
        "0",
        "nan",
        "inf",
        "1e400",
        "-1",
        "%",
        "{{ x }}",
    ]
)
ALERT_NAMES = st.sampled_from([None, "HighErrorRate", "DatabaseConnectionFailures", "HeartbeatMissed"]) | st.text()
SOURCE_SEVERITIES = st.sampled_from([None, "critical", "ERROR", "warning", "info", "", "p1"]) | st.text(max_size=10)
SERVICES = {service.key for service in PLAYBOOK.services}
COMPUTED = with_routes(
    AlertRoute(
        name="computed",
        match_re={"errors": ".+"},
        facts={
            "error_rate_pct": "{{ labels.errors|float / labels.total|float * 100 }}",
            "cosmetic": "{{ labels.env }}",
        },
    ),
    *PLAYBOOK.alerting.routes,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    labels=st.dictionaries(LABEL_NAMES | st.text(max_size=12), LABEL_VALUES | st.text(max_size=12), max_size=8),
    alert_name=ALERT_NAMES,
    source_severity=SOURCE_SEVERITIES,
    source=st.none() | st.text(max_size=12),
    integration_service=st.sampled_from(["api", "db", "batch", "legacy"]),
    playbook=st.sampled_from([PLAYBOOK, COMPUTED]),
)
def test_decide_is_total(
    labels: dict[str, str],
    alert_name: str | None,
    source_severity: str | None,
    source: str | None,
    integration_service: str,
    playbook: Playbook,
) -> None:
    alert = AlertEvent(
        Action.TRIGGER, None, source=source, source_severity=source_severity, alert_name=alert_name, labels=labels
    )
    decision = decide(playbook, alert, "prom", integration_service)
    assert decision.severity in playbook.severity_keys()
    assert decision.service == integration_service or decision.service in SERVICES
    assert decision.reason
    assert all(key in {runbook.key for runbook in playbook.runbooks} for key in decision.runbooks)
    assert decision.needs_confirmation == decision.reason.startswith("no rule matched")
    if decision.route is not None:
        assert decision.route in {route.name for route in playbook.alerting.routes}
