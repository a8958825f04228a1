"""`warroom action add|list|show|edit|status|export|push` against a real server on loopback, trackers faked."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.harness.app import RunningApp
from tests.harness.fake_jira import FakeJira
from tests.harness.server import ThreadedServer
from tests.postmortems.action_item_support import app_at_t0
from warroom.api.app import create_app
from warroom.cli.main import app as cli


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[RunningApp, dict[str, str], FakeJira]]:
    with FakeJira() as jira:
        running = app_at_t0(
            database_url,
            jira_url=jira.url,
            jira_email=jira.email,
            jira_api_token=jira.api_token,
            jira_project=jira.project,
        )
        with ThreadedServer(create_app(running.warroom)) as server:
            env = {"WARROOM_URL": server.url, "WARROOM_TOKEN": running.tokens["responder"], "COLUMNS": "200"}
            yield running, env, jira
        running.warroom.close()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_add_list_status_and_push(served: tuple[RunningApp, dict[str, str], FakeJira], tmp_path: Path) -> None:
    running, env, jira = served
    assert run(env, "incident", "declare", "Checkout errors", "--severity", "sev2")[0] == 0
    code, out = run(
        env,
        "action",
        "add",
        "INC-1",
        "Alert on pool usage",
        "--owner",
        "Alice",
        "--priority",
        "high",
        "--due",
        "2026-03-10",
    )
    assert code == 0 and "added #1 INC-1 [p1] open - alice, 2026-03-10" in out, out
    code, out = run(env, "action", "add", "INC-1", "Load test", "--due", "2w", "--json")
    assert code == 0 and json.loads(out)["due_date"] == "2026-03-19"

    code, out = run(env, "action", "list")
    assert code == 0 and "Alert on pool usage" in out and "Load test" in out and "overdue" not in out
    assert run(env, "action", "list", "--overdue")[1].strip() == "no action items"
    running.clock.advance(timedelta(days=6))
    code, out = run(env, "action", "list", "--overdue", "--incident", "INC-1", "--json")
    assert code == 0 and [item["id"] for item in json.loads(out)] == [1]

    code, out = run(env, "action", "edit", "2", "--owner", "bob", "--priority", "p3")
    assert code == 0 and "[p3]" in out and "bob" in out
    code, out = run(env, "action", "status", "2", "wont_do")
    assert code == 1 and "note" in out and "say why" in out
    code, out = run(env, "action", "status", "2", "wont_do", "--note", "covered by the quarterly load test")
    assert code == 0 and "#2 is wont_do" in out
    code, out = run(env, "action", "status", "2", "done")
    assert code == 1 and "allowed: open" in out

    code, out = run(env, "action", "push", "1", "--tracker", "jira")
    assert code == 0 and f"#1 pushed: OPS-1 {jira.url}/browse/OPS-1" in out, out
    code, out = run(env, "action", "push", "1", "--tracker", "jira")
    assert code == 0 and "#1 already pushed: OPS-1" in out and len(jira.requests) == 1
    jira.fail_next(400, errors={"summary": "Summary must be less than 255 characters."})
    code, out = run(env, "action", "push", "2", "--tracker", "jira")
    assert code == 1 and "error 502" in out and "Jira answered 400" in out
    code, out = run(env, "action", "show", "1")
    assert code == 0 and f"tracker: OPS-1 {jira.url}/browse/OPS-1" in out

    code, out = run(env, "action", "export")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["status"], r["external_key"]) for r in rows] == [("1", "open", "OPS-1"), ("2", "wont_do", "")]
    code, out = run(env, "action", "export", "--format", "jira", "--status", "open")
    assert code == 0 and [u["fields"]["summary"] for u in json.loads(out)["issueUpdates"]] == ["Alert on pool usage"]
    target = tmp_path / "items.json"
    code, out = run(env, "action", "export", "--format", "github", "--output", str(target))
    assert code == 0 and len(json.loads(target.read_text())) == 2


def test_refusals_exit_non_zero(served: tuple[RunningApp, dict[str, str], FakeJira]) -> None:
    running, env, _jira = served
    assert run(env, "incident", "declare", "Checkout errors", "--severity", "sev2")[0] == 0
    before = running.snapshot()
    code, out = run(env, "action", "add", "INC-1", "Fix", "--due", "yesterday-ish")
    assert code == 1 and "due:" in out
    code, out = run(env, "action", "add", "INC-7", "Fix")
    assert code == 1 and "no incident INC-7" in out
    code, out = run(env, "action", "edit", "1")
    assert code == 2 and "nothing to change" in out
    code, out = run(env, "action", "push", "1", "--tracker", "jira")
    assert code == 1 and "no action item 1" in out
    code, out = run(env, "action", "push", "1", "--tracker", "github")
    assert code == 1 and "github is not configured: set WARROOM_GITHUB_TOKEN, WARROOM_GITHUB_REPO" in out
    assert running.snapshot() == before
    viewer = {**env, "WARROOM_TOKEN": running.tokens["viewer"]}
    code, out = run(viewer, "action", "add", "INC-1", "Fix")
    assert code == 1 and "responder role" in out
