"""The CLI against a real server on loopback: readable output by default, --json for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from tests.harness.app import RunningApp, start_app
from tests.harness.server import ThreadedServer
from warroom.api.app import create_app
from warroom.cli.main import app as cli


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[RunningApp, dict[str, str]]]:
    running = start_app(database_url)
    with ThreadedServer(create_app(running.warroom)) as server:
        env = {"WARROOM_URL": server.url, "WARROOM_TOKEN": running.tokens["responder"], "COLUMNS": "200"}
        yield running, env
    running.warroom.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_incident_commands_end_to_end(served: tuple[RunningApp, dict[str, str]]) -> None:
    _, env = served
    code, out = run(env, "incident", "declare", "Checkout down", "--fact", "error_rate_pct=12", "--json")
    assert code == 0, out
    incident = json.loads(out)
    assert incident["id"] == "INC-1" and incident["severity_label"] == "SEV-1"
    code, out = run(env, "incident", "ack", "INC-1")
    assert code == 0 and "acknowledged" in out
    code, out = run(env, "incident", "role", "INC-1", "incident_commander", "alice")
    assert code == 0 and "alice" in out
    code, out = run(env, "incident", "note", "INC-1", "rolled back v2", "--pin")
    assert code == 0 and "noted on INC-1" in out
    code, out = run(env, "incident", "status", "INC-1", "monitoring", "fix deployed")
    assert code == 0 and "monitoring" in out
    code, out = run(env, "incident", "severity", "INC-1", "sev2", "--reason", "partial recovery")
    assert code == 0 and "SEV-2" in out
    code, out = run(env, "incident", "resolve", "INC-1", "error rate back to baseline")
    assert code == 0 and "resolved" in out
    code, out = run(env, "incident", "close", "INC-1")
    assert code == 0 and "closed" in out
    code, out = run(env, "incident", "list")
    assert code == 0 and "INC-1" in out and "Checkout down" in out
    code, out = run(env, "incident", "show", "INC-1", "--json")
    assert json.loads(out)["status"] == "closed"
    code, out = run(env, "incident", "timeline", "INC-1", "--format", "md")
    assert code == 0 and out.startswith("# Timeline: INC-1 Checkout down") and "rolled back v2" in out
    code, out = run(env, "incident", "timeline", "INC-1", "--format", "csv")
    assert out.splitlines()[0].startswith("id,incident,at")


def test_cli_errors_are_clear(served: tuple[RunningApp, dict[str, str]]) -> None:
    running, env = served
    run(env, "incident", "declare", "x", "--severity", "sev2")
    code, out = run(env, "incident", "status", "INC-1", "closed")
    assert code == 1 and "cannot move from investigating to closed" in out and "allowed: identified" in out
    code, out = run(env, "incident", "declare", "x", "--severity", "SEV-9")
    assert code == 1 and "unknown severity 'SEV-9'" in out
    code, out = run({**env, "WARROOM_TOKEN": running.tokens["viewer"]}, "incident", "declare", "x")
    assert code == 1 and "needs the responder role" in out
    code, out = run(env, "incident", "declare", "x", "--fact", "error_rate_pct")
    assert code == 2 and "FACT=VALUE" in out


def test_token_create_and_init(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path))
    monkeypatch.chdir(directory)
    env = {"WARROOM_DATABASE_URL": f"sqlite:///{directory}/w.db", "COLUMNS": "200"}
    code, out = run(env, "token", "create", "--role", "viewer", "--name", "grafana")
    assert code == 0 and "grafana (viewer)" in out and "wr_" in out
    code, out = run(env, "init", "--preset", "sre-team")
    assert code == 0 and (directory / "playbook.yaml").exists()
    code, out = run(env, "init", "--preset", "sre-team")
    assert code == 1 and "--force" in out
    code, out = run(env, "playbook", "validate", "playbook.yaml")
    assert code == 0
    code, out = run(env, "playbook", "show", "--preset", "energy-audit")
    assert code == 0 and "SEV-1" in out
