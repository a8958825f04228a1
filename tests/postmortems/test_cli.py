"""`warroom postmortem show|edit|submit|publish|skip|list` against a real server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.harness.app import RunningApp
from tests.harness.scripted_incident import RESOLVED
from tests.harness.server import ThreadedServer
from tests.postmortems.helpers import declare, resolve, resolved_incident, running, team_playbook
from warroom.api.app import create_app
from warroom.cli.main import app as cli


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[RunningApp, dict[str, str]]]:
    with running(database_url) as app, ThreadedServer(create_app(app.warroom)) as server:
        env = {"WARROOM_URL": server.url, "WARROOM_TOKEN": app.tokens["responder"], "COLUMNS": "200"}
        yield app, env


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, ["postmortem", *args], env=env)


def test_show_edit_review_and_publish(served: tuple[RunningApp, dict[str, str]], tmp_path: Path) -> None:
    app, env = served
    resolved_incident(app)
    shown = run(env, "show", "INC-1")
    assert shown.exit_code == 0, shown.output
    assert "INC-1 Elevated error rates on the API [SEV-1]: postmortem draft (required), revision 1" in shown.output
    assert "owner: alice; due: 2026-03-07 15:00 UTC" in shown.output and "still to write: why 1" in shown.output
    assert "# Postmortem: INC-1" in shown.output

    markdown = run(env, "show", "INC-1", "--markdown")
    assert markdown.stdout.startswith("# Postmortem: INC-1") and "revision 1" in markdown.stderr
    draft = tmp_path / "pm.md"
    draft.write_text(markdown.stdout)

    theirs = tmp_path / "theirs.md"
    theirs.write_text(markdown.stdout + "\nA colleague's note.\n")
    colleague = {**env, "WARROOM_TOKEN": app.tokens["admin"]}
    assert run(colleague, "edit", "INC-1", "--file", str(theirs)).exit_code == 0  # reads revision 1, saves 2
    stale = run(env, "edit", "INC-1", "--file", str(draft), "--revision", "1")
    assert stale.exit_code == 1 and "the current revision is 2" in stale.output

    assert run(env, "submit", "INC-1").exit_code == 0
    refused = run(env, "publish", "INC-1")
    assert refused.exit_code == 1 and "placeholder(s) to fill in or delete: why 1" in refused.output
    assert run(env, "send-back", "INC-1", "--reason", "the whys").exit_code == 0
    draft.write_text("# Postmortem: INC-1\n\nEverything is written.\n")
    saved = run(env, "edit", "INC-1", "--file", str(draft), "--revision", "2")
    assert saved.exit_code == 0 and "saved revision 3; now draft" in saved.output
    assert run(env, "submit", "INC-1").exit_code == 0
    published = run(env, "publish", "INC-1")
    assert published.exit_code == 0 and "published; now published" in published.output
    again = run(env, "publish", "INC-1")
    assert again.exit_code == 1 and "it is published and no longer changes" in again.output


def test_list_overdue_and_skip(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app, ThreadedServer(create_app(app.warroom)) as server:
        env = {"WARROOM_URL": server.url, "WARROOM_TOKEN": app.tokens["responder"], "COLUMNS": "200"}
        critical, minor = declare(app, "sev1", title="Checkout down"), declare(app, "sev3", title="Slow search")
        resolve(app, critical)
        resolve(app, minor)
        empty = run(env, "list", "--overdue")
        assert empty.exit_code == 0 and "no overdue postmortems" in empty.output
        app.clock.set(RESOLVED + timedelta(hours=48))
        overdue = run(env, "list", "--overdue")
        assert overdue.exit_code == 0 and "INC-1" in overdue.output and "overdue" in overdue.output
        assert "INC-2" not in overdue.output  # optional: never overdue
        every = run(env, "list")
        assert "Checkout down" in every.output and "Slow search" in every.output
        refused = run(env, "skip", "INC-1", "--reason", "no time")
        assert refused.exit_code == 1 and "cannot be skipped" in refused.output
        skipped = run(env, "skip", "INC-2", "--reason", "nothing to learn")
        assert skipped.exit_code == 0 and "now skipped" in skipped.output
        assert run(env, "skip", "INC-2").exit_code == 2  # --reason is required
