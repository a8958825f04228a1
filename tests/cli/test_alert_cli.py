"""`warroom integration|alert|maintenance` against a real server on loopback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.harness.app import RunningApp, start_app
from tests.harness.server import ThreadedServer
from warroom.api.app import create_app
from warroom.cli.main import app as cli
from warroom.playbook.loader import load_playbook

PLAYBOOK = Path(__file__).parent.parent / "alerts" / "fixtures" / "alerting.yaml"


class Served:
    def __init__(self, running: RunningApp, url: str) -> None:
        self.running = running
        self.url = url

    def env(self, who: str = "admin") -> dict[str, str]:
        return {"WARROOM_URL": self.url, "WARROOM_TOKEN": self.running.tokens[who], "COLUMNS": "250"}


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    running = start_app(database_url, playbook=load_playbook(PLAYBOOK))
    with ThreadedServer(create_app(running.warroom)) as server:
        yield Served(running, server.url)
    running.client.close()
    running.warroom.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def firing(fingerprint: str = "c0ffee01") -> dict[str, Any]:
    labels = {"alertname": "HighErrorRate", "env": "prod", "error_rate": "12", "instance": "web-1"}
    return {
        "version": "4",
        "groupKey": '{}:{alertname="HighErrorRate"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "warroom",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": "Checkout error rate at 12%"},
                "startsAt": "2026-01-05T08:58:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example/graph",
                "fingerprint": fingerprint,
            }
        ],
    }


def test_integration_create_prints_the_key_and_url_once(served: Served) -> None:
    code, out = run(served.env(), "integration", "create", "prom", "--kind", "alertmanager", "--service", "api")
    assert code == 0, out
    assert "Created integration prom (alertmanager, service api)" in out
    lines = out.splitlines()
    key = lines[lines.index("Secret key (shown once; it is stored only as a hash):") + 1]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    url = lines[lines.index("Point the source at:") + 1]
    assert url.endswith(f"/ingest/{key}/alertmanager")

    code, out = run(served.env(), "integration", "list")
    assert code == 0, out
    (row,) = [line for line in out.splitlines() if " prom " in line]
    assert "alertmanager" in row and "api" in row and key[:8] in row and "enabled" in row
    assert key not in out  # only its prefix is ever shown again

    code, out = run(served.env(), "integration", "list", "--json")
    assert code == 0, out
    (listed,) = json.loads(out)
    assert listed["key"] == "prom" and "secret_key" not in listed


def test_integration_create_json_and_heartbeat(served: Served) -> None:
    code, out = run(
        served.env(), "integration", "create", "nightly", "--kind", "heartbeat", "--service", "batch",
        "--interval", "5m", "--name", "Nightly backup", "--json",
    )  # fmt: skip
    assert code == 0, out
    created = json.loads(out)
    assert created["key"] == "nightly" and created["name"] == "Nightly backup"
    assert created["heartbeat_interval_seconds"] == 300
    assert created["ingest_url"].endswith(f"/api/v1/heartbeats/{created['secret_key']}")
    assert httpx.post(f"{served.url}/api/v1/heartbeats/{created['secret_key']}").status_code == 200


def test_alerts_from_a_real_delivery_are_listed_with_their_incident(served: Served) -> None:
    code, out = run(
        served.env(), "integration", "create", "prom", "--kind", "alertmanager", "--service", "api", "--json"
    )
    assert code == 0, out
    key = json.loads(out)["secret_key"]
    response = httpx.post(f"{served.url}/ingest/{key}/alertmanager", json=firing())
    assert response.status_code == 202, response.text
    assert response.json()["incidents"] == ["INC-1"]

    responder = served.env("responder")
    code, out = run(responder, "alert", "list")
    assert code == 0, out
    (row,) = [line for line in out.splitlines() if "HighErrorRate" in line]
    assert "triggered" in row and "INC-1" in row and "api" in row and "Checkout error rate" in row

    code, out = run(responder, "alert", "list", "--status", "open", "--json")
    assert code == 0, out
    page = json.loads(out)
    (item,) = page["items"]
    assert item["incident"] == "INC-1" and item["severity"] == "sev1" and item["route"] == "error rate by value"
    assert page["next_cursor"] is None

    code, out = run(responder, "alert", "list", "--status", "resolved", "--json")
    assert code == 0 and json.loads(out)["items"] == []

    code, out = run(responder, "alert", "show", str(item["id"]))
    assert code == 0, out
    assert f"alert {item['id']} Checkout error rate at 12%" in out
    assert re.search(r"incident\s+INC-1", out) and re.search(r"dedup_key\s+c0ffee01", out)
    assert "label env=prod" in out and "label error_rate=12" in out

    code, out = run(responder, "alert", "show", str(item["id"]), "--json")
    assert code == 0 and json.loads(out)["dedup_key"] == "c0ffee01"

    code, out = run(responder, "alert", "show", "99")
    assert code == 1 and "no alert 99" in out


def test_maintenance_create_list_end(served: Served) -> None:
    env = served.env("responder")
    code, out = run(
        env, "maintenance", "create", "--service", "api", "--ends-at", "2026-01-05T10:00:00Z", "--reason", "db upgrade"
    )
    assert code == 0, out
    assert "Maintenance window 1 for api: 2026-01-05T09:00:00Z to 2026-01-05T10:00:00Z" in out
    code, out = run(env, "maintenance", "list")
    assert code == 0, out
    (row,) = [line for line in out.splitlines() if "db upgrade" in line]
    assert "1" in row and "api" in row and "True" in row

    code, out = run(
        served.env(), "integration", "create", "prom", "--kind", "alertmanager", "--service", "api", "--json"
    )
    key = json.loads(out)["secret_key"]
    delivered = httpx.post(f"{served.url}/ingest/{key}/alertmanager", json=firing()).json()
    assert [a["result"] for a in delivered["alerts"]] == ["suppressed"]
    code, out = run(env, "alert", "list", "--status", "suppressed")
    assert code == 0 and "maintenance 1" in out

    code, out = run(env, "maintenance", "end", "1")
    assert code == 0 and "Maintenance window 1 ended." in out
    code, out = run(env, "maintenance", "list")
    assert code == 0 and "db upgrade" not in out
    code, out = run(env, "maintenance", "list", "--past")
    assert code == 0 and "db upgrade" in out and "False" in out
    code, out = run(env, "maintenance", "end", "1")
    assert code == 1 and "already over" in out


def test_cli_errors_name_the_field(served: Served) -> None:
    before = served.running.snapshot()
    code, out = run(served.env(), "integration", "create", "pd", "--kind", "pagerduty", "--service", "api")
    assert code == 1, out
    assert "error 422" in out and "- kind:" in out and "alertmanager" in out

    code, out = run(served.env(), "integration", "create", "prom", "--kind", "alertmanager", "--service", "payments")
    assert code == 1 and "- service: unknown service 'payments'" in out

    code, out = run(
        served.env("responder"), "integration", "create", "prom", "--kind", "alertmanager", "--service", "api"
    )
    assert code == 1 and "admin" in out

    code, out = run(
        served.env(), "integration", "create", "hook", "--kind", "generic", "--service", "api", "--map", "summary"
    )
    assert code == 2 and "FIELD=VALUE" in out

    code, out = run(
        served.env("responder"),
        "maintenance", "create", "--service", "api", "--ends-at", "2026-01-05T10:00:00", "--reason", "x",
    )  # fmt: skip
    assert code == 1 and "- ends_at: give a time zone" in out
    assert served.running.snapshot() == before
