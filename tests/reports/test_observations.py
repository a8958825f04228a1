"""Prometheus: incidents by severity, time to first acknowledgement, pages sent; counted only on commit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from tests.harness.app import RunningApp, start_app
from warroom.metrics import after_commit
from warroom.reports.observations import IncidentObservations
from warroom.store.database import Database


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_callbacks_run_on_commit_and_never_on_rollback(db: Database) -> None:
    ran: list[str] = []
    with db.transaction() as tx:
        after_commit(tx, lambda: ran.append("committed"))
        assert ran == []  # not before the COMMIT
    assert ran == ["committed"]
    with pytest.raises(RuntimeError), db.transaction() as tx:
        after_commit(tx, lambda: ran.append("rolled back"))
        raise RuntimeError("the use case failed")
    with db.transaction() as tx:  # the same pooled connection: nothing left over from the rollback
        tx.execute(text("SELECT 1"))
    assert ran == ["committed"]


def test_a_rolled_back_savepoint_forgets_its_callbacks_only(db: Database) -> None:
    ran: list[str] = []
    with db.transaction() as tx:
        after_commit(tx, lambda: ran.append("outer"))
        inner = tx.begin_nested()
        after_commit(tx, lambda: ran.append("rolled back savepoint"))
        inner.rollback()
        outer = tx.begin_nested()
        released = tx.begin_nested()
        after_commit(tx, lambda: ran.append("released inside a rolled back savepoint"))
        released.commit()
        outer.rollback()
        kept = tx.begin_nested()
        after_commit(tx, lambda: ran.append("released savepoint"))
        kept.commit()
    assert ran == ["outer", "released savepoint"]


def test_a_failing_callback_does_not_fail_the_commit(db: Database) -> None:
    ran: list[str] = []
    with db.transaction() as tx:
        after_commit(tx, lambda: 1 / 0 and None)
        after_commit(tx, lambda: ran.append("next"))
    assert ran == ["next"]


@pytest.fixture
def running(database_url: str) -> Iterator[RunningApp]:
    app = start_app(database_url)
    yield app
    app.client.close()
    app.warroom.close()


def test_declare_acknowledge_and_pages_are_observed(running: RunningApp) -> None:
    opened, paged = sample("warroom_incidents_total", severity="sev1"), sample("warroom_pages_total", severity="sev1")
    acks = sample("warroom_time_to_acknowledge_seconds_count", severity="sev1")
    within_2m = sample("warroom_time_to_acknowledge_seconds_bucket", severity="sev1", le="120.0")
    within_1m = sample("warroom_time_to_acknowledge_seconds_bucket", severity="sev1", le="60.0")
    refused = running.call("POST", "/api/v1/incidents", json={"title": "x", "severity": "nope"})
    assert refused.status_code == 422
    assert sample("warroom_incidents_total", severity="sev1") == opened
    created = running.call("POST", "/api/v1/incidents", json={"title": "Checkout down", "severity": "sev1"})
    assert created.status_code == 201, created.text
    assert sample("warroom_incidents_total", severity="sev1") == opened + 1
    # The SEV-1 chain pages the primary on call (one person) as the incident opens.
    assert sample("warroom_pages_total", severity="sev1") == paged + 1
    running.clock.advance(timedelta(seconds=90))
    ref = created.json()["id"]
    assert running.call("POST", f"/api/v1/incidents/{ref}/acknowledge").status_code == 200
    assert sample("warroom_time_to_acknowledge_seconds_count", severity="sev1") == acks + 1
    assert sample("warroom_time_to_acknowledge_seconds_bucket", severity="sev1", le="120.0") == within_2m + 1
    assert sample("warroom_time_to_acknowledge_seconds_bucket", severity="sev1", le="60.0") == within_1m  # 90 s
    exposed = running.client.get("/metrics").text
    for name in (
        "warroom_incidents_total",
        "warroom_time_to_acknowledge_seconds_bucket",
        "warroom_pages_total",
        "warroom_deliveries_total",
    ):
        assert name in exposed


def test_an_opening_rolled_back_is_not_counted(running: RunningApp) -> None:
    before = sample("warroom_incidents_total", severity="sev1")
    created = running.call("POST", "/api/v1/incidents", json={"title": "Down", "severity": "sev1"}).json()
    number = int(created["id"].removeprefix("INC-"))
    with pytest.raises(RuntimeError), running.warroom.db.transaction() as tx:
        IncidentObservations().incident_opened(tx, number, running.clock.now())
        raise RuntimeError("rolled back")
    assert sample("warroom_incidents_total", severity="sev1") == before + 1  # the real opening only
