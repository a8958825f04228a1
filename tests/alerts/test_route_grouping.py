"""A route's group_by decides which alerts share an incident (Alertmanager's group_by), from the playbook."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.harness.alerting import FIXTURE, am_alert, am_notification, create_integration
from tests.harness.app import RunningApp, start_app
from warroom.alerts.events import Action, AlertEvent
from warroom.alerts.routing import decide
from warroom.playbook.loader import PlaybookError, parse_playbook
from warroom.playbook.schema import Playbook
from warroom.store.tables import alerts

ROUTE = """    - name: disks by cluster
      match: {alertname: DiskFull}
      group_by: [alertname, cluster]
"""


def grouping_playbook(route: str = ROUTE) -> Playbook:
    text = FIXTURE.read_text(encoding="utf-8")
    assert "  routes:\n" in text
    return parse_playbook(text.replace("  routes:\n", "  routes:\n" + route, 1), "alerting.yaml")


def problems(route: str) -> list[str]:
    with pytest.raises(PlaybookError) as error:
        grouping_playbook(route)
    return [str(problem) for problem in error.value.problems]


# ---- the playbook key --------------------------------------------------------------------------------


def test_group_by_is_optional_and_kept_in_order() -> None:
    playbook = grouping_playbook()
    assert playbook.alerting.routes[0].group_by == ["alertname", "cluster"]
    assert playbook.alerting.routes[1].group_by is None


def test_an_empty_group_by_is_refused_with_file_line_and_key() -> None:
    found = problems("    - name: all in one\n      match: {alertname: DiskFull}\n      group_by: []\n")
    assert len(found) == 1
    assert found[0].startswith("alerting.yaml:")
    assert "alerting.routes[0].group_by" in found[0]
    assert "name at least one label" in found[0] and "grouping to 'integration'" in found[0]


def test_a_label_named_twice_or_empty_is_refused() -> None:
    twice = problems("    - match: {alertname: DiskFull}\n      group_by: [cluster, alertname, cluster]\n")
    assert any("cluster named more than once" in problem for problem in twice)
    empty = problems("    - match: {alertname: DiskFull}\n      group_by: [cluster, '']\n")
    assert any("a label name cannot be empty" in problem for problem in empty)


# ---- routing (pure) ----------------------------------------------------------------------------------


def disk(**labels: str) -> AlertEvent:
    return AlertEvent(Action.TRIGGER, None, alert_name="DiskFull", labels={"alertname": "DiskFull", **labels})


def test_the_basis_is_the_route_and_its_label_values_with_missing_labels_empty() -> None:
    playbook = grouping_playbook()
    one = decide(playbook, disk(cluster="eu", instance="a"), "prom", "api")
    two = decide(playbook, disk(cluster="eu", instance="b"), "prom", "api")
    other = decide(playbook, disk(cluster="us", instance="a"), "prom", "api")
    missing = decide(playbook, disk(instance="a"), "prom", "api")
    assert one.group_basis == two.group_basis == '["disks by cluster",[["alertname","DiskFull"],["cluster","eu"]]]'
    assert other.group_basis != one.group_basis
    assert missing.group_basis == '["disks by cluster",[["alertname","DiskFull"],["cluster",""]]]'


def test_a_route_without_group_by_and_no_route_give_no_basis() -> None:
    playbook = grouping_playbook()
    assert decide(playbook, AlertEvent(Action.TRIGGER, None, labels={"team": "dba"}), "prom", "api").group_basis is None
    assert decide(playbook, AlertEvent(Action.TRIGGER, None, alert_name="Other"), "prom", "api").group_basis is None


def test_matcher_names_group_too_service_is_the_integrations() -> None:
    playbook = grouping_playbook("    - match: {alertname: DiskFull}\n      group_by: [service, integration]\n")
    assert decide(playbook, disk(), "prom", "db").group_basis == '["route 1",[["service","db"],["integration","prom"]]]'


# ---- the intake --------------------------------------------------------------------------------------


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, playbook=grouping_playbook())
    yield running
    running.client.close()
    running.warroom.close()


def post(app: RunningApp, key: str, group: str, fingerprint: str, **labels: str) -> None:
    alert = am_alert(fingerprint, alertname="DiskFull", **labels)
    response = app.client.post(f"/ingest/{key}/alertmanager", json=am_notification(alert, group=group))
    assert response.status_code == 202, response.text


def incident_of(app: RunningApp) -> dict[str, int | None]:
    with app.warroom.db.read() as connection:
        rows = connection.execute(select(alerts.c.dedup_key, alerts.c.incident_id)).all()
    return {row.dedup_key: row.incident_id for row in rows}


def test_different_group_keys_with_equal_group_by_labels_share_one_incident(app: RunningApp) -> None:
    key = create_integration(app, "alertmanager", "prom")
    post(app, key, "disk-a", "a", cluster="eu")
    post(app, key, "disk-b", "b", cluster="eu")  # another Alertmanager group: the route's labels agree
    post(app, key, "disk-c", "c", cluster="us")
    post(app, key, "disk-a", "d")  # no cluster label: the empty value, a group of its own
    found = incident_of(app)
    assert found["a"] == found["b"]
    assert len({found["a"], found["c"], found["d"]}) == 3


def test_without_group_by_the_source_group_key_still_decides(app: RunningApp) -> None:
    key = create_integration(app, "alertmanager", "prom")
    for fingerprint, group in (("a", "g1"), ("b", "g2"), ("c", "g1")):
        alert = am_alert(fingerprint, team="dba")  # the database route: no group_by
        response = app.client.post(f"/ingest/{key}/alertmanager", json=am_notification(alert, group=group))
        assert response.status_code == 202
    found = incident_of(app)
    assert found["a"] == found["c"] != found["b"]


@pytest.mark.parametrize("grouping", ["alert", "integration"])
def test_an_explicit_integration_grouping_wins_over_the_route(app: RunningApp, grouping: str) -> None:
    key = create_integration(app, "alertmanager", "prom", grouping=grouping)
    post(app, key, "disk-a", "a", cluster="eu")
    post(app, key, "disk-b", "b", cluster="eu")
    post(app, key, "disk-c", "c", cluster="us")
    found = incident_of(app)
    if grouping == "alert":
        assert len(set(found.values())) == 3
    else:
        assert len(set(found.values())) == 1
