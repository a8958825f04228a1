"""Reading the stored history: the window, the order the intake saw things in, and how people responded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.harness.alerting import alerting_playbook, create_integration
from tests.harness.app import RunningApp, start_app
from warroom.alerts.events import Action, AlertBatch, AlertEvent
from warroom.alerts.integrations import Grouping, IntegrationKind
from warroom.alerts.maintenance import CreateMaintenance
from warroom.auth.actors import SYSTEM, AccessRole, Actor
from warroom.clock import ManualClock
from warroom.replay.history import Happening, read_history

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, playbook=alerting_playbook(), clock=ManualClock(T0 - timedelta(hours=1)))
    yield running
    running.client.close()
    running.warroom.close()


def alert(key: str, group_key: str | None = None, source_severity: str | None = None) -> AlertEvent:
    return AlertEvent(
        Action.TRIGGER,
        key,
        summary=f"{key} firing",
        alert_name="DiskFull",
        group_key=group_key,
        source_severity=source_severity,
    )


def test_alerts_in_the_window_become_triggers_and_resolves_in_intake_order(app: RunningApp) -> None:
    secret = create_integration(app, "alertmanager", "prom", grouping="integration")
    integration = app.warroom.integrations.by_secret_key(secret)

    def at(minutes: int, *events: AlertEvent) -> None:
        app.clock.set(T0 + timedelta(minutes=minutes))
        app.warroom.alerts.receive(integration, AlertBatch(events))

    at(-30, alert("before"))  # first seen before the window: left out, even though it resolves inside it
    at(0, alert("flap", group_key="g", source_severity="critical"))
    at(5, AlertEvent(Action.RESOLVE, "flap"), alert("flap", group_key="g"), AlertEvent(Action.RESOLVE, "before"))
    at(20, alert("late"))
    at(70, AlertEvent(Action.RESOLVE, "late"))  # after the window's end: no resolve event
    history = read_history(app.warroom.db, T0, T0 + timedelta(minutes=60))

    assert [(a.dedup_key, a.first_seen_at) for a in history.alerts] == [
        ("flap", T0),
        ("flap", T0 + timedelta(minutes=5)),
        ("late", T0 + timedelta(minutes=20)),
    ]
    first = history.alerts[0]
    assert (first.group_key, first.source_severity, first.alert_name, first.summary) == (
        "g",
        "critical",
        "DiskFull",
        "flap firing",
    )
    assert first.incident_id is not None and first.incident_id in history.incidents
    # At minute 5 the old flap resolves before the new one reuses its key.
    assert [(e.at - T0, e.happening, e.alert.dedup_key) for e in history.events()] == [
        (timedelta(0), Happening.TRIGGER, "flap"),
        (timedelta(minutes=5), Happening.RESOLVE, "flap"),
        (timedelta(minutes=5), Happening.TRIGGER, "flap"),
        (timedelta(minutes=20), Happening.TRIGGER, "late"),
    ]
    (source,) = history.integrations.values()
    assert (source.key, source.kind, source.service, source.grouping) == (
        "prom",
        IntegrationKind.ALERTMANAGER,
        "api",
        Grouping.INTEGRATION,
    )


def test_an_alert_resolved_at_the_instant_it_fired_resolves_after_it_fired(app: RunningApp) -> None:
    secret = create_integration(app, "events_v2", "checks")
    integration = app.warroom.integrations.by_secret_key(secret)
    app.clock.set(T0)
    app.warroom.alerts.receive(integration, AlertBatch((alert("blip"), AlertEvent(Action.RESOLVE, "blip"))))
    history = read_history(app.warroom.db, T0, T0 + timedelta(hours=1))
    assert [e.happening for e in history.events()] == [Happening.TRIGGER, Happening.RESOLVE]


def test_the_real_response_is_read_with_each_incident(app: RunningApp) -> None:
    secret = create_integration(app, "events_v2", "checks")
    integration = app.warroom.integrations.by_secret_key(secret)
    app.clock.set(T0)
    (outcome,) = app.warroom.alerts.receive(integration, AlertBatch((alert("a", source_severity="critical"),)))
    assert outcome.incident_id is not None
    app.clock.set(T0 + timedelta(minutes=4))
    app.warroom.incidents.acknowledge(Actor("alice", AccessRole.RESPONDER), f"INC-{outcome.incident_id}")
    real = read_history(app.warroom.db, T0, T0 + timedelta(hours=1)).incidents[outcome.incident_id]
    assert (real.triggered_at, real.acknowledged_at, real.acknowledged_by, real.resolved_at) == (
        T0,
        T0 + timedelta(minutes=4),
        "alice",
        None,
    )


def test_alerts_a_maintenance_window_held_are_left_out(app: RunningApp) -> None:
    secret = create_integration(app, "events_v2", "checks")
    integration = app.warroom.integrations.by_secret_key(secret)
    app.clock.set(T0)
    app.warroom.alerts.receive(integration, AlertBatch((alert("paged"),)))
    ends = T0 + timedelta(minutes=30)
    app.warroom.maintenance.create(SYSTEM, CreateMaintenance(service="api", ends_at=ends, reason="upgrade"))
    app.clock.set(T0 + timedelta(minutes=1))
    (held,) = app.warroom.alerts.receive(integration, AlertBatch((alert("held"),)))
    assert held.result == "suppressed"
    history = read_history(app.warroom.db, T0, T0 + timedelta(hours=1))
    assert [a.dedup_key for a in history.alerts] == ["paged"]


def test_an_empty_or_backward_window_is_refused(app: RunningApp) -> None:
    with pytest.raises(ValueError, match="the window is empty"):
        read_history(app.warroom.db, T0, T0)
