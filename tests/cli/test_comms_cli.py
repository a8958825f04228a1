"""`warroom comms preview|send|clocks` against a real server on loopback."""

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
    running = start_app(database_url, preset="sre-team")
    with ThreadedServer(create_app(running.warroom)) as server:
        env = {"WARROOM_URL": server.url, "WARROOM_TOKEN": running.tokens["responder"], "COLUMNS": "200"}
        yield running, env
    running.warroom.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_preview_names_what_is_missing_then_send_goes_out(served: tuple[RunningApp, dict[str, str]]) -> None:
    _running, env = served
    code, out = run(
        env, "incident", "declare", "Checkout errors", "--severity", "sev2", "--service", "workbench-api", "--json"
    )
    assert code == 0, out
    code, out = run(env, "comms", "templates")
    assert code == 0 and "Asks for" in out
    templates = json.loads(run(env, "comms", "templates", "--json")[1])
    template = next(t for t in templates if t["required_fields"] and t["kind"] == "update")
    code, out = run(env, "comms", "preview", template["key"], "--incident", "INC-1")
    assert code == 1 and "missing values" in out and template["required_fields"][0] in out
    fields = [arg for name in template["required_fields"] for arg in ("--field", f"{name}=value of {name}")]
    code, out = run(env, "comms", "preview", template["key"], "--incident", "INC-1", *fields)
    assert code == 0, out
    assert f"value of {template['required_fields'][0]}" in out
    code, out = run(env, "comms", "send", template["key"], "--incident", "INC-1", *fields)
    assert code == 0 and "sent #1" in out, out
    code, out = run(env, "comms", "clocks", "INC-1")
    assert code == 0 and "next update due" in out
    code, out = run(env, "comms", "send", "no-such-template", "--incident", "INC-1")
    assert code == 1 and "unknown template" in out
    code, out = run(env, "comms", "send", template["key"], "--incident", "INC-1", "--field", "oops")
    assert code == 2 and "NAME=VALUE" in out


def test_describe_waive_and_approval_commands(served: tuple[RunningApp, dict[str, str]]) -> None:
    _running, env = served
    assert (
        run(env, "incident", "declare", "Checkout errors", "--severity", "sev1", "--service", "workbench-api")[0] == 0
    )
    code, out = run(env, "incident", "describe", "INC-1", "--root-cause", "Expired TLS certificate", "--json")
    assert code == 0 and json.loads(out)["root_cause"] == "Expired TLS certificate"
    code, out = run(env, "incident", "describe", "INC-1")
    assert code == 2
    clocks = json.loads(run(env, "comms", "clocks", "INC-1", "--json")[1])["clocks"]
    key = clocks[0]["key"]
    code, out = run(env, "comms", "waive", "INC-1", key, "--reason", "internal only")
    assert code == 0 and "waived" in out
    code, out = run(env, "comms", "approve", "INC-1")
    assert code == 1 and "not a security incident" in out
