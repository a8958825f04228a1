"""GET /api/v1/reports and /api/v1/reports/incident-log.csv over the seeded history (tests/reports/seed.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.app import RunningApp, start_app
from tests.reports.seed import NOW, at, incident, report_playbook, seed_followups, seed_incidents
from warroom.clock import ManualClock


@pytest.fixture
def reporting(database_url: str) -> Iterator[RunningApp]:
    app = start_app(database_url, playbook=report_playbook(), clock=ManualClock(NOW))
    version = app.warroom.playbooks.active[0]
    seed_followups(app.warroom.db, seed_incidents(app.warroom.db, version))
    yield app
    app.client.close()
    app.warroom.close()


def test_a_viewer_reads_the_report_and_nothing_changes(reporting: RunningApp) -> None:
    before = reporting.snapshot()
    response = reporting.call("GET", "/api/v1/reports", who="viewer", params={"period": "30d"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["incidents"], body["open"], body["period"], body["timezone"]) == (5, 2, "30d", "Europe/Berlin")
    assert body["overall"]["time_to_resolve"]["note"] == "n=3 of 5, 2 open"
    assert body["overall"]["time_to_resolve"]["mean_seconds"] == 6000.0  # (3600 + 7200 + 7200) / 3
    assert [w["incidents"] for w in body["weeks"]] == [0, 1, 1, 1, 2, 0]
    assert body["percentile_method"] == "nearest-rank"
    assert reporting.snapshot() == before


def test_since_and_until_select_the_window(reporting: RunningApp) -> None:
    params = {"since": "2026-03-10T00:00:00Z", "until": "2026-03-17T00:00:00+00:00"}
    body = reporting.call("GET", "/api/v1/reports", who="viewer", params=params).json()
    # B (03-10) and C (03-16) only.
    assert (body["incidents"], body["since"], body["period"]) == (2, "2026-03-10T00:00:00Z", None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "1m"}, "period"),
        ({"period": "30d", "since": "2026-03-01T00:00:00Z"}, "period"),
        ({"since": "2026-03-01T00:00:00"}, "since"),
        ({"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"period": "x" * 40}, "period"),
    ],
)
def test_bad_windows_are_422_naming_the_field(reporting: RunningApp, params: dict[str, str], field: str) -> None:
    response = reporting.call("GET", "/api/v1/reports", who="viewer", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    csv_response = reporting.call("GET", "/api/v1/reports/incident-log.csv", who="viewer", params=params)
    assert csv_response.status_code == 422 and csv_response.json()["errors"][0]["field"] == field


def test_private_incidents_count_only_for_those_who_may_see_them(reporting: RunningApp) -> None:
    db, version = reporting.warroom.db, reporting.warroom.playbooks.active[0]
    incident(db, version, "Payroll leak", "sev1", at(3, 20, 9), at(3, 20, 9), at(3, 20, 9), private=True)
    viewer = reporting.call("GET", "/api/v1/reports", who="viewer", params={"period": "30d"}).json()
    admin = reporting.call("GET", "/api/v1/reports", who="admin", params={"period": "30d"}).json()
    assert (viewer["incidents"], admin["incidents"]) == (5, 6)
    log = reporting.call("GET", "/api/v1/reports/incident-log.csv", who="viewer", params={"period": "30d"}).text
    assert "Payroll" not in log
    assert "Payroll" in reporting.call("GET", "/api/v1/reports/incident-log.csv", who="admin").text


def test_the_incident_log_is_a_csv_download(reporting: RunningApp) -> None:
    response = reporting.call("GET", "/api/v1/reports/incident-log.csv", who="viewer", params={"period": "30d"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="incident-log.csv"'
    lines = response.text.split("\r\n")
    assert lines[0] == "Date,Time,Severity,Issue,Duration,RCA Owner,Status"
    assert lines[1] == "2026-03-02,11:00,SEV-1,API and DB down,1 h 00 min,alice,Closed"
    assert len(lines) == 7  # header, A..E, and the final line end


def test_reports_need_a_token(reporting: RunningApp) -> None:
    assert reporting.client.get("/api/v1/reports").status_code == 401
    assert reporting.client.get("/api/v1/reports/incident-log.csv").status_code == 401
