"""`warroom report` against a real server on loopback, over the seeded history (tests/reports/seed.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from tests.harness.app import start_app
from tests.harness.server import ThreadedServer
from tests.reports.seed import NOW, report_playbook, seed_followups, seed_incidents
from warroom.api.app import create_app
from warroom.cli.main import app as cli
from warroom.clock import ManualClock


@pytest.fixture
def env(database_url: str) -> Iterator[dict[str, str]]:
    running = start_app(database_url, playbook=report_playbook(), clock=ManualClock(NOW))
    seed_followups(running.warroom.db, seed_incidents(running.warroom.db, running.warroom.playbooks.active[0]))
    with ThreadedServer(create_app(running.warroom)) as server:
        yield {"WARROOM_URL": server.url, "WARROOM_TOKEN": running.tokens["viewer"], "COLUMNS": "250"}
    running.client.close()
    running.warroom.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["report", *args], env=env)
    return result.exit_code, result.output


def test_tables_say_how_many_incidents_each_figure_covers(env: dict[str, str]) -> None:
    code, output = run(env, "--period", "30d")
    assert code == 0, output
    assert "Incidents 2026-02-28T12:00:00Z to 2026-03-30T12:00:00Z (30d): 5 (2 open)" in output
    assert "Duplicates left out: 1" in output
    # MTTR overall: mean 6000 s = 1h 40m, p50 = p90 = 2h; two incidents are open.
    assert "1h 40m / 2h 00m / 2h 00m" in output and "n=3 of 5, 2 open" in output
    assert "n=4 of 5, 1 not acknowledged" in output
    assert "2026-W13" in output and "2026-03" in output
    assert "SEV-1 frequency" in output
    assert "Night pages: 22:00-07:00 in each person's time zone (the default window)." in output
    assert "nearest-rank" in output


def test_json_and_csv(env: dict[str, str]) -> None:
    code, output = run(env, "--period", "30d", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert (report["incidents"], report["postmortems"]["completion_rate"]) == (5, 0.5)
    code, output = run(env, "--since", "2026-03-01T00:00:00Z", "--until", "2026-03-03T00:00:00Z", "--csv")
    assert code == 0, output
    assert output.splitlines() == [
        "Date,Time,Severity,Issue,Duration,RCA Owner,Status",
        "2026-03-02,11:00,SEV-1,API and DB down,1 h 00 min,alice,Closed",
    ]


def test_bad_input_is_explained(env: dict[str, str]) -> None:
    code, output = run(env, "--period", "3 months")
    assert code == 1 and "period" in output and "24h, 30d, 12w" in output
    code, output = run(env, "--json", "--csv")
    assert code == 2 and "not both" in output
