"""`warroom oncall ...` and `warroom incident escalate` against a real server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from tests.harness.app import RunningApp, start_app
from tests.harness.server import ThreadedServer
from warroom.api.app import create_app
from warroom.cli.main import app as cli
from warroom.clock import ManualClock

SATURDAY_3AM = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[RunningApp, dict[str, str]]]:
    running = start_app(database_url, preset="energy-audit", clock=ManualClock(SATURDAY_3AM))
    with ThreadedServer(create_app(running.warroom)) as server:
        env = {"WARROOM_URL": server.url, "WARROOM_TOKEN": running.tokens["admin"], "COLUMNS": "250"}
        yield running, env
    running.client.close()
    running.warroom.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_now_override_schedule_handoff(served: tuple[RunningApp, dict[str, str]]) -> None:
    _, env = served
    code, output = run(env, "oncall", "now")
    assert code == 0, output
    assert "engineer2" in output and "Primary On-Call" in output
    code, output = run(
        env, "oncall", "override", "add", "primary", "--person", "engineer1",
        "--start", "2026-01-10T03:00:00+00:00", "--end", "2026-01-10T07:00:00+00:00", "--json",
    )  # fmt: skip
    assert code == 0, output
    number = json.loads(output)["id"]
    code, output = run(env, "oncall", "now", "--json")
    assert {i["schedule"]: i["people"] for i in json.loads(output)}["primary"] == ["engineer1"]
    code, output = run(env, "oncall", "override", "add", "primary", "--person", "engineer1",
                       "--start", "2026-01-10T03:00:00", "--end", "now+1h")  # fmt: skip
    assert code != 0 and "offset" in output
    code, output = run(env, "oncall", "override", "remove", "primary", str(number))
    assert code == 0, output
    code, output = run(env, "oncall", "schedule", "primary", "--gaps")
    assert code == 0 and "No coverage gaps" in output
    code, output = run(env, "oncall", "handoff", "--schedule", "primary")
    assert code == 0 and "engineer2 -> engineer3" in output


def test_escalate_from_the_cli(served: tuple[RunningApp, dict[str, str]]) -> None:
    running, env = served
    ref = running.call("POST", "/api/v1/incidents", json={"title": "Down", "severity": "sev1"}).json()["id"]
    code, output = run(env, "incident", "escalate", ref, "--reason", "primary unreachable")
    assert code == 0, output
    assert "level 2" in output
    code, output = run(env, "incident", "escalate", ref, "--level", "9", "--reason", "x")
    assert code != 0 and "level" in output
