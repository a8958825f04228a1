"""Dedup is a fact of the database: concurrent identical triggers give one alert and one incident."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from tests.harness.alerting import alerting_playbook, create_integration
from tests.harness.app import RunningApp, start_app
from tests.harness.server import ThreadedServer
from warroom.api.app import create_app
from warroom.store.tables import alert_groups, alerts, incidents


def trigger(key: str) -> dict[str, Any]:
    return {
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": "checkout-5xx",
        "payload": {"summary": "Checkout 5xx above 5%", "source": "lb-1", "severity": "critical"},
    }


def counts(app: RunningApp) -> tuple[int, int, int]:
    with app.warroom.db.read() as connection:
        return (
            connection.execute(select(func.count()).select_from(alerts)).scalar_one(),
            connection.execute(select(func.count()).select_from(incidents)).scalar_one(),
            connection.execute(select(func.sum(alerts.c.event_count))).scalar_one(),
        )


def test_fifty_concurrent_identical_triggers_make_one_alert_and_one_incident(alerting: RunningApp) -> None:
    key = create_integration(alerting, "events_v2")
    with ThreadedServer(create_app(alerting.warroom)) as server, httpx.Client(base_url=server.url) as client:

        def send(_: int) -> httpx.Response:
            return client.post("/v2/enqueue", json=trigger(key))

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(send, range(50)))
    assert {answer.status_code for answer in answers} == {202}
    assert {answer.json()["dedup_key"] for answer in answers} == {"checkout-5xx"}
    assert counts(alerting) == (1, 1, 50)


def test_two_servers_on_one_database_still_make_one_alert_and_one_incident(database_url: str) -> None:
    """Two instances (each with its own writer) race: only the database's unique indexes can decide."""
    first = start_app(database_url, playbook=alerting_playbook())
    second = start_app(database_url, playbook=alerting_playbook())
    try:
        key = create_integration(first, "events_v2")
        with (
            ThreadedServer(create_app(first.warroom)) as one,
            ThreadedServer(create_app(second.warroom)) as two,
            httpx.Client() as client,
        ):

            def send(index: int) -> httpx.Response:
                return client.post(f"{(one, two)[index % 2].url}/v2/enqueue", json=trigger(key))

            with ThreadPoolExecutor(max_workers=50) as pool:
                answers = list(pool.map(send, range(50)))
        assert {answer.status_code for answer in answers} == {202}
        assert counts(first) == (1, 1, 50)
        with first.warroom.db.read() as connection:
            assert connection.execute(select(func.count()).select_from(alert_groups)).scalar_one() == 1
    finally:
        first.warroom.close()
        second.warroom.close()


def test_the_unique_index_refuses_a_second_open_alert_but_allows_one_after_resolve(alerting: RunningApp) -> None:
    create_integration(alerting, "events_v2")
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    row = {
        "integration_id": 1,
        "dedup_key": "k",
        "status": "triggered",
        "summary": "s",
        "labels": {},
        "details": {},
        "links": [],
        "images": [],
        "service": "api",
        "first_seen_at": now,
        "last_seen_at": now,
        "event_count": 1,
    }
    db = alerting.warroom.db
    with db.transaction() as tx:
        tx.execute(insert(alerts).values(**row))
    with pytest.raises(IntegrityError), db.transaction() as tx:
        tx.execute(insert(alerts).values(**row))
    with db.transaction() as tx:
        tx.execute(alerts.update().values(status="resolved", resolved_at=now))
        tx.execute(insert(alerts).values(**row))
    with db.read() as connection:
        assert connection.execute(select(func.count()).select_from(alerts)).scalar_one() == 2
